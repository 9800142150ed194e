//! The lesson model and its loading from the embedded `content/*.json` files (pure).

use serde::Deserialize;

use crate::keys;

include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// One lesson, as written in a content file.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Stable identifier, also the file name without `.json`.
    pub slug: String,
    pub title: String,
    /// One-sentence summary shown under the title.
    pub summary: String,
    /// Keys the learner provides in the keys panel, in display order.
    pub keys: Vec<KeySpec>,
    /// Prose and cells, in the lesson's order.
    pub blocks: Vec<Block>,
}

/// A key the learner types, such as `CLIENT_ID`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    /// Placeholder name used as `{{NAME}}` in code.
    pub name: String,
    /// Visible label of the input.
    pub label: String,
    /// Masked input, never rendered in clear inside code.
    pub secret: bool,
}

/// A piece of the lesson.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// Highlighted aside, such as the one-hour validity note.
    Note {
        text: String,
    },
    Cell(Cell),
    /// Line-by-line explanation of the code cell above it.
    Explanation {
        items: Vec<ExplanationItem>,
    },
}

/// A runnable code cell.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Cell {
    pub id: String,
    /// Accessible name of the cell's section.
    pub title: String,
    /// What Run does.
    pub action: CellAction,
    pub language: String,
    /// The code as shown, with `{{KEY}}` placeholders.
    pub code: String,
    /// True when the real implementation is hidden, as for the lesson's `validateToken()`.
    pub implementation_hidden: bool,
}

/// What pressing Run in a cell does.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CellAction {
    /// The client-credentials request written in the cell.
    RequestToken,
    /// `GET /v1/tracks/{id}` with the saved token.
    ValidateToken,
}

/// "Lines 3–5: …"
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExplanationItem {
    pub from: usize,
    pub to: usize,
    pub text: String,
}

impl ExplanationItem {
    /// "Line 1" or "Lines 3–5", as the lesson writes it.
    pub fn label(&self) -> String {
        if self.from == self.to {
            format!("Line {}", self.from)
        } else {
            format!("Lines {}–{}", self.from, self.to)
        }
    }
}

/// Why a content file is not a usable lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct ContentError {
    pub file: String,
    pub problems: Vec<String>,
}

impl std::fmt::Display for ContentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.problems.join("; "))
    }
}

impl Lesson {
    /// Parses and validates one content file.
    pub fn parse(file: &str, json: &str) -> Result<Lesson, ContentError> {
        let error = |problems| ContentError {
            file: file.to_owned(),
            problems,
        };
        let lesson: Lesson = serde_json::from_str(json).map_err(|e| error(vec![e.to_string()]))?;
        let problems = lesson.problems(file);
        if problems.is_empty() {
            Ok(lesson)
        } else {
            Err(error(problems))
        }
    }

    /// The cells in lesson order.
    pub fn cells(&self) -> impl Iterator<Item = &Cell> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Cell(c) => Some(c),
            _ => None,
        })
    }

    fn problems(&self, file: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if file.strip_suffix(".json") != Some(self.slug.as_str()) {
            problems.push(format!("slug {:?} must match the file name", self.slug));
        }
        let cells: Vec<&Cell> = self.cells().collect();
        if cells.is_empty() {
            problems.push("a lesson needs at least one cell".into());
        }
        let mut ids: Vec<&str> = cells.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != cells.len() {
            problems.push("cell ids must be unique".into());
        }
        for cell in &cells {
            for name in keys::placeholders(&cell.code) {
                if !self.keys.iter().any(|k| k.name == name) && name != keys::ACCESS_TOKEN {
                    problems.push(format!(
                        "cell {:?} uses {{{{{name}}}}}, which the lesson does not declare",
                        cell.id
                    ));
                }
            }
        }
        for (index, block) in self.blocks.iter().enumerate() {
            let Block::Explanation { items } = block else {
                continue;
            };
            let cell = self.blocks[..index].iter().rev().find_map(|b| match b {
                Block::Cell(c) => Some(c),
                _ => None,
            });
            let Some(cell) = cell else {
                problems.push("an explanation must follow a cell".into());
                continue;
            };
            let lines = cell.code.lines().count();
            for item in items {
                if item.from == 0 || item.from > item.to || item.to > lines {
                    problems.push(format!(
                        "explanation {:?} points outside cell {:?} ({lines} lines)",
                        item.label(),
                        cell.id
                    ));
                }
            }
        }
        problems
    }
}

/// Every embedded lesson, parsed and validated.
pub fn all() -> Result<Vec<Lesson>, ContentError> {
    LESSON_SOURCES
        .iter()
        .map(|(file, json)| Lesson::parse(file, json))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_content_file_is_a_valid_lesson() {
        let lessons = all().unwrap_or_else(|e| panic!("content error: {e}"));
        assert!(!lessons.is_empty());
    }

    #[test]
    fn the_token_lesson_follows_the_course() {
        let lessons = all().expect("valid content");
        let lesson = lessons
            .iter()
            .find(|l| l.slug == "obtain-client-credential-access-token")
            .expect("the lesson is embedded");
        let cells: Vec<_> = lesson.cells().collect();
        assert_eq!(cells.len(), 2);
        assert_eq!(
            (cells[0].title.as_str(), cells[0].action),
            ("Get an access token", CellAction::RequestToken)
        );
        assert_eq!(
            (cells[1].title.as_str(), cells[1].action),
            ("Validate the access token", CellAction::ValidateToken)
        );
        assert!(cells[1].implementation_hidden);
        let note = lesson.blocks.iter().any(
            |b| matches!(b, Block::Note { text } if text.contains("one hour") && text.contains("3600")),
        );
        assert!(note, "the one-hour note is present");
        // The explanation's line numbers point at the lines the course describes.
        let line = |n: usize| cells[0].code.lines().nth(n - 1).expect("line exists");
        assert!(line(1).contains("new URL('https://accounts.spotify.com/api/token')"));
        assert!(line(23).contains("await fetch(endpointUrl, options)"));
        assert!(line(24).contains("printResponse(response)"));
        assert_eq!(line(30), "fetchAccessToken();");
        assert_eq!(
            keys::placeholders(&cells[0].code),
            vec!["CLIENT_ID", "CLIENT_SECRET"]
        );
        let labels: Vec<_> = lesson.keys.iter().map(|k| k.label.as_str()).collect();
        assert_eq!(labels, ["Client ID", "Client Secret"]);
    }

    #[test]
    fn invalid_content_is_reported_with_the_problem() {
        let check = |json: &str, needle: &str| {
            let err = Lesson::parse("x.json", json).expect_err("invalid");
            assert!(
                err.to_string().contains(needle),
                "{err} should mention {needle}"
            );
        };
        let base = |blocks: &str| {
            format!(r#"{{"slug":"x","title":"t","summary":"s","keys":[],"blocks":{blocks}}}"#)
        };
        check(&base("[]"), "at least one cell");
        check(
            &base(
                r#"[{"kind":"cell","id":"a","title":"A","action":"request_token","language":"javascript","code":"{{NOPE}}","implementation_hidden":false}]"#,
            ),
            "NOPE",
        );
        check(
            &base(
                r#"[{"kind":"cell","id":"a","title":"A","action":"request_token","language":"javascript","code":"one","implementation_hidden":false},{"kind":"explanation","items":[{"from":1,"to":4,"text":"x"}]}]"#,
            ),
            "points outside",
        );
        check(&base(r#"[{"kind":"video"}]"#), "unknown variant");
        check(
            r#"{"slug":"y","title":"t","summary":"s","keys":[],"blocks":[{"kind":"cell","id":"a","title":"A","action":"request_token","language":"javascript","code":"x","implementation_hidden":false}]}"#,
            "match the file name",
        );
    }
}

//! The lesson model and its loading from the embedded `content/*.json` files (pure).

use sandbox::json::{Map, Value};

use crate::html::escape;
use crate::keys;

include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// One lesson, as written in a content file.
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
pub struct KeySpec {
    /// Placeholder name used as `{{NAME}}` in code.
    pub name: String,
    /// Visible label of the input.
    pub label: String,
    /// Masked input, never rendered in clear inside code.
    pub secret: bool,
}

/// A piece of the lesson.
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellAction {
    /// The client-credentials request written in the cell.
    RequestToken,
    /// `GET /v1/tracks/{id}` with the saved token.
    ValidateToken,
}

/// "Lines 3–5: …"
#[derive(Clone, Debug, PartialEq)]
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

/// A run of the page: the prose between cells as one piece of markup, or a cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Prose(String),
    Cell(Cell),
}

/// The blocks as parts: consecutive prose blocks are joined into one piece of markup (static
/// text is far smaller in the bundle as markup than as views), each cell stays a cell.
pub fn parts(blocks: impl IntoIterator<Item = Block>) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    for block in blocks {
        let markup = match block {
            Block::Cell(cell) => {
                parts.push(Part::Cell(cell));
                continue;
            }
            Block::Heading { text } => format!("<h2>{}</h2>", escape(&text)),
            Block::Paragraph { text } => format!("<p>{}</p>", escape(&text)),
            Block::Note { text } => format!(
                r#"<aside class="note"><strong>Note: </strong>{}</aside>"#,
                escape(&text)
            ),
            Block::Explanation { items } => {
                let mut list = r#"<ul class="explanation">"#.to_owned();
                for item in items {
                    list.push_str(&format!(
                        "<li><strong>{}: </strong>{}</li>",
                        item.label(),
                        escape(&item.text)
                    ));
                }
                list + "</ul>"
            }
        };
        match parts.last_mut() {
            Some(Part::Prose(prose)) => prose.push_str(&markup),
            _ => parts.push(Part::Prose(markup)),
        }
    }
    parts
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
    /// Parses one content file. Checks of the content's meaning are in [`Lesson::problems`],
    /// which the tests run over every file, so the page does not repeat them at start-up.
    pub fn parse(file: &str, json: &str) -> Result<Lesson, ContentError> {
        let error = |problem| ContentError {
            file: file.to_owned(),
            problems: vec![problem],
        };
        let value = Value::parse(json).map_err(|e| error(e.to_string()))?;
        read_lesson(&value).map_err(error)
    }

    /// Parses one content file and checks it: what the content test runs.
    pub fn parse_and_check(file: &str, json: &str) -> Result<Lesson, ContentError> {
        let lesson = Self::parse(file, json)?;
        let problems = lesson.problems(file);
        if problems.is_empty() {
            Ok(lesson)
        } else {
            Err(ContentError {
                file: file.to_owned(),
                problems,
            })
        }
    }

    /// The cells in lesson order.
    pub fn cells(&self) -> impl Iterator<Item = &Cell> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Cell(c) => Some(c),
            _ => None,
        })
    }

    /// What is wrong with the lesson's content, if anything.
    pub fn problems(&self, file: &str) -> Vec<String> {
        let mut problems = Vec::new();
        if file.strip_suffix(".json") != Some(self.slug.as_str()) {
            problems.push(format!("slug `{}` must match the file name", self.slug));
        }
        let cells: Vec<&Cell> = self.cells().collect();
        if cells.is_empty() {
            problems.push("a lesson needs at least one cell".into());
        }
        for (i, cell) in cells.iter().enumerate() {
            if cells[..i].iter().any(|c| c.id == cell.id) {
                problems.push(format!("cell id `{}` is used twice", cell.id));
            }
        }
        for cell in &cells {
            for name in keys::placeholders(&cell.code) {
                if !self.keys.iter().any(|k| k.name == name) && name != keys::ACCESS_TOKEN {
                    problems.push(format!(
                        "cell `{}` uses {{{{{name}}}}}, which the lesson does not declare",
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
                        "explanation \"{}\" points outside cell `{}` ({lines} lines)",
                        item.label(),
                        cell.id
                    ));
                }
            }
        }
        problems
    }
}

// Content is read from a JSON `Value` by hand: the page needs `Value` anyway, and serde's
// derived deserializers (tagged enums especially) cost the bundle about 10 KB gzip.

/// An object whose fields must all be known.
struct Fields<'a> {
    what: String,
    map: &'a Map,
}

impl<'a> Fields<'a> {
    fn new(what: impl Into<String>, value: &'a Value, known: &[&str]) -> Result<Self, String> {
        let what = what.into();
        let map = value
            .as_object()
            .ok_or_else(|| format!("{what} must be an object"))?;
        if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(format!("{what} has an unknown field `{unknown}`"));
        }
        Ok(Self { what, map })
    }

    fn get(&self, name: &str) -> Result<&'a Value, String> {
        self.map
            .get(name)
            .ok_or_else(|| format!("{} is missing `{name}`", self.what))
    }

    fn text(&self, name: &str) -> Result<String, String> {
        self.get(name)?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{}.{name} must be a string", self.what))
    }

    fn number(&self, name: &str) -> Result<usize, String> {
        self.get(name)?
            .as_u64()
            .map(|n| n as usize)
            .ok_or_else(|| format!("{}.{name} must be a whole number", self.what))
    }

    fn flag(&self, name: &str) -> Result<bool, String> {
        self.get(name)?
            .as_bool()
            .ok_or_else(|| format!("{}.{name} must be true or false", self.what))
    }

    fn list(&self, name: &str) -> Result<&'a Vec<Value>, String> {
        self.get(name)?
            .as_array()
            .ok_or_else(|| format!("{}.{name} must be a list", self.what))
    }
}

fn read_lesson(value: &Value) -> Result<Lesson, String> {
    let f = Fields::new(
        "the lesson",
        value,
        &["slug", "title", "summary", "keys", "blocks"],
    )?;
    let mut keys = Vec::new();
    for (i, key) in f.list("keys")?.iter().enumerate() {
        let k = Fields::new(format!("keys[{i}]"), key, &["name", "label", "secret"])?;
        keys.push(KeySpec {
            name: k.text("name")?,
            label: k.text("label")?,
            secret: k.flag("secret")?,
        });
    }
    let mut blocks = Vec::new();
    for (i, block) in f.list("blocks")?.iter().enumerate() {
        blocks.push(read_block(i, block)?);
    }
    Ok(Lesson {
        slug: f.text("slug")?,
        title: f.text("title")?,
        summary: f.text("summary")?,
        keys,
        blocks,
    })
}

fn read_block(index: usize, value: &Value) -> Result<Block, String> {
    let what = format!("blocks[{index}]");
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{what} needs a string `kind`"))?;
    Ok(match kind {
        "heading" | "paragraph" | "note" => {
            let text = Fields::new(what, value, &["kind", "text"])?.text("text")?;
            match kind {
                "heading" => Block::Heading { text },
                "paragraph" => Block::Paragraph { text },
                _ => Block::Note { text },
            }
        }
        "explanation" => {
            let f = Fields::new(what.clone(), value, &["kind", "items"])?;
            let mut items = Vec::new();
            for (i, item) in f.list("items")?.iter().enumerate() {
                let e = Fields::new(format!("{what}.items[{i}]"), item, &["from", "to", "text"])?;
                items.push(ExplanationItem {
                    from: e.number("from")?,
                    to: e.number("to")?,
                    text: e.text("text")?,
                });
            }
            Block::Explanation { items }
        }
        "cell" => {
            let known = [
                "kind",
                "id",
                "title",
                "action",
                "language",
                "code",
                "implementation_hidden",
            ];
            let f = Fields::new(what.clone(), value, &known)?;
            let action = match f.text("action")?.as_str() {
                "request_token" => CellAction::RequestToken,
                "validate_token" => CellAction::ValidateToken,
                other => {
                    return Err(format!(
                        "{what}: unknown action `{other}` (request_token or validate_token)"
                    ))
                }
            };
            Block::Cell(Cell {
                id: f.text("id")?,
                title: f.text("title")?,
                action,
                language: f.text("language")?,
                code: f.text("code")?,
                implementation_hidden: f.flag("implementation_hidden")?,
            })
        }
        other => {
            return Err(format!(
                "{what}: unknown kind `{other}` (heading, paragraph, note, cell or explanation)"
            ))
        }
    })
}

/// The first embedded lesson, parsed (the tests check every file in full).
pub fn first() -> Result<Lesson, ContentError> {
    let (file, json) = LESSON_SOURCES.first().ok_or_else(|| ContentError {
        file: "content/".to_owned(),
        problems: vec!["no lesson file is embedded in this build".to_owned()],
    })?;
    Lesson::parse(file, json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_content_file_is_a_valid_lesson() {
        assert!(!LESSON_SOURCES.is_empty());
        for (file, json) in LESSON_SOURCES {
            if let Err(e) = Lesson::parse_and_check(file, json) {
                panic!("content error: {e}");
            }
        }
    }

    #[test]
    fn the_token_lesson_follows_the_course() {
        let (file, json) = LESSON_SOURCES
            .iter()
            .find(|(file, _)| *file == "obtain-client-credential-access-token.json")
            .expect("the lesson is embedded");
        let lesson = Lesson::parse_and_check(file, json).expect("valid content");
        assert_eq!(
            first().expect("parses").slug,
            lesson.slug,
            "the page shows this lesson"
        );
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
            let err = Lesson::parse_and_check("x.json", json).expect_err("invalid");
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
        check(&base(r#"[{"kind":"video"}]"#), "unknown kind `video`");
        check(
            &base(r#"[{"kind":"note","text":"x","colour":"red"}]"#),
            "unknown field `colour`",
        );
        check(&base(r#"[{"kind":"note"}]"#), "missing `text`");
        check(
            r#"{"slug":"y","title":"t","summary":"s","keys":[],"blocks":[{"kind":"cell","id":"a","title":"A","action":"request_token","language":"javascript","code":"x","implementation_hidden":false}]}"#,
            "match the file name",
        );
    }

    #[test]
    fn prose_between_cells_becomes_one_escaped_piece_of_markup() {
        let cell = |id: &str| Cell {
            id: id.into(),
            title: id.into(),
            action: CellAction::ValidateToken,
            language: "javascript".into(),
            code: String::new(),
            implementation_hidden: false,
        };
        let blocks = vec![
            Block::Heading {
                text: "A & B".into(),
            },
            Block::Paragraph {
                text: "<script>".into(),
            },
            Block::Cell(cell("one")),
            Block::Explanation {
                items: vec![ExplanationItem {
                    from: 1,
                    to: 2,
                    text: "x < y".into(),
                }],
            },
            Block::Note { text: "n".into() },
            Block::Cell(cell("two")),
        ];
        assert_eq!(
            parts(blocks),
            vec![
                Part::Prose("<h2>A &amp; B</h2><p>&lt;script&gt;</p>".into()),
                Part::Cell(cell("one")),
                Part::Prose(concat!(
                    r#"<ul class="explanation"><li><strong>Lines 1–2: </strong>x &lt; y</li></ul>"#,
                    r#"<aside class="note"><strong>Note: </strong>n</aside>"#
                ).into()),
                Part::Cell(cell("two")),
            ]
        );
    }
}

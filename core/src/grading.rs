//! What the server must see before a graded lesson counts as done (docs/lti.md, "What a
//! score means"). Pure: the server feeds it what it answered; the page never links it.
//!
//! Each cell of the lesson becomes one [`Requirement`], read from the lesson's file as the
//! page reads it:
//! - the token cell: a token issued by the token endpoint to this launch's session;
//! - the validate cell: its hidden request (`GET /v1/tracks/{id}`) answered 200 with a token
//!   of this session;
//! - a run cell: a call to the endpoint its code names (`new URL('https://api.spotify.com/…')`,
//!   a `{{KEY}}` standing for one path segment) answered 200 with a token of this session.
//!   Cells that name the same endpoint (a search and its next page) each need their own
//!   call: the same URL is not counted twice.

use serde::{Deserialize, Serialize};

use crate::lesson::{CellAction, Lesson};
use crate::request::validation_request;

/// The start of every Web API URL a run cell may name.
const API_ORIGIN: &str = "https://api.spotify.com";

/// What one cell needs the server to see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Need {
    /// The token endpoint issued a token to the session.
    TokenIssued,
    /// A Web API call whose path matches, segment by segment (`None`: any one segment),
    /// answered 200 with a token issued to the session.
    Call(Vec<Option<String>>),
}

/// One cell's requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub cell: String,
    pub need: Need,
}

/// What the server answered, as far as grading goes: only answers with status 200 count, and
/// a call only with a token the token endpoint issued to the same session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observed<'a> {
    TokenIssued,
    /// The full URL of the call (`https://api.spotify.com/v1/…?…`).
    Call(&'a str),
}

/// A cell the server has seen done, and by which URL (none for a token). Kept per session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub cell: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// The lesson's requirements, one per cell in lesson order; `Err` names a run cell whose code
/// names no Web API URL (the build refuses such a lesson, see [`problems`]).
pub fn requirements(lesson: &Lesson) -> Result<Vec<Requirement>, String> {
    lesson
        .cells()
        .map(|cell| {
            let need = match cell.action {
                CellAction::RequestToken => Need::TokenIssued,
                CellAction::ValidateToken => {
                    Need::Call(template(&validation_request("").url).unwrap_or_default())
                }
                CellAction::Run => Need::Call(endpoint_of(&cell.code).ok_or_else(|| {
                    format!(
                        "cell `{}` names no Web API URL ('{API_ORIGIN}/…') in its code, so a graded launch cannot recognise its call",
                        cell.id
                    )
                })?),
            };
            Ok(Requirement {
                cell: cell.id.clone(),
                need,
            })
        })
        .collect()
}

/// What keeps the lesson from being graded, if anything (checked by the build).
pub fn problems(lesson: &Lesson) -> Vec<String> {
    requirements(lesson).err().into_iter().collect()
}

/// The path template of the first Web API URL written in quotes in `code`.
fn endpoint_of(code: &str) -> Option<Vec<Option<String>>> {
    let start = code.find(API_ORIGIN)?;
    let quote = code[..start].chars().next_back()?;
    if !matches!(quote, '\'' | '"' | '`') {
        return None;
    }
    let rest = &code[start..];
    let end = rest.find(quote)?;
    template(&rest[..end])
}

/// A URL's path as segments, `{{KEY}}` segments as `None`; the query is left out.
fn template(url: &str) -> Option<Vec<Option<String>>> {
    let path = url.strip_prefix(API_ORIGIN)?.split(['?', '#']).next()?;
    Some(
        path.split('/')
            .skip(1)
            .map(|segment| (!segment.contains("{{")).then(|| segment.to_owned()))
            .collect(),
    )
}

fn matches(template: &[Option<String>], url: &str) -> bool {
    let Some(path) = url
        .strip_prefix(API_ORIGIN)
        .and_then(|rest| rest.split(['?', '#']).next())
    else {
        return false;
    };
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    segments.len() == template.len()
        && segments.iter().zip(template).all(|(s, t)| match t {
            Some(fixed) => s == fixed,
            None => !s.is_empty(),
        })
}

/// Records what the server answered. Returns the cell it counts for, if it counts for one
/// not seen before: the first such cell in lesson order, and for a call, only if no cell has
/// been seen with the same URL.
pub fn observe(
    requirements: &[Requirement],
    seen: &mut Vec<Seen>,
    observed: Observed,
) -> Option<String> {
    let url = match observed {
        Observed::TokenIssued => None,
        Observed::Call(url) => Some(url),
    };
    if url.is_some_and(|url| seen.iter().any(|s| s.url.as_deref() == Some(url))) {
        return None;
    }
    let cell = requirements.iter().find(|r| {
        !seen.iter().any(|s| s.cell == r.cell)
            && match (&r.need, url) {
                (Need::TokenIssued, None) => true,
                (Need::Call(template), Some(url)) => matches(template, url),
                _ => false,
            }
    })?;
    seen.push(Seen {
        cell: cell.cell.clone(),
        url: url.map(str::to_owned),
    });
    Some(cell.cell.clone())
}

/// Whether every requirement has been seen.
pub fn complete(requirements: &[Requirement], seen: &[Seen]) -> bool {
    requirements
        .iter()
        .all(|r| seen.iter().any(|s| s.cell == r.cell))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(file: &str) -> Lesson {
        let path = format!("{}/../content/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect(&path);
        serde_json::from_str(&text).expect(file)
    }

    const TRACK: &str = "https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V";

    #[test]
    fn every_lesson_of_the_course_can_be_graded() {
        let dir = format!("{}/../content", env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        assert_eq!(files.len(), 5);
        for file in files {
            let lesson = lesson(&file);
            let reqs = requirements(&lesson).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(reqs.len(), lesson.cells().count(), "{file}");
        }
    }

    #[test]
    fn requirements_come_from_the_cells() {
        let calls = |file: &str| -> Vec<(String, Need)> {
            requirements(&lesson(file))
                .unwrap()
                .into_iter()
                .map(|r| (r.cell, r.need))
                .collect()
        };
        let path = |segments: &[Option<&str>]| {
            Need::Call(segments.iter().map(|s| s.map(str::to_owned)).collect())
        };
        assert_eq!(
            calls("01-token.json"),
            [
                ("token".into(), Need::TokenIssued),
                (
                    "validate".into(),
                    path(&[Some("v1"), Some("tracks"), Some("2TpxZ7JUBn3uw46aR7qd6V")])
                ),
            ]
        );
        assert_eq!(
            calls("04-artist-albums.json"),
            [
                (
                    "artist-albums".into(),
                    path(&[Some("v1"), Some("artists"), None, Some("albums")])
                ),
                (
                    "appears-on".into(),
                    path(&[Some("v1"), Some("artists"), None, Some("albums")])
                ),
            ]
        );
    }

    #[test]
    fn a_run_cell_without_an_endpoint_cannot_be_graded() {
        let mut broken = lesson("03-artist.json");
        for block in &mut broken.blocks {
            if let crate::lesson::Block::Cell(cell) = block {
                cell.code = "fetch(someUrl)".into();
            }
        }
        let problems = problems(&broken);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("cell `artist`"), "{problems:?}");
        assert!(super::problems(&lesson("03-artist.json")).is_empty());
    }

    #[test]
    fn observations_count_once_per_cell_and_per_url() {
        let albums = "https://api.spotify.com/v1/artists/0TnOYISbd1XYRBk9myaseg/albums";
        let token_lesson = requirements(&lesson("01-token.json")).unwrap();
        let albums_lesson = requirements(&lesson("04-artist-albums.json")).unwrap();
        // (lesson, what the server answered in order, the cell each counts for, complete)
        type Case<'a> = (
            &'a [Requirement],
            Vec<Observed<'a>>,
            Vec<Option<&'a str>>,
            bool,
        );
        let first = format!("{albums}?include_groups=album,single&limit=5&offset=0");
        let second = format!("{albums}?include_groups=appears_on&limit=5&offset=0");
        let cases: Vec<Case> = vec![
            (
                &token_lesson,
                vec![Observed::TokenIssued, Observed::Call(TRACK)],
                vec![Some("token"), Some("validate")],
                true,
            ),
            // The validate call alone, or a token twice: not done.
            (
                &token_lesson,
                vec![Observed::Call(TRACK)],
                vec![Some("validate")],
                false,
            ),
            (
                &token_lesson,
                vec![Observed::TokenIssued, Observed::TokenIssued],
                vec![Some("token"), None],
                false,
            ),
            // Another track, another endpoint, or another origin: not the validate call.
            (
                &token_lesson,
                vec![
                    Observed::TokenIssued,
                    Observed::Call("https://api.spotify.com/v1/tracks/other"),
                    Observed::Call("https://api.spotify.com/v1/search?q=x"),
                    Observed::Call("https://evil.example/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V"),
                ],
                vec![Some("token"), None, None, None],
                false,
            ),
            // Two cells on one endpoint: two different calls are needed.
            (
                &albums_lesson,
                vec![Observed::Call(&first), Observed::Call(&first)],
                vec![Some("artist-albums"), None],
                false,
            ),
            (
                &albums_lesson,
                vec![Observed::Call(&first), Observed::Call(&second)],
                vec![Some("artist-albums"), Some("appears-on")],
                true,
            ),
            // A missing segment does not match `{{ARTIST_ID}}`; a token counts for no call.
            (
                &albums_lesson,
                vec![
                    Observed::Call("https://api.spotify.com/v1/artists//albums"),
                    Observed::TokenIssued,
                ],
                vec![None, None],
                false,
            ),
        ];
        for (i, (reqs, observed, want, done)) in cases.into_iter().enumerate() {
            let mut seen = Vec::new();
            let got: Vec<Option<String>> = observed
                .into_iter()
                .map(|o| observe(reqs, &mut seen, o))
                .collect();
            let want: Vec<Option<String>> =
                want.into_iter().map(|w| w.map(str::to_owned)).collect();
            assert_eq!(got, want, "case {i}");
            assert_eq!(complete(reqs, &seen), done, "case {i}");
        }
    }
}

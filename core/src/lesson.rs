//! The lesson model, as written in `content/*.json`, and the checks every lesson must pass.
//!
//! The page's build script reads each content file with serde, runs [`Lesson::problems`] and
//! fails the build on any problem; it then hands the page the course's outline. The page
//! loads and reads the shown lesson's file when it starts. docs/lessons.md describes the file
//! format for authors.

use serde::{Deserialize, Serialize};

use crate::html::{escape, Markup};
use crate::keys::{self, surrounding_whitespace, KeyHint, KeyValues, ACCESS_TOKEN};

/// One lesson, as written in a content file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Stable identifier, used in `?lesson=`. The file is named `<NN>-<id>.json`, where the
    /// number gives the lesson's place in the course.
    pub id: String,
    pub title: String,
    /// One-sentence summary shown under the title.
    pub summary: String,
    /// Keys this lesson introduces to the course, in display order: typed by the learner,
    /// or saved from a cell's output (see [`KeySave`]).
    #[serde(default)]
    pub keys: Vec<KeySpec>,
    /// The progress list above the lesson, in order.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Prose and cells, in the lesson's order.
    pub blocks: Vec<Block>,
}

/// A key the learner types, such as a client id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    /// Placeholder name used as `{{NAME}}` in code.
    pub name: String,
    /// Visible label of the input.
    pub label: String,
    /// Masked in the keys panel and in everything the page shows.
    pub secret: bool,
    /// The value "Use sandbox credentials" fills in, if the sandbox has one for this key.
    #[serde(default)]
    pub sandbox: Option<String>,
    /// The token endpoint's `error_description` that whitespace around this key's value
    /// typically causes (such as "Invalid client secret"): the explanation then points at it.
    #[serde(default)]
    pub suspect_for: Option<String>,
}

/// One entry of the progress list.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub label: String,
    pub done_when: Condition,
}

/// When a step counts as done. Written in the file as `"keys"`, `"token_received"`,
/// `"token_saved"`, `"cell:<id>"` or `"key:<NAME>"`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Condition {
    /// Every key of the lesson has a value that is not blank.
    Keys,
    /// A run got a token (saved or not).
    TokenReceived,
    /// A token is saved.
    TokenSaved,
    /// The cell with this id finished with a good outcome.
    Cell(String),
    /// The key with this name has a value that is not blank.
    Key(String),
}

impl TryFrom<String> for Condition {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Ok(match text.as_str() {
            "keys" => Condition::Keys,
            "token_received" => Condition::TokenReceived,
            "token_saved" => Condition::TokenSaved,
            _ => match (text.strip_prefix("cell:"), text.strip_prefix("key:")) {
                (Some(id), _) if !id.is_empty() => Condition::Cell(id.to_owned()),
                (_, Some(name)) if !name.is_empty() => Condition::Key(name.to_owned()),
                _ => {
                    return Err(format!(
                "unknown step condition `{text}` (keys, token_received, token_saved, cell:<id> or key:<NAME>)"
            ))
                }
            },
        })
    }
}

/// What the page knows of the learner's progress, to tick off steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress<'a> {
    pub keys_filled: bool,
    pub token_received: bool,
    pub token_saved: bool,
    /// Ids of the cells whose last run had a good outcome.
    pub done_cells: &'a [String],
    /// Names of the keys that have a value.
    pub filled_keys: &'a [String],
}

impl Condition {
    /// Whether the condition holds.
    pub fn holds(&self, progress: &Progress) -> bool {
        match self {
            Condition::Keys => progress.keys_filled,
            Condition::TokenReceived => progress.token_received || progress.token_saved,
            Condition::TokenSaved => progress.token_saved,
            Condition::Cell(id) => progress.done_cells.iter().any(|c| c == id),
            Condition::Key(name) => progress.filled_keys.iter().any(|k| k == name),
        }
    }
}

/// A piece of the lesson. In the file, one record: a `kind` and that kind's members.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "BlockRecord")]
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

/// A block as written: its kind, and every member some kind uses. Read as one flat record,
/// because serde reads a `kind`-tagged enum by buffering each block first, which cost the
/// page about 20 KB before optimization (docs/benchmarks.md). [`Block::try_from`] checks
/// that the kind has the members it needs and none that another kind uses.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockRecord {
    kind: BlockKind,
    text: Option<String>,
    items: Option<Vec<ExplanationItem>>,
    id: Option<String>,
    title: Option<String>,
    action: Option<CellAction>,
    language: Option<String>,
    code: Option<String>,
    implementation_hidden: Option<bool>,
    saves: Option<Vec<KeySave>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum BlockKind {
    Heading,
    Paragraph,
    Note,
    Cell,
    Explanation,
}

/// A member the block needs, or what is missing.
fn needed<T>(value: Option<T>, member: &str, kind: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("missing field `{member}` in a block of kind `{kind}`"))
}

impl TryFrom<BlockRecord> for Block {
    type Error = String;

    fn try_from(r: BlockRecord) -> Result<Block, String> {
        let kind = match r.kind {
            BlockKind::Heading => "heading",
            BlockKind::Paragraph => "paragraph",
            BlockKind::Note => "note",
            BlockKind::Cell => "cell",
            BlockKind::Explanation => "explanation",
        };
        let cell_members = [
            ("id", r.id.is_some()),
            ("title", r.title.is_some()),
            ("action", r.action.is_some()),
            ("language", r.language.is_some()),
            ("code", r.code.is_some()),
            ("implementation_hidden", r.implementation_hidden.is_some()),
            ("saves", r.saves.is_some()),
        ];
        let members = [("text", r.text.is_some()), ("items", r.items.is_some())];
        let allowed: &[&str] = match r.kind {
            BlockKind::Heading | BlockKind::Paragraph | BlockKind::Note => &["text"],
            BlockKind::Explanation => &["items"],
            BlockKind::Cell => &[
                "id",
                "title",
                "action",
                "language",
                "code",
                "implementation_hidden",
                "saves",
            ],
        };
        let stray = members
            .iter()
            .chain(&cell_members)
            .find(|(name, present)| *present && !allowed.contains(name));
        if let Some((name, _)) = stray {
            return Err(format!(
                "unknown field `{name}` in a block of kind `{kind}`"
            ));
        }
        Ok(match r.kind {
            BlockKind::Heading => Block::Heading {
                text: needed(r.text, "text", kind)?,
            },
            BlockKind::Paragraph => Block::Paragraph {
                text: needed(r.text, "text", kind)?,
            },
            BlockKind::Note => Block::Note {
                text: needed(r.text, "text", kind)?,
            },
            BlockKind::Explanation => Block::Explanation {
                items: needed(r.items, "items", kind)?,
            },
            BlockKind::Cell => Block::Cell(Cell {
                id: needed(r.id, "id", kind)?,
                title: needed(r.title, "title", kind)?,
                action: needed(r.action, "action", kind)?,
                language: needed(r.language, "language", kind)?,
                code: needed(r.code, "code", kind)?,
                implementation_hidden: needed(
                    r.implementation_hidden,
                    "implementation_hidden",
                    kind,
                )?,
                saves: r.saves.unwrap_or_default(),
            }),
        })
    }
}

/// A runnable code cell (a block of kind `cell`).
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
    /// Keys a good run can fill from the answer, offered in a dialog (none when absent).
    pub saves: Vec<KeySave>,
}

/// A key that a cell's answer can fill: the learner picks one item of a list in the answer,
/// and the key takes one of its members. `{"key": "ARTIST_ID", "list": "artists.items",
/// "value": "id", "name": "name"}` offers every artist the search found, by name, and saves
/// the chosen one's id (the first is preselected).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySave {
    /// The key to fill, declared in the same lesson.
    pub key: String,
    /// Dotted path from the answer's root to an array, such as `artists.items`.
    pub list: String,
    /// The member of each item that becomes the key's value.
    pub value: String,
    /// The member of each item that names it in the dialog.
    pub name: String,
}

/// One item a [`KeySave`] offers: the value to save and the name to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub name: String,
}

/// What a run's answer offers to save as a key: the page hands it to the "Save <KEY>"
/// dialog, which lives in the on-demand module (serde, to cross modules).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyOffer {
    pub key: String,
    /// The answer's items, in order; the first is preselected.
    pub choices: Vec<Choice>,
}

impl KeySave {
    /// The items of the answer's list that have a text value, in order. An answer that is
    /// not JSON, or has no such list, offers nothing.
    pub fn choices(&self, body: &str) -> Vec<Choice> {
        let Ok(root) = serde_json::from_str::<serde_json::Value>(body) else {
            return Vec::new();
        };
        let list = self
            .list
            .split('.')
            .try_fold(&root, |value, member| value.get(member))
            .and_then(|v| v.as_array());
        list.into_iter()
            .flatten()
            .filter_map(|item| {
                let value = item.get(&self.value)?.as_str()?.to_owned();
                let name = item
                    .get(&self.name)
                    .and_then(|n| n.as_str())
                    .unwrap_or(&value)
                    .to_owned();
                Some(Choice { value, name })
            })
            .collect()
    }
}

/// What pressing Run in a cell does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellAction {
    /// The cell's code, as edited, runs in a worker; a printed token is offered for saving.
    RequestToken,
    /// `GET /v1/tracks/{id}` with the saved token.
    ValidateToken,
    /// The cell's code, as edited, runs in a worker; Spotify's answer is explained, and the
    /// cell's `saves` are offered.
    Run,
}

/// "Lines 3–5: …"
#[derive(Clone, Debug, PartialEq, Deserialize)]
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

/// The values of the keys marked secret, as typed: masked wherever the page shows them.
pub fn secret_values(specs: &[KeySpec], values: &KeyValues) -> Vec<String> {
    specs
        .iter()
        .filter(|s| s.secret)
        .filter_map(|s| values.get(&s.name).map(str::to_owned))
        .collect()
}

/// The hints for every key the lesson marks as a suspect whose value has whitespace around
/// it. Values themselves never leave this function.
pub fn hints(specs: &[KeySpec], values: &KeyValues) -> Vec<KeyHint> {
    specs
        .iter()
        .filter_map(|spec| {
            let suspect_for = spec.suspect_for.clone()?;
            let whitespace = surrounding_whitespace(values.get(&spec.name)?)?;
            Some(KeyHint {
                label: spec.label.clone(),
                whitespace,
                suspect_for,
            })
        })
        .collect()
}

/// A run of the page: the prose between cells as one piece of markup, or a cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Prose(Markup),
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
            Block::Heading { text } => escape(&text).wrap("<h2>", "</h2>"),
            Block::Paragraph { text } => escape(&text).wrap("<p>", "</p>"),
            Block::Note { text } => {
                escape(&text).wrap(r#"<aside class="note"><strong>Note: </strong>"#, "</aside>")
            }
            Block::Explanation { items } => items
                .iter()
                .map(|item| {
                    [
                        Markup::from_static("<li><strong>"),
                        escape(&item.label()),
                        Markup::from_static(": </strong>"),
                        escape(&item.text),
                        Markup::from_static("</li>"),
                    ]
                    .into_iter()
                    .collect::<Markup>()
                })
                .collect::<Markup>()
                .wrap(r#"<ul class="explanation">"#, "</ul>"),
        };
        match parts.last_mut() {
            Some(Part::Prose(prose)) => prose.push(markup),
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
    /// The title of the lesson's page (the document's `<title>`).
    pub fn document_title(&self) -> String {
        format!("{} · Spotify Web API playground", self.title)
    }

    /// The cells in lesson order.
    pub fn cells(&self) -> impl Iterator<Item = &Cell> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Cell(c) => Some(c),
            _ => None,
        })
    }

    /// The key declared under `name`.
    pub fn key(&self, name: &str) -> Option<&KeySpec> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// What is wrong with the lesson's content on its own, if anything. `file` is the
    /// content file's name, which must be `<NN>-<id>.json`. [`course_problems`] checks what
    /// lessons share.
    pub fn problems(&self, file: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let named = file
            .strip_suffix(".json")
            .and_then(|stem| stem.split_once('-'))
            .is_some_and(|(number, id)| {
                !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) && id == self.id
            });
        if !named {
            problems.push(format!(
                "the file of lesson `{}` must be named <number>-{}.json",
                self.id, self.id
            ));
        }
        if self.id.is_empty()
            || !self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            problems.push(format!(
                "lesson id `{}` must be written in a-z, 0-9 and -",
                self.id
            ));
        }
        for (i, key) in self.keys.iter().enumerate() {
            let well_formed = !key.name.is_empty()
                && key
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            if !well_formed {
                problems.push(format!(
                    "key `{}` must be written in A-Z, 0-9 and _ to be a {{{{PLACEHOLDER}}}}",
                    key.name
                ));
            }
            if key.name == ACCESS_TOKEN {
                problems.push(format!(
                    "key `{ACCESS_TOKEN}` is the saved token, which every lesson has: do not declare it"
                ));
            }
            if self.keys[..i].iter().any(|k| k.name == key.name) {
                problems.push(format!("key `{}` is declared twice", key.name));
            }
        }
        let cells: Vec<&Cell> = self.cells().collect();
        if cells.is_empty() {
            problems.push("a lesson needs at least one cell".into());
        }
        for (i, cell) in cells.iter().enumerate() {
            if cells[..i].iter().any(|c| c.id == cell.id) {
                problems.push(format!("cell id `{}` is used twice", cell.id));
            }
            for save in &cell.saves {
                if self.key(&save.key).is_none() {
                    problems.push(format!(
                        "cell `{}` saves `{}`, which the lesson does not declare",
                        cell.id, save.key
                    ));
                }
                if cell.action != CellAction::Run {
                    problems.push(format!(
                        "cell `{}` saves keys, which only a `run` cell can",
                        cell.id
                    ));
                }
            }
        }
        for step in &self.steps {
            if let Condition::Cell(id) = &step.done_when {
                if !cells.iter().any(|c| &c.id == id) {
                    problems.push(format!(
                        "step \"{}\" waits for cell `{id}`, which the lesson does not have",
                        step.label
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

    /// Checks the lesson; the error lists every problem.
    pub fn check(self, file: &str) -> Result<Lesson, ContentError> {
        let problems = self.problems(file);
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(ContentError {
                file: file.to_owned(),
                problems,
            })
        }
    }
}

impl Lesson {
    /// Whether every cell of the lesson has had a good run.
    pub fn is_done(&self, done_cells: &[String]) -> bool {
        self.cells().all(|c| done_cells.contains(&c.id))
    }

    /// The keys this lesson's cells save.
    pub fn saves(&self) -> impl Iterator<Item = &KeySave> {
        self.cells().flat_map(|c| c.saves.iter())
    }

    /// The keys the learner types for this lesson: those it declares and no cell saves (its
    /// "keys" step waits for them).
    pub fn typed_keys(&self) -> Vec<String> {
        self.keys
            .iter()
            .filter(|k| !self.saves().any(|s| s.key == k.name))
            .map(|k| k.name.clone())
            .collect()
    }
}

/// The lesson (by index) whose cells give `key` a value: the one that saves it from an answer,
/// or for `ACCESS_TOKEN`, the one with the token cell. `None` for keys the learner types.
pub fn provider(lessons: &[Lesson], key: &str) -> Option<usize> {
    lessons.iter().position(|lesson| {
        if key == ACCESS_TOKEN {
            lesson.cells().any(|c| c.action == CellAction::RequestToken)
        } else {
            lesson.saves().any(|s| s.key == key)
        }
    })
}

/// The keys the token cell builds its Basic credential from, in order (client id, then
/// secret): what auto-renewal needs to send the first lesson's request again.
pub fn token_credentials(lessons: &[Lesson]) -> Option<(String, String)> {
    let cell = lessons
        .iter()
        .flat_map(Lesson::cells)
        .find(|c| c.action == CellAction::RequestToken)?;
    let names = keys::placeholders(&cell.code);
    match names.as_slice() {
        [id, secret, ..] => Some(((*id).to_owned(), (*secret).to_owned())),
        _ => None,
    }
}

/// A lesson as the course's outline knows it, before its file is loaded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outline {
    pub id: String,
    pub title: String,
    /// The content file's name, such as `02-search.json`.
    pub file: String,
    /// The keys the lesson declares.
    pub keys: Vec<KeySpec>,
}

/// What the page knows of the whole course at start-up: the lessons' outlines, who provides
/// each key, and the keys auto-renewal sends. The build writes it from the content files
/// with its derived serializer (`course.json` in the build's output); the page reads it with
/// the same derive, and loads only the shown lesson's file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Course {
    pub lessons: Vec<Outline>,
    /// For each key a lesson provides (the token, saved keys), that lesson's index.
    pub providers: Vec<(String, usize)>,
    /// The keys the token cell builds its credential from: client id, then secret.
    pub credentials: Option<(String, String)>,
}

impl Course {
    /// The course of these lessons, each with its file name, in course order.
    pub fn of(lessons: &[(String, Lesson)]) -> Course {
        let only: Vec<Lesson> = lessons.iter().map(|(_, l)| l.clone()).collect();
        let keys = only
            .iter()
            .flat_map(|l| l.keys.iter().map(|k| k.name.clone()))
            .chain([ACCESS_TOKEN.to_owned()]);
        Course {
            lessons: lessons
                .iter()
                .map(|(file, l)| Outline {
                    id: l.id.clone(),
                    title: l.title.clone(),
                    file: file.clone(),
                    keys: l.keys.clone(),
                })
                .collect(),
            providers: keys
                .filter_map(|key| Some((key.clone(), provider(&only, &key)?)))
                .collect(),
            credentials: token_credentials(&only),
        }
    }

    /// The keys the course has met by the lesson at `index`.
    pub fn keys_met(&self, index: usize) -> Vec<KeySpec> {
        self.lessons
            .iter()
            .take(index + 1)
            .flat_map(|l| l.keys.iter().cloned())
            .collect()
    }
}

/// What is wrong with the course as a whole (lessons in course order): ids are unique, and
/// each lesson uses only keys that it or an earlier lesson declares.
pub fn course_problems(lessons: &[Lesson]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut cell_ids: Vec<&str> = Vec::new();
    let mut key_names: Vec<&str> = Vec::new();
    for (index, lesson) in lessons.iter().enumerate() {
        if lessons[..index].iter().any(|l| l.id == lesson.id) {
            problems.push(format!("lesson id `{}` is used twice", lesson.id));
        }
        for key in &lesson.keys {
            if key_names.contains(&key.name.as_str()) {
                problems.push(format!(
                    "lesson `{}` declares `{}`, which an earlier lesson declares",
                    lesson.id, key.name
                ));
            }
            key_names.push(&key.name);
        }
        for cell in lesson.cells() {
            // Cell ids name stored code and Run buttons, so they are unique course-wide.
            if cell_ids.contains(&cell.id.as_str()) {
                problems.push(format!(
                    "cell id `{}` of lesson `{}` is used by an earlier lesson",
                    cell.id, lesson.id
                ));
            }
            cell_ids.push(&cell.id);
            for name in keys::placeholders(&cell.code) {
                let known = if name == ACCESS_TOKEN {
                    provider(&lessons[..=index], name).is_some()
                } else {
                    key_names.contains(&name)
                };
                if !known {
                    problems.push(format!(
                        "cell `{}` uses {{{{{name}}}}}, which neither lesson `{}` nor an earlier one provides",
                        cell.id, lesson.id
                    ));
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file in `content/`, as (file name, text).
    fn content_files() -> Vec<(String, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../content");
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .expect("content/ exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .map(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).expect("UTF-8 name");
                (
                    name.to_owned(),
                    std::fs::read_to_string(&p).expect("a text file"),
                )
            })
            .collect();
        files.sort();
        files
    }

    fn parse(file: &str, json: &str) -> Result<Lesson, ContentError> {
        serde_json::from_str::<Lesson>(json)
            .map_err(|e| ContentError {
                file: file.to_owned(),
                problems: vec![e.to_string()],
            })?
            .check(file)
    }

    #[test]
    fn every_content_file_is_a_valid_lesson() {
        let files = content_files();
        assert!(!files.is_empty());
        for (file, json) in &files {
            if let Err(e) = parse(file, json) {
                panic!("content error: {e}");
            }
        }
    }

    #[test]
    fn the_token_lesson_follows_the_course() {
        let (file, json) = content_files()
            .into_iter()
            .find(|(file, _)| file == "01-token.json")
            .expect("the lesson file exists");
        let lesson = parse(&file, &json).expect("valid content");
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
        // The code is the course's, to the character.
        assert_eq!(cells[0].code, COURSE_TOKEN_CODE);
        assert_eq!(
            cells[1].code,
            "validateToken() //A function that validate the client credentials access token"
        );
        // The explanation's line numbers point at the lines the course describes.
        let line = |n: usize| cells[0].code.lines().nth(n - 1).expect("line exists");
        assert!(line(1).contains("new URL('https://accounts.spotify.com/api/token')"));
        assert!(line(23).contains("await fetch(endpointUrl, options)"));
        assert!(line(24).contains("printResponse(response)"));
        assert_eq!(line(30), "fetchAccessToken();");
        // The keys the code uses are declared, with the sandbox's credentials to fill in.
        let names: Vec<_> = lesson.keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(keys::placeholders(&cells[0].code), names);
        let secret: Vec<_> = lesson.keys.iter().map(|k| k.secret).collect();
        assert_eq!(secret, [false, true]);
        let filled = |name: &str| lesson.key(name).and_then(|k| k.sandbox.clone());
        assert_eq!(
            filled(names[0]).as_deref(),
            Some(sandbox::SANDBOX_CLIENT_ID)
        );
        assert_eq!(
            filled(names[1]).as_deref(),
            Some(sandbox::SANDBOX_CLIENT_SECRET)
        );
        let suspects: Vec<_> = lesson
            .keys
            .iter()
            .map(|k| k.suspect_for.as_deref())
            .collect();
        assert_eq!(
            suspects,
            [Some("Invalid client"), Some("Invalid client secret")]
        );
        let steps: Vec<_> = lesson.steps.iter().map(|s| &s.done_when).collect();
        assert_eq!(
            steps,
            [
                &Condition::Keys,
                &Condition::TokenReceived,
                &Condition::TokenSaved,
                &Condition::Cell("validate".into())
            ]
        );
    }

    /// The course's token cell, as the course writes it.
    const COURSE_TOKEN_CODE: &str = "const endpointUrl = new URL('https://accounts.spotify.com/api/token');\n\nconst queryParameters = new URLSearchParams({\n    grant_type: 'client_credentials'\n});\n\nconst required_ids = Buffer.from('{{CLIENT_ID}}:{{CLIENT_SECRET}}');\nconst encoded = required_ids.toString('base64');\n\nheaderParameters = {\n    'Content-Type': 'application/x-www-form-urlencoded',\n    'Authorization': 'Basic '+encoded\n}\n\nconst options = {\n    method: 'POST',\n    headers: headerParameters\n};\n\nasync function fetchAccessToken() {\n    try {\n        endpointUrl.search = queryParameters;\n        const response = await fetch(endpointUrl, options);\n        printResponse(response);\n    } catch (error) {\n        printError(error);\n    }\n}\n\nfetchAccessToken();";

    #[test]
    fn invalid_content_is_reported_with_the_problem() {
        let check = |json: &str, needle: &str| {
            let err = parse("1-x.json", json).expect_err("invalid");
            assert!(
                err.to_string().contains(needle),
                "{err} should mention {needle}"
            );
        };
        let cell = r#"{"kind":"cell","id":"a","title":"A","action":"request_token","language":"javascript","code":"one","implementation_hidden":false}"#;
        let base = |keys: &str, blocks: &str| {
            format!(r#"{{"id":"x","title":"t","summary":"s","keys":{keys},"blocks":{blocks}}}"#)
        };
        let key = |name: &str| format!(r#"{{"name":"{name}","label":"L","secret":false}}"#);
        check(&base("[]", "[]"), "at least one cell");
        check(
            &base(
                "[]",
                &format!(
                    r#"[{cell},{{"kind":"explanation","items":[{{"from":1,"to":4,"text":"x"}}]}}]"#
                ),
            ),
            "points outside",
        );
        check(
            &base("[]", r#"[{"kind":"video"}]"#),
            "unknown variant `video`",
        );
        check(
            &base("[]", r#"[{"kind":"note","text":"x","colour":"red"}]"#),
            "unknown field `colour`",
        );
        check(&base("[]", r#"[{"kind":"note"}]"#), "missing field `text`");
        check(
            &base("[]", r#"[{"kind":"note","text":"x","items":[]}]"#),
            "unknown field `items` in a block of kind `note`",
        );
        check(
            &base(
                "[]",
                r#"[{"kind":"cell","id":"a","title":"A","action":"run","language":"js","implementation_hidden":false}]"#,
            ),
            "missing field `code` in a block of kind `cell`",
        );
        check(
            &base("[]", r#"[{"kind":"explanation","items":[],"code":"x"}]"#),
            "unknown field `code` in a block of kind `explanation`",
        );
        check(
            &base(
                &format!("[{},{}]", key("A"), key("A")),
                &format!("[{cell}]"),
            ),
            "declared twice",
        );
        check(
            &base(&format!("[{}]", key("client id")), &format!("[{cell}]")),
            "A-Z, 0-9 and _",
        );
        check(
            &base(&format!("[{}]", key("ACCESS_TOKEN")), &format!("[{cell}]")),
            "do not declare it",
        );
        check(
            &format!(
                r#"{{"id":"x","title":"t","summary":"s","keys":[],"steps":[{{"label":"S","done_when":"cell:b"}}],"blocks":[{cell}]}}"#
            ),
            "waits for cell `b`",
        );
        check(
            &format!(
                r#"{{"id":"x","title":"t","summary":"s","keys":[],"steps":[{{"label":"S","done_when":"never"}}],"blocks":[{cell}]}}"#
            ),
            "unknown step condition `never`",
        );
        check(
            &format!(r#"{{"id":"y","title":"t","summary":"s","keys":[],"blocks":[{cell}]}}"#),
            "must be named <number>-y.json",
        );
        check(
            &base(
                &format!("[{}]", key("A")),
                r#"[{"kind":"cell","id":"a","title":"A","action":"validate_token","language":"javascript","code":"x","implementation_hidden":false,"saves":[{"key":"A","list":"items","value":"id","name":"name"}]}]"#,
            ),
            "only a `run` cell",
        );
        check(
            &base(
                "[]",
                r#"[{"kind":"cell","id":"a","title":"A","action":"run","language":"javascript","code":"x","implementation_hidden":false,"saves":[{"key":"B","list":"items","value":"id","name":"name"}]}]"#,
            ),
            "saves `B`, which the lesson does not declare",
        );
    }

    /// The course as the build sees it: every content file, in course order.
    fn course() -> Vec<Lesson> {
        content_files()
            .iter()
            .map(|(file, json)| parse(file, json).expect("valid content"))
            .collect()
    }

    #[test]
    fn the_course_is_consistent_and_in_order() {
        let lessons = course();
        assert_eq!(course_problems(&lessons), Vec::<String>::new());
        let ids: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(
            ids,
            ["token", "search", "artist", "artist-albums", "album-tracks"]
        );
        // Who provides each key the chain needs: the token lesson the token, search the
        // artist, the artist's albums the album.
        let providers: Vec<(&str, Option<usize>)> =
            ["ACCESS_TOKEN", "ARTIST_ID", "ALBUM_ID", "CLIENT_ID"]
                .into_iter()
                .map(|k| (k, provider(&lessons, k)))
                .collect();
        assert_eq!(
            providers,
            [
                ("ACCESS_TOKEN", Some(0)),
                ("ARTIST_ID", Some(1)),
                ("ALBUM_ID", Some(3)),
                ("CLIENT_ID", None)
            ]
        );
        let files: Vec<(String, Lesson)> = content_files()
            .into_iter()
            .zip(lessons.iter().cloned())
            .map(|((file, _), lesson)| (file, lesson))
            .collect();
        let outline = Course::of(&files);
        let met =
            |i: usize| -> Vec<String> { outline.keys_met(i).into_iter().map(|k| k.name).collect() };
        assert_eq!(met(0), ["CLIENT_ID", "CLIENT_SECRET"]);
        // The outline the page starts from knows each lesson's file.
        assert_eq!(outline.lessons[1].file, "02-search.json");
        assert_eq!(outline.credentials, token_credentials(&lessons));
        assert!(outline.providers.contains(&("ALBUM_ID".to_owned(), 3)));
        assert_eq!(
            token_credentials(&lessons),
            Some(("CLIENT_ID".to_owned(), "CLIENT_SECRET".to_owned()))
        );
        assert_eq!(
            met(4),
            ["CLIENT_ID", "CLIENT_SECRET", "ARTIST_ID", "ALBUM_ID"]
        );
    }

    #[test]
    fn catalog_lessons_call_their_endpoint_in_the_first_lessons_style() {
        // (lesson, cell, endpoint in line 1, saves, query parameters)
        type Case<'a> = (
            &'a str,
            &'a str,
            &'a str,
            Option<(&'a str, &'a str)>,
            &'a [&'a str],
        );
        let cases: &[Case] = &[
            (
                "search",
                "search",
                "/v1/search'",
                Some(("ARTIST_ID", "artists.items")),
                &["q: 'the'", "type: 'artist'", "limit: '5'", "offset: '0'"],
            ),
            (
                "search",
                "search-page",
                "/v1/search'",
                None,
                &["q: 'year:2010-2020'", "type: 'album'", "offset: '5'"],
            ),
            ("artist", "artist", "/v1/artists/{{ARTIST_ID}}'", None, &[]),
            (
                "artist-albums",
                "artist-albums",
                "/v1/artists/{{ARTIST_ID}}/albums'",
                Some(("ALBUM_ID", "items")),
                &["include_groups: 'album,single'", "limit: '5'"],
            ),
            (
                "artist-albums",
                "appears-on",
                "/v1/artists/{{ARTIST_ID}}/albums'",
                None,
                &["include_groups: 'appears_on'"],
            ),
            (
                "album-tracks",
                "album-tracks",
                "/v1/albums/{{ALBUM_ID}}/tracks'",
                None,
                &["limit: '5'", "offset: '0'"],
            ),
            (
                "album-tracks",
                "album-tracks-page",
                "/v1/albums/{{ALBUM_ID}}/tracks'",
                None,
                &["offset: '5'"],
            ),
        ];
        let lessons = course();
        for (lesson_id, cell_id, endpoint, saves, params) in cases {
            let lesson = lessons.iter().find(|l| l.id == *lesson_id).expect("lesson");
            let cell = lesson.cells().find(|c| c.id == *cell_id).expect("cell");
            assert_eq!(cell.action, CellAction::Run, "{cell_id}");
            let code = &cell.code;
            let line = |needle: &str| code.lines().position(|l| l.contains(needle)).map(|i| i + 1);
            assert!(
                code.lines().next().is_some_and(|l| l
                    .starts_with("const endpointUrl = new URL('https://api.spotify.com")
                    && l.ends_with(&format!("{endpoint});"))),
                "{cell_id}"
            );
            assert!(
                code.contains("'Authorization': 'Bearer {{ACCESS_TOKEN}}'"),
                "{cell_id}"
            );
            for param in *params {
                assert!(code.contains(param), "{cell_id}: {param}");
            }
            assert_eq!(
                cell.saves
                    .first()
                    .map(|s| (s.key.as_str(), s.list.as_str())),
                *saves,
                "{cell_id}"
            );
            // The explanation after the cell points at the lines it describes.
            let index = lesson
                .blocks
                .iter()
                .position(|b| matches!(b, Block::Cell(c) if c.id == *cell_id))
                .expect("block");
            let items = lesson.blocks[index..]
                .iter()
                .find_map(|b| match b {
                    Block::Explanation { items } => Some(items),
                    _ => None,
                })
                .expect("an explanation follows");
            for item in items {
                let first = code.lines().nth(item.from - 1).expect("line");
                let last = code.lines().nth(item.to - 1).expect("line");
                let text = &item.text;
                let expected = if text.contains("URL") {
                    first.contains("new URL(")
                } else if text.contains("header parameters") {
                    first.starts_with("headerParameters") && last == "}"
                } else if text.contains("method") {
                    first.starts_with("const options") && last == "};"
                } else if text.contains("asynchronous function") {
                    // It names the lines of the call and of the print.
                    let fetch = line("await fetch").expect("fetch");
                    let print = line("printResponse").expect("print");
                    first.starts_with("async function")
                        && last == "}"
                        && text.contains(&format!("line {fetch}"))
                        && text.contains(&format!("line {print}"))
                } else if text.starts_with("We call") {
                    item.from == code.lines().count()
                } else {
                    // Parameters: every line is inside URLSearchParams({...}).
                    (item.from..=item.to).all(|n| {
                        let l = code.lines().nth(n - 1).unwrap_or("");
                        l.contains(':') || l.contains("URLSearchParams") || l == "});"
                    })
                };
                assert!(
                    expected,
                    "{cell_id}: {} does not fit \"{text}\"",
                    item.label()
                );
            }
        }
    }

    #[test]
    fn course_problems_are_reported() {
        let lesson = |id: &str, keys: &str, code: &str, action: &str, saves: &str| {
            let json = format!(
                r#"{{"id":"{id}","title":"t","summary":"s","keys":{keys},"blocks":[{{"kind":"cell","id":"{id}-cell","title":"A","action":"{action}","language":"javascript","code":"{code}","implementation_hidden":false,"saves":{saves}}}]}}"#
            );
            parse(&format!("1-{id}.json"), &json).expect("valid on its own")
        };
        let key = r#"[{"name":"A_ID","label":"A","secret":false}]"#;
        let save = r#"[{"key":"A_ID","list":"items","value":"id","name":"name"}]"#;
        let token = lesson("token", "[]", "x", "request_token", "[]");
        let saver = lesson("saver", key, "{{ACCESS_TOKEN}}", "run", save);
        let user = lesson("user", "[]", "{{A_ID}} {{ACCESS_TOKEN}}", "run", "[]");
        let ok = [token.clone(), saver.clone(), user.clone()];
        assert_eq!(course_problems(&ok), Vec::<String>::new());
        let cases: Vec<(Vec<Lesson>, &str)> = vec![
            (
                vec![token.clone(), user.clone(), saver.clone()],
                "{{A_ID}}, which neither lesson `user` nor an earlier one provides",
            ),
            (
                vec![saver.clone(), token.clone()],
                "{{ACCESS_TOKEN}}, which neither lesson `saver`",
            ),
            (
                vec![token.clone(), token.clone()],
                "lesson id `token` is used twice",
            ),
            (
                vec![token.clone(), saver.clone(), saver.clone()],
                "declares `A_ID`, which an earlier lesson declares",
            ),
        ];
        for (lessons, needle) in cases {
            let problems = course_problems(&lessons).join("\n");
            assert!(
                problems.contains(needle),
                "{problems}\nshould say: {needle}"
            );
        }
    }

    #[test]
    fn typed_keys_are_the_declared_ones_no_cell_saves() {
        let lessons = course();
        let typed: Vec<(&str, Vec<String>)> = lessons
            .iter()
            .map(|l| (l.id.as_str(), l.typed_keys()))
            .collect();
        assert_eq!(
            typed[0],
            ("token", vec!["CLIENT_ID".into(), "CLIENT_SECRET".into()])
        );
        assert_eq!(typed[1], ("search", vec![]), "search saves ARTIST_ID");
        assert!(lessons[1].keys.iter().any(|k| k.name == "ARTIST_ID"));
    }

    #[test]
    fn secret_values_are_those_of_secret_keys() {
        let lessons = course();
        let mut values = KeyValues::default();
        values.set("CLIENT_ID", "id".into());
        values.set("CLIENT_SECRET", "s3cret".into());
        values.set("ARTIST_ID", "a".into());
        let specs: Vec<KeySpec> = lessons.iter().flat_map(|l| l.keys.clone()).collect();
        assert_eq!(secret_values(&specs, &values), ["s3cret"]);
    }

    #[test]
    fn a_key_save_offers_the_items_of_its_list() {
        let save = |list: &str| KeySave {
            key: "ARTIST_ID".into(),
            list: list.into(),
            value: "id".into(),
            name: "name".into(),
        };
        let choice = |value: &str, name: &str| Choice {
            value: value.into(),
            name: name.into(),
        };
        let body = r#"{"artists":{"items":[{"id":"a1","name":"One"},{"id":"a2"},{"name":"no id"},{"id":3,"name":"number id"}]},"items":[]}"#;
        // (list path, body, choices)
        let cases: Vec<(&str, &str, Vec<Choice>)> = vec![
            (
                "artists.items",
                body,
                vec![choice("a1", "One"), choice("a2", "a2")],
            ),
            ("items", body, vec![]),
            ("albums.items", body, vec![]),
            ("artists", body, vec![]),
            ("artists.items", "not JSON", vec![]),
            (
                "items",
                r#"{"items":[{"id":"x","name":"X"}]}"#,
                vec![choice("x", "X")],
            ),
        ];
        for (list, body, expected) in cases {
            assert_eq!(save(list).choices(body), expected, "{list} in {body}");
        }
    }

    #[test]
    fn hints_come_from_the_key_specs() {
        let spec = |name: &str, suspect: Option<&str>| KeySpec {
            name: name.into(),
            label: format!("Label {name}"),
            secret: false,
            sandbox: None,
            suspect_for: suspect.map(str::to_owned),
        };
        let specs = [
            spec("ID", Some("Invalid client")),
            spec("SECRET", Some("Invalid client secret")),
            spec("OTHER", None),
        ];
        let mut values = KeyValues::default();
        values.set("ID", "abc".into());
        values.set("SECRET", "s3cret\n".into());
        values.set("OTHER", " x ".into());
        assert_eq!(
            hints(&specs, &values),
            vec![KeyHint {
                label: "Label SECRET".into(),
                whitespace: keys::Whitespace::LineBreak,
                suspect_for: "Invalid client secret".into(),
            }]
        );
        assert!(values.all_filled(["ID", "SECRET"].into_iter()));
        values.set("ID", "  ".into());
        assert!(!values.all_filled(["ID", "SECRET"].into_iter()));
        assert!(!values.all_filled(["MISSING"].into_iter()));
    }

    #[test]
    fn steps_follow_progress() {
        let done = ["validate".to_owned()];
        let none: [String; 0] = [];
        // (condition, keys filled, token received, token saved, done cells, holds)
        type Case<'a> = (Condition, bool, bool, bool, &'a [String], bool);
        let cases: &[Case] = &[
            (Condition::Keys, true, false, false, &none, true),
            (Condition::Keys, false, true, true, &done, false),
            (Condition::TokenReceived, false, true, false, &none, true),
            (Condition::TokenReceived, false, false, true, &none, true),
            (Condition::TokenReceived, true, false, false, &done, false),
            (Condition::TokenSaved, false, true, false, &none, false),
            (Condition::TokenSaved, false, false, true, &none, true),
            (
                Condition::Cell("validate".into()),
                false,
                false,
                false,
                &done,
                true,
            ),
            (
                Condition::Cell("token".into()),
                true,
                true,
                true,
                &done,
                false,
            ),
        ];
        for (condition, keys_filled, token_received, token_saved, done_cells, holds) in cases {
            let progress = Progress {
                keys_filled: *keys_filled,
                token_received: *token_received,
                token_saved: *token_saved,
                done_cells,
                filled_keys: &[],
            };
            assert_eq!(condition.holds(&progress), *holds, "{condition:?}");
        }
        let filled = ["ARTIST_ID".to_owned()];
        let progress = Progress {
            filled_keys: &filled,
            ..Progress::default()
        };
        assert!(Condition::Key("ARTIST_ID".into()).holds(&progress));
        assert!(!Condition::Key("ALBUM_ID".into()).holds(&progress));
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
            saves: Vec::new(),
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
        let html = |part: &Part| match part {
            Part::Prose(m) => Some(m.as_str().to_owned()),
            Part::Cell(_) => None,
        };
        let parts = parts(blocks);
        assert_eq!(parts.len(), 4);
        assert_eq!(
            html(&parts[0]).as_deref(),
            Some("<h2>A &amp; B</h2><p>&lt;script&gt;</p>")
        );
        assert_eq!(parts[1], Part::Cell(cell("one")));
        assert_eq!(
            html(&parts[2]).as_deref(),
            Some(concat!(
                r#"<ul class="explanation"><li><strong>Lines 1–2: </strong>x &lt; y</li></ul>"#,
                r#"<aside class="note"><strong>Note: </strong>n</aside>"#
            ))
        );
        assert_eq!(parts[3], Part::Cell(cell("two")));
    }
}

//! What the learner has done in the course, kept with their keys (pure): where each key's
//! value came from, which lessons are done, and the auto-renewal setting.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::keys::text_members;

/// Where a key's value came from, as the keys panel says it. Stored as `"typed"`,
/// `"sandbox"` or `"saved:<lesson id>"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Origin {
    Typed,
    /// "Use sandbox credentials".
    Sandbox,
    /// Saved from a run of the lesson with this id.
    Saved(String),
}

impl From<Origin> for String {
    fn from(origin: Origin) -> String {
        match origin {
            Origin::Typed => "typed".to_owned(),
            Origin::Sandbox => "sandbox".to_owned(),
            Origin::Saved(lesson) => format!("saved:{lesson}"),
        }
    }
}

impl TryFrom<String> for Origin {
    type Error = String;

    fn try_from(text: String) -> Result<Origin, String> {
        match text.as_str() {
            "typed" => Ok(Origin::Typed),
            "sandbox" => Ok(Origin::Sandbox),
            _ => text
                .strip_prefix("saved:")
                .map(|lesson| Origin::Saved(lesson.to_owned()))
                .ok_or_else(|| format!("not a key origin: {text}")),
        }
    }
}

/// The course state stored beside the keys, and cleared with them by Forget:
/// `{"origins": {"KEY": "typed", …}, "done": ["token", …], "renew": false}`.
///
/// Reading is lenient, so that one damaged part does not lose the rest of a learner's
/// progress: a member that cannot be read is left out (or off), the others are kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CourseState {
    /// Where each key's value came from, by key name.
    #[serde(serialize_with = "write_origins", deserialize_with = "read_origins")]
    pub origins: Vec<(String, Origin)>,
    /// Ids of the lessons whose cells have all run well, in the order they were done.
    #[serde(deserialize_with = "read_texts")]
    pub done: Vec<String>,
    /// "Renew the token automatically", off by default.
    #[serde(deserialize_with = "read_flag")]
    pub renew: bool,
}

fn write_origins<S: Serializer>(origins: &[(String, Origin)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(origins.iter().map(|(key, origin)| (key, origin)))
}

fn read_origins<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, Origin)>, D::Error> {
    let Value::Object(map) = Value::deserialize(d)? else {
        return Ok(Vec::new());
    };
    Ok(text_members(map)
        .filter_map(|(key, origin)| Some((key, Origin::try_from(origin).ok()?)))
        .collect())
}

fn read_texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let Value::Array(items) = Value::deserialize(d)? else {
        return Ok(Vec::new());
    };
    Ok(items
        .into_iter()
        .filter_map(|item| match item {
            Value::String(text) => Some(text),
            _ => None,
        })
        .collect())
}

fn read_flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Value::deserialize(d)?.as_bool().unwrap_or(false))
}

impl CourseState {
    pub fn origin(&self, key: &str) -> Option<&Origin> {
        self.origins.iter().find(|(k, _)| k == key).map(|(_, o)| o)
    }

    pub fn set_origin(&mut self, key: &str, origin: Origin) {
        self.origins.retain(|(k, _)| k != key);
        self.origins.push((key.to_owned(), origin));
    }

    /// Whether the lesson `lesson` (its id) is done.
    pub fn is_done(&self, lesson: &str) -> bool {
        self.done.iter().any(|d| d == lesson)
    }

    /// Marks a lesson done; true when it was not done before.
    pub fn complete(&mut self, lesson: &str) -> bool {
        let new = !self.is_done(lesson);
        if new {
            self.done.push(lesson.to_owned());
        }
        new
    }

    /// Whether the state holds nothing worth storing.
    pub fn is_empty(&self) -> bool {
        *self == CourseState::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_survives_damage() {
        let mut state = CourseState::default();
        assert!(state.is_empty());
        state.set_origin("CLIENT_ID", Origin::Sandbox);
        state.set_origin("ARTIST_ID", Origin::Saved("search".into()));
        state.set_origin("CLIENT_ID", Origin::Typed);
        assert!(!state.is_done("token"));
        assert!(state.complete("token"));
        assert!(!state.complete("token"), "once");
        assert!(state.is_done("token") && !state.is_done("search"));
        state.renew = true;
        let json = serde_json::to_string(&state).expect("JSON");
        assert_eq!(
            json,
            r#"{"origins":{"ARTIST_ID":"saved:search","CLIENT_ID":"typed"},"done":["token"],"renew":true}"#
        );
        let read = |text: &str| serde_json::from_str::<CourseState>(text).unwrap_or_default();
        assert_eq!(read(&json), state);
        // (stored text, what is read)
        let cases = [
            ("", CourseState::default()),
            ("[]", CourseState::default()),
            ("{}", CourseState::default()),
            (
                r#"{"origins":[],"done":{},"renew":null,"later":1}"#,
                CourseState::default(),
            ),
            (
                r#"{"origins":{"A":"weird","B":"typed"},"done":["x",1],"renew":"yes"}"#,
                CourseState {
                    origins: vec![("B".into(), Origin::Typed)],
                    done: vec!["x".into()],
                    renew: false,
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(read(text), expected, "{text}");
        }
    }
}

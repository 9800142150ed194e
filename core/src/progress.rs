//! What the learner has done in the course, kept with their keys (pure): where each key's
//! value came from, which lessons are done, and the auto-renewal setting.

use wire::json::{Map, Value};

/// Where a key's value came from, as the keys panel says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Typed,
    /// "Use sandbox credentials".
    Sandbox,
    /// Saved from a run of the lesson with this id.
    Saved(String),
}

impl Origin {
    fn encode(&self) -> String {
        match self {
            Origin::Typed => "typed".to_owned(),
            Origin::Sandbox => "sandbox".to_owned(),
            Origin::Saved(lesson) => format!("saved:{lesson}"),
        }
    }

    fn decode(text: &str) -> Option<Origin> {
        match text {
            "typed" => Some(Origin::Typed),
            "sandbox" => Some(Origin::Sandbox),
            _ => text
                .strip_prefix("saved:")
                .map(|lesson| Origin::Saved(lesson.to_owned())),
        }
    }
}

/// The course state stored beside the keys, and cleared with them by Forget.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CourseState {
    /// Where each key's value came from, by key name.
    pub origins: Vec<(String, Origin)>,
    /// Ids of the lessons whose cells have all run well, in the order they were done.
    pub done: Vec<String>,
    /// "Renew the token automatically", off by default.
    pub renew: bool,
}

impl CourseState {
    pub fn origin(&self, key: &str) -> Option<&Origin> {
        self.origins.iter().find(|(k, _)| k == key).map(|(_, o)| o)
    }

    pub fn set_origin(&mut self, key: &str, origin: Origin) {
        self.origins.retain(|(k, _)| k != key);
        self.origins.push((key.to_owned(), origin));
    }

    /// Marks a lesson done; true when it was not done before.
    pub fn complete(&mut self, lesson: &str) -> bool {
        let new = !self.done.iter().any(|l| l == lesson);
        if new {
            self.done.push(lesson.to_owned());
        }
        new
    }

    /// Whether the state holds nothing worth storing.
    pub fn is_empty(&self) -> bool {
        *self == CourseState::default()
    }

    pub fn to_json(&self) -> String {
        let mut origins = Map::default();
        for (key, origin) in &self.origins {
            origins.push(key, origin.encode());
        }
        Value::object([
            ("origins", Value::Object(origins)),
            (
                "done",
                Value::Array(self.done.iter().map(Value::from).collect()),
            ),
            ("renew", self.renew.into()),
        ])
        .to_string()
    }

    /// Reads what `to_json` wrote; anything unreadable is left out rather than failing.
    pub fn from_json(text: &str) -> CourseState {
        let Ok(value) = Value::parse(text) else {
            return CourseState::default();
        };
        let origins = value
            .get("origins")
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .filter_map(|(k, v)| Some((k.clone(), Origin::decode(v.as_str()?)?)))
                    .collect()
            })
            .unwrap_or_default();
        let done = value
            .get("done")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        CourseState {
            origins,
            done,
            renew: value.get("renew").and_then(Value::as_bool).unwrap_or(false),
        }
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
        assert!(state.complete("token"));
        assert!(!state.complete("token"), "once");
        state.renew = true;
        let json = state.to_json();
        assert_eq!(
            json,
            r#"{"origins":{"ARTIST_ID":"saved:search","CLIENT_ID":"typed"},"done":["token"],"renew":true}"#
        );
        assert_eq!(CourseState::from_json(&json), state);
        // (stored text, what is read)
        let cases = [
            ("", CourseState::default()),
            ("[]", CourseState::default()),
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
            assert_eq!(CourseState::from_json(text), expected, "{text}");
        }
    }
}

//! Key values, `{{KEY}}` placeholders, and checks of what the learner typed (pure).
//!
//! Which keys exist, which are secret and what they explain all come from the lesson file
//! (`lesson::KeySpec`, and `lesson::hints`); nothing here names a lesson's keys.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The key under which a saved access token is offered to later cells. Every lesson has it;
/// no lesson declares it.
pub const ACCESS_TOKEN: &str = "ACCESS_TOKEN";

/// The values the learner typed, by key name, in the order they were first set. Stored as a
/// JSON object of strings (`{"CLIENT_ID": "…"}`); a member that is not a string is left out
/// when read, so that one damaged value does not lose the others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyValues(Vec<(String, String)>);

impl Serialize for KeyValues {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for KeyValues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyValues, D::Error> {
        let serde_json::Value::Object(map) = serde_json::Value::deserialize(d)? else {
            return Err(serde::de::Error::custom("keys are stored as an object"));
        };
        Ok(KeyValues(text_members(map).collect()))
    }
}

/// The members of a stored JSON object whose values are text, in order; the others are left
/// out, so that one damaged member loses nothing else (keys, and key origins in `progress`).
pub(crate) fn text_members(
    map: serde_json::Map<String, serde_json::Value>,
) -> impl Iterator<Item = (String, String)> {
    map.into_iter().filter_map(|(name, value)| match value {
        serde_json::Value::String(text) => Some((name, text)),
        _ => None,
    })
}

impl KeyValues {
    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets `name` to `value`, replacing any earlier value.
    pub fn set(&mut self, name: &str, value: String) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }

    /// True when no key has a non-empty value.
    pub fn is_blank(&self) -> bool {
        self.0.iter().all(|(_, v)| v.is_empty())
    }

    /// True when every one of `names` has a value that is not blank.
    pub fn all_filled<'n>(&self, mut names: impl Iterator<Item = &'n str>) -> bool {
        names.all(|name| self.get(name).is_some_and(|v| !v.trim().is_empty()))
    }

    /// Name/value pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// A piece of code text: literal text or a `{{NAME}}` placeholder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Splits code into literal text and `{{NAME}}` placeholders (`NAME` is `[A-Z0-9_]+`).
/// Anything that only looks like a placeholder, such as `{{ lower }}`, stays text.
pub fn segments(code: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = code;
    let mut text_start = 0;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        if name_len > 0 && after[name_len..].starts_with("}}") {
            let start = offset + open;
            if start > text_start {
                out.push(Segment::Text(&code[text_start..start]));
            }
            out.push(Segment::Placeholder(&after[..name_len]));
            let consumed = open + 2 + name_len + 2;
            offset += consumed;
            text_start = offset;
            rest = &rest[consumed..];
        } else {
            offset += open + 1;
            rest = &rest[open + 1..];
        }
    }
    if text_start < code.len() {
        out.push(Segment::Text(&code[text_start..]));
    }
    out
}

/// The distinct placeholder names in order of first use.
pub fn placeholders(code: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for segment in segments(code) {
        if let Segment::Placeholder(name) = segment {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// Whitespace around a key's value, the classic cause of "Invalid client secret".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whitespace {
    /// Starts or ends with a line break (a copied newline).
    LineBreak,
    /// Starts or ends with spaces or tabs.
    Spaces,
}

/// Whether a value has leading or trailing whitespace.
pub fn surrounding_whitespace(value: &str) -> Option<Whitespace> {
    let edges = [value.chars().next(), value.chars().last()];
    if edges.iter().flatten().any(|c| *c == '\n' || *c == '\r') {
        Some(Whitespace::LineBreak)
    } else if edges.iter().flatten().any(|c| c.is_whitespace()) {
        Some(Whitespace::Spaces)
    } else {
        None
    }
}

impl Whitespace {
    /// The warning shown under an input.
    pub fn warning(self, label: &str) -> String {
        let what = match self {
            Whitespace::LineBreak => "a line break",
            Whitespace::Spaces => "a space",
        };
        format!(
            "{label} starts or ends with {what}. Spotify compares it exactly, so this usually fails with \"Invalid client secret\" or \"Invalid client\". Remove it unless it is really part of the value."
        )
    }
}

/// Whitespace around a key's value, and the token endpoint's answer it would explain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyHint {
    /// The key's label, as the keys panel shows it.
    pub label: String,
    pub whitespace: Whitespace,
    /// The `error_description` it typically causes (`KeySpec::suspect_for`).
    pub suspect_for: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_keys_read_back_in_order_and_survive_damage() {
        let mut keys = KeyValues::default();
        keys.set("CLIENT_SECRET", "s\n".into());
        keys.set("CLIENT_ID", "id".into());
        let text = serde_json::to_string(&keys).expect("JSON");
        assert_eq!(text, r#"{"CLIENT_SECRET":"s\n","CLIENT_ID":"id"}"#);
        assert_eq!(serde_json::from_str::<KeyValues>(&text).ok(), Some(keys));
        let damaged: KeyValues =
            serde_json::from_str(r#"{"A":"a","B":3,"C":null,"D":"d"}"#).expect("an object");
        let names: Vec<(&str, &str)> = damaged.iter().collect();
        assert_eq!(names, [("A", "a"), ("D", "d")]);
        assert!(serde_json::from_str::<KeyValues>("[]").is_err());
    }

    #[test]
    fn key_values() {
        let mut values = KeyValues::default();
        assert!(values.is_blank());
        values.set("A", "1".into());
        values.set("B", String::new());
        values.set("A", "2".into());
        assert_eq!(values.get("A"), Some("2"));
        assert_eq!(values.get("B"), Some(""));
        assert_eq!(values.get("C"), None);
        assert_eq!(values.iter().count(), 2);
        assert!(!values.is_blank());
    }

    #[test]
    fn segments_mark_placeholders() {
        assert_eq!(
            segments("from('{{ID}}:x')"),
            vec![
                Segment::Text("from('"),
                Segment::Placeholder("ID"),
                Segment::Text(":x')")
            ]
        );
    }

    #[test]
    fn whitespace_detection() {
        let cases = [
            ("abc", None),
            ("abc\n", Some(Whitespace::LineBreak)),
            ("\r\nabc", Some(Whitespace::LineBreak)),
            (" abc", Some(Whitespace::Spaces)),
            ("abc\t", Some(Whitespace::Spaces)),
            ("a b", None),
            ("", None),
        ];
        for (value, want) in cases {
            assert_eq!(surrounding_whitespace(value), want, "{value:?}");
        }
    }
}

//! The sandbox's answers, written straight as JSON text, member by member in Spotify's
//! order (the catalog objects, paging objects, search results). Short bodies (errors, the
//! token) are built with `serde_json::json!`, whose objects keep their order too (the
//! `preserve_order` feature that crate `wire` turns on).
//!
//! Private to the sandbox: every value that crosses a boundary uses serde (crate `wire`).

use std::fmt::Write;

/// A JSON object written member by member straight into compact text, for answers the
/// sandbox builds: Members keep the order they are written in.
pub struct Object(String);

impl Default for Object {
    fn default() -> Self {
        Object(String::from("{"))
    }
}

impl Object {
    fn key(&mut self, key: &str) -> &mut String {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        write_string(&mut self.0, key);
        self.0.push(':');
        &mut self.0
    }

    /// A string member.
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        write_string(self.key(key), value);
        self
    }

    /// A number member.
    pub fn num(&mut self, key: &str, value: u64) -> &mut Self {
        self.key(key).push_str(&value.to_string());
        self
    }

    /// `true`, `false` or `null` (`None`).
    pub fn flag(&mut self, key: &str, value: Option<bool>) -> &mut Self {
        self.key(key).push_str(match value {
            Some(true) => "true",
            Some(false) => "false",
            None => "null",
        });
        self
    }

    /// A member whose value is JSON text already written.
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key).push_str(json);
        self
    }

    /// The finished object's text.
    pub fn end(&mut self) -> String {
        let mut text = std::mem::take(&mut self.0);
        text.push('}');
        text
    }
}

/// A JSON array of values written already.
pub fn array(items: impl IntoIterator<Item = String>) -> String {
    let mut out = String::from("[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item);
    }
    out.push(']');
    out
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_objects_and_arrays_in_order_with_escapes() {
        let inner = Object::default().num("n", 401).flag("f", None).end();
        let text = Object::default()
            .str("error", "invalid_client")
            .raw("inner", &inner)
            .flag("ok", Some(false))
            .str("text", "quote \" and \\ \n \u{1}")
            .raw("list", &array(["1".to_owned(), "[]".to_owned()]))
            .end();
        assert_eq!(
            text,
            r#"{"error":"invalid_client","inner":{"n":401,"f":null},"ok":false,"text":"quote \" and \\ \n \u0001","list":[1,[]]}"#
        );
        let read: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(read["text"], "quote \" and \\ \n \u{1}");
        assert_eq!(array(Vec::<String>::new()), "[]");
    }
}

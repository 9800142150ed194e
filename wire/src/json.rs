//! A small JSON value: parse, build and print (pure, no dependencies).
//!
//! The page and the sandbox need only a little of JSON, and `serde_json` costs the page more
//! than this module (docs/benchmarks.md has the measured figure). Two choices follow the browser's `JSON.stringify` rather than
//! `serde_json`: objects keep their members in document order, and numbers keep the text they
//! were written with (so nothing here formats or parses floats).

use std::fmt::{self, Write};

/// Deepest nesting [`Value::parse`] accepts; deeper input is refused rather than overflowing
/// the stack (a hostile 1 MiB body of `[[[[…` must not crash the page).
pub const MAX_DEPTH: usize = 128;

/// A JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written; [`Value::parse`] checked that it is JSON number syntax.
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// An object's members in document order. A repeated key is kept twice; lookups find the
/// last one, as `JSON.parse` does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Map(Vec<(String, Value)>);

impl Map {
    /// The value of `key` (the last one if the key repeats).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value of `key`, mutable.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0
            .iter_mut()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Member names in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// Members in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Appends a member.
    pub fn push(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        self.0.push((key.into(), value.into()));
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why a text is not JSON, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What was wrong, for example "expected `:`".
    pub problem: &'static str,
    /// 1-based line and column of the offending character.
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.problem, self.line, self.column
        )
    }
}

impl std::error::Error for ParseError {}

static NULL: Value = Value::Null;

impl Value {
    /// Parses a complete JSON text (surrounding whitespace allowed).
    pub fn parse(text: &str) -> Result<Value, ParseError> {
        let mut p = Parser {
            text,
            pos: 0,
            depth: 0,
        };
        let value = p.value()?;
        p.skip_ws();
        if p.pos < text.len() {
            return Err(p.error("trailing characters after the JSON value"));
        }
        Ok(value)
    }

    /// An object from `(name, value)` pairs, in that order.
    pub fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
        Value::Object(Map(members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()))
    }

    /// A text member, or what is wrong with it (for readers of data files).
    pub fn text(&self, key: &str) -> Result<String, String> {
        self.get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("`{key}` is missing or not text"))
    }

    /// The items of an array member; none for a missing member or another type.
    pub fn items(&self, key: &str) -> &[Value] {
        self.get(key)
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// A member of an object; `None` for a missing key or a non-object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// A member of an object, mutable.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        match self {
            Value::Object(map) => map.get_mut(key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A non-negative whole number that fits `u64` (`3600`, not `3600.0` or `-1`).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// Indented by two spaces, as `JSON.stringify(value, null, 2)` prints it.
    pub fn to_string_pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Some(0));
        out
    }

    /// `indent`: `None` for compact output, else the current depth.
    fn write(&self, out: &mut String, indent: Option<usize>) {
        let newline = |out: &mut String, depth: usize| {
            if indent.is_some() {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', depth * 2));
            }
        };
        let inner = indent.map(|d| d + 1);
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(n),
            Value::String(s) => write_string(out, s),
            Value::Array(items) if items.is_empty() => out.push_str("[]"),
            Value::Object(map) if map.is_empty() => out.push_str("{}"),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, inner.unwrap_or(0));
                    item.write(out, inner);
                }
                newline(out, indent.unwrap_or(0));
                out.push(']');
            }
            Value::Object(map) => {
                out.push('{');
                for (i, (key, value)) in map.0.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, inner.unwrap_or(0));
                    write_string(out, key);
                    out.push_str(if indent.is_some() { ": " } else { ":" });
                    value.write(out, inner);
                }
                newline(out, indent.unwrap_or(0));
                out.push('}');
            }
        }
    }
}

/// A JSON object written member by member straight into compact text, for answers the
/// sandbox builds: smaller in the page than building a [`Value`] to print it
/// (docs/benchmarks.md). Members keep the order they are written in.
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

/// Compact JSON, as `JSON.stringify(value)` prints it.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out, None);
        f.write_str(&out)
    }
}

/// `value["key"]`: `Null` for a missing key or a non-object, as in `serde_json`.
impl std::ops::Index<&str> for Value {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::String(s.clone())
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Number(n.to_string())
    }
}

impl From<u16> for Value {
    fn from(n: u16) -> Self {
        Value::Number(n.to_string())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
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

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, problem: &'static str) -> ParseError {
        let before = &self.text[..self.pos.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ParseError {
            problem,
            line,
            column,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn literal(&mut self, word: &'static str, value: Value) -> Result<Value, ParseError> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') | Some(b'[') => {
                if self.depth == MAX_DEPTH {
                    return Err(self.error("nested too deeply"));
                }
                self.depth += 1;
                let value = if self.peek() == Some(b'{') {
                    self.object()
                } else {
                    self.array()
                };
                self.depth -= 1;
                value
            }
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            None => Err(self.error("unexpected end of input")),
            Some(_) => Err(self.error("expected a JSON value")),
        }
    }

    fn object(&mut self) -> Result<Value, ParseError> {
        self.pos += 1; // {
        let mut map = Map::default();
        self.skip_ws();
        if self.eat(b'}') {
            return Ok(Value::Object(map));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name in double quotes"));
            }
            let key = self.string()?;
            self.skip_ws();
            if !self.eat(b':') {
                return Err(self.error("expected `:`"));
            }
            let value = self.value()?;
            map.0.push((key, value));
            self.skip_ws();
            if self.eat(b'}') {
                return Ok(Value::Object(map));
            }
            if !self.eat(b',') {
                return Err(self.error("expected `,` or `}`"));
            }
        }
    }

    fn array(&mut self) -> Result<Value, ParseError> {
        self.pos += 1; // [
        let mut items = Vec::new();
        self.skip_ws();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws();
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error("expected `,` or `]`"));
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        self.eat(b'-');
        if !self.eat(b'0') && self.digits() == 0 {
            return Err(self.error("expected a digit"));
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(self.error("expected a digit after `.`"));
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        Ok(Value::Number(self.text[start..self.pos].to_owned()))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("expected four hex digits after `\\u`"))?;
        self.pos += 4;
        u32::from_str_radix(digits, 16)
            .map_err(|_| self.error("expected four hex digits after `\\u`"))
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(plain) = rest.find(|c: char| c == '"' || c == '\\' || c < ' ') else {
                self.pos = self.text.len();
                return Err(self.error("unterminated string"));
            };
            out.push_str(&rest[..plain]);
            self.pos += plain;
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let c = self.unicode_escape()?;
                            out.push(c);
                            continue;
                        }
                        _ => return Err(self.error("unknown escape in string")),
                    };
                    self.pos += 1;
                    out.push(c);
                }
                _ => return Err(self.error("control character in string (escape it)")),
            }
        }
    }

    /// After `\u`: one code point, or a surrogate pair written as two escapes.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if !self.text[self.pos..].starts_with("\\u") {
                return Err(self.error("lone surrogate in string"));
            }
            self.pos += 2;
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(self.error("lone surrogate in string"));
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        char::from_u32(code).ok_or_else(|| self.error("lone surrogate in string"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One case per line: input, compact output or the error's text.
    fn check(input: &str, expected: &str) {
        let got = match Value::parse(input) {
            Ok(v) => v.to_string(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected, "input: {input:?}");
    }

    #[test]
    fn parses_and_prints_compactly() {
        check(" null ", "null");
        check("true", "true");
        check("[false, null]", "[false,null]");
        check("0", "0");
        check("-12.50e+3", "-12.50e+3");
        check(r#"{"b": 1, "a": [ ], "c": {}}"#, r#"{"b":1,"a":[],"c":{}}"#);
        check(
            r#""a\"b\\c\/d\n\t\u00e9\ud83c\udfb5""#,
            "\"a\\\"b\\\\c/d\\n\\té🎵\"",
        );
        check(r#""\u0001""#, r#""\u0001""#);
        check(r#"{"k":1,"k":2}"#, r#"{"k":1,"k":2}"#);
    }

    #[test]
    fn refuses_what_json_refuses() {
        check("", "error: unexpected end of input at line 1 column 1");
        check("{\n  \"a\" 1}", "error: expected `:` at line 2 column 7");
        check("[1,]", "error: expected a JSON value at line 1 column 4");
        check(
            "{'a':1}",
            "error: expected a member name in double quotes at line 1 column 2",
        );
        check(
            "01",
            "error: trailing characters after the JSON value at line 1 column 2",
        );
        check("1.", "error: expected a digit after `.` at line 1 column 3");
        check("-", "error: expected a digit at line 1 column 2");
        check(
            "1e",
            "error: expected a digit in the exponent at line 1 column 3",
        );
        check("tru", "error: expected a JSON value at line 1 column 1");
        check("\"abc", "error: unterminated string at line 1 column 5");
        check(
            "\"a\nb\"",
            "error: control character in string (escape it) at line 1 column 3",
        );
        check(
            r#""\x""#,
            "error: unknown escape in string at line 1 column 3",
        );
        check(
            r#""\ud83c""#,
            "error: lone surrogate in string at line 1 column 8",
        );
        check(
            r#""\u12""#,
            "error: expected four hex digits after `\\u` at line 1 column 4",
        );
        check(
            "{} x",
            "error: trailing characters after the JSON value at line 1 column 4",
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(Value::parse(&ok).is_ok());
        let deep = "[".repeat(100_000);
        let err = Value::parse(&deep).unwrap_err();
        assert_eq!(err.problem, "nested too deeply");
    }

    #[test]
    fn pretty_matches_json_stringify_with_two_spaces() {
        let v = Value::parse(
            r#"{"access_token":"x","expires_in":3600,"a":[1,{"b":null}],"e":[],"o":{}}"#,
        )
        .unwrap();
        assert_eq!(
            v.to_string_pretty(),
            "{\n  \"access_token\": \"x\",\n  \"expires_in\": 3600,\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"e\": [],\n  \"o\": {}\n}"
        );
        assert_eq!(Value::from("a").to_string_pretty(), "\"a\"");
    }

    #[test]
    fn lookups() {
        let v =
            Value::parse(r#"{"n":3600,"f":1.5,"neg":-1,"s":"x","k":1,"k":2,"t":true}"#).unwrap();
        assert_eq!(v["n"].as_u64(), Some(3600));
        assert_eq!(v["f"].as_u64(), None);
        assert_eq!(v["neg"].as_u64(), None);
        assert_eq!(v["s"].as_str(), Some("x"));
        assert_eq!(
            v["k"].as_u64(),
            Some(2),
            "the last repeated key wins, as in JSON.parse"
        );
        assert_eq!(v["t"].as_bool(), Some(true));
        assert_eq!(v["missing"], Value::Null);
        assert_eq!(v["s"]["deeper"], Value::Null);
        assert_eq!(v.as_object().map(|m| m.keys().count()), Some(7));
    }

    #[test]
    fn builds_objects_in_order() {
        let v = Value::object([
            ("error", "invalid_client".into()),
            ("status", 401u16.into()),
            ("ok", false.into()),
            ("text", "quote \" and \\".into()),
        ]);
        assert_eq!(
            v.to_string(),
            r#"{"error":"invalid_client","status":401,"ok":false,"text":"quote \" and \\"}"#
        );
        assert_eq!(Value::parse(&v.to_string()).unwrap(), v);
    }
}

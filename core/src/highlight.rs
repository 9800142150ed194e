//! A small JavaScript highlighter for the lesson's code, placeholder-aware (pure).
//!
//! Enough for lesson code: keywords, strings, comments, numbers. It only colours text; nothing
//! that runs depends on it (key substitution is right without a lexer: see `runner`).

use crate::html::{escape, Markup};
use crate::keys::{segments, Segment};

/// The class of a highlighted piece; the CSS class is `tok-<name>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Plain,
    Keyword,
    String,
    Comment,
    Number,
    /// A `{{KEY}}` placeholder, marked wherever it appears.
    Placeholder,
}

impl Class {
    /// The opening tag of a piece of this class (CSS class `tok-<name>`); plain text has
    /// none, since nothing styles it.
    fn open_tag(self) -> Option<&'static str> {
        match self {
            Class::Plain => None,
            Class::Keyword => Some(r#"<span class="tok-keyword">"#),
            Class::String => Some(r#"<span class="tok-string">"#),
            Class::Comment => Some(r#"<span class="tok-comment">"#),
            Class::Number => Some(r#"<span class="tok-number">"#),
            Class::Placeholder => Some(r#"<span class="tok-placeholder">"#),
        }
    }
}

const KEYWORDS: &[&str] = &[
    "async",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "default",
    "else",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "let",
    "new",
    "null",
    "return",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "undefined",
    "var",
    "while",
];

/// Highlights code, one vector of pieces per line.
pub fn highlight(code: &str) -> Vec<Vec<(Class, String)>> {
    let mut lines: Vec<Vec<(Class, String)>> = vec![Vec::new()];
    for (class, text) in tokens(code) {
        for (i, part) in text.split('\n').enumerate() {
            if i > 0 {
                lines.push(Vec::new());
            }
            if part.is_empty() {
                continue;
            }
            let line = lines.last_mut().expect("starts with one line");
            for segment in segments(part) {
                match segment {
                    Segment::Text(t) => line.push((class, t.to_owned())),
                    Segment::Placeholder(name) => {
                        line.push((Class::Placeholder, format!("{{{{{name}}}}}")))
                    }
                }
            }
        }
    }
    lines
}

/// The highlighted code as markup: one `span.line` per line, with its number in an
/// `aria-hidden` `span.ln` and each piece but plain text in a `span.tok-*`. Built as text because it is
/// static: markup is much smaller in the bundle than the same spans as views.
pub fn to_html(code: &str) -> Markup {
    let mut out = Markup::default();
    for (n, line) in highlight(code).into_iter().enumerate() {
        out.push(escape(&(n + 1).to_string()).wrap(
            r#"<span class="line"><span class="ln" aria-hidden="true">"#,
            "</span>",
        ));
        for (class, text) in line {
            let tag = class.open_tag();
            if let Some(tag) = tag {
                out.push(Markup::from_static(tag));
            }
            out.push(escape(&text));
            if tag.is_some() {
                out.push(Markup::from_static("</span>"));
            }
        }
        out.push(Markup::from_static("\n</span>"));
    }
    out
}

/// The code as classified pieces that concatenate back to `code` (strings keep their quotes).
fn tokens(code: &str) -> Vec<(Class, &str)> {
    let bytes = code.as_bytes();
    let mut out: Vec<(Class, &str)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let class = match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = code[i..].find('\n').map_or(bytes.len(), |n| i + n);
                Class::Comment
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = code[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                Class::Comment
            }
            quote @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    if bytes[i.min(bytes.len() - 1)] == b'\n' && quote != b'`' {
                        break;
                    }
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
                Class::String
            }
            b'0'..=b'9' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                    i += 1;
                }
                Class::Number
            }
            b if b.is_ascii_alphabetic() || b == b'_' || b == b'$' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$')
                {
                    i += 1;
                }
                if KEYWORDS.contains(&&code[start..i]) {
                    Class::Keyword
                } else {
                    Class::Plain
                }
            }
            _ => {
                i += code[i..].chars().next().map_or(1, char::len_utf8);
                Class::Plain
            }
        };
        match out.last_mut() {
            Some((last, text)) if *last == class && class == Class::Plain => {
                *text = &code[start - text.len()..i];
            }
            _ => out.push((class, &code[start..i])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(line: &[(Class, String)]) -> Vec<(Class, &str)> {
        line.iter().map(|(c, t)| (*c, t.as_str())).collect()
    }

    #[test]
    fn highlights_the_lesson_constructs() {
        let lines = highlight("const x = Buffer.from('{{CLIENT_ID}}:{{CLIENT_SECRET}}'); // note\nfetchAccessToken();");
        assert_eq!(lines.len(), 2);
        assert_eq!(
            classes(&lines[0]),
            vec![
                (Class::Keyword, "const"),
                (Class::Plain, " x = Buffer.from("),
                (Class::String, "'"),
                (Class::Placeholder, "{{CLIENT_ID}}"),
                (Class::String, ":"),
                (Class::Placeholder, "{{CLIENT_SECRET}}"),
                (Class::String, "'"),
                (Class::Plain, "); "),
                (Class::Comment, "// note"),
            ]
        );
        assert_eq!(
            classes(&lines[1]),
            vec![(Class::Plain, "fetchAccessToken();")]
        );
    }

    #[test]
    fn keeps_every_character_and_line() {
        let samples = [
            "a\n\nb",
            "'unterminated\nnext",
            "/* multi\nline */ x",
            "`tmpl\n{{A}}` 3.14 é",
            "x = 'a\\'b';",
            "",
        ];
        for code in samples {
            let lines = highlight(code);
            let rebuilt: Vec<String> = lines
                .iter()
                .map(|l| l.iter().map(|(_, t)| t.as_str()).collect())
                .collect();
            assert_eq!(rebuilt.join("\n"), code, "{code:?}");
        }
    }

    #[test]
    fn markup_numbers_lines_and_escapes_code() {
        assert_eq!(
            to_html("if (a < b) {\n  x('{{ID}}');\n}").as_str(),
            concat!(
                r#"<span class="line"><span class="ln" aria-hidden="true">1</span>"#,
                r#"<span class="tok-keyword">if</span> (a &lt; b) {"#,
                "\n</span>",
                r#"<span class="line"><span class="ln" aria-hidden="true">2</span>"#,
                r#"  x(<span class="tok-string">'</span>"#,
                r#"<span class="tok-placeholder">{{ID}}</span><span class="tok-string">'</span>"#,
                r#");"#,
                "\n</span>",
                r#"<span class="line"><span class="ln" aria-hidden="true">3</span>"#,
                r#"}"#,
                "\n</span>",
            )
        );
        assert_eq!(
            to_html("a\n\nb")
                .as_str()
                .matches(r#"class="line""#)
                .count(),
            3,
            "an empty line keeps its number"
        );
    }
}

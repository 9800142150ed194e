//! Markup built as text, with a type that keeps it safe (pure).
//!
//! Only content is HTML text: the lesson prose from the content files and the highlighted
//! code. Everything else the page shows is a Leptos view. Text only becomes [`Markup`]
//! through [`escape`], and markup written in the code only through [`Markup::from_static`],
//! so a forgotten escape does not compile.

/// HTML that is safe to set as an element's `innerHTML`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Markup(String);

impl Markup {
    /// Markup written in the program itself (a literal, never data).
    pub fn from_static(markup: &'static str) -> Markup {
        Markup(markup.to_owned())
    }

    /// Appends more markup.
    pub fn push(&mut self, more: Markup) {
        self.0.push_str(&more.0);
    }

    /// This markup between two literals, such as `<p>` and `</p>`.
    pub fn wrap(self, open: &'static str, close: &'static str) -> Markup {
        Markup(format!("{open}{}{close}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text to hand to `innerHTML`.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl FromIterator<Markup> for Markup {
    fn from_iter<I: IntoIterator<Item = Markup>>(iter: I) -> Markup {
        let mut out = Markup::default();
        for part in iter {
            out.push(part);
        }
        out
    }
}

/// `text` made safe inside an element or a double-quoted attribute.
pub fn escape(text: &str) -> Markup {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    Markup(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes_only() {
        let cases = [
            (
                r#"<b class="x">Tom & 'Jerry'</b> é"#,
                "&lt;b class=&quot;x&quot;&gt;Tom &amp; 'Jerry'&lt;/b&gt; é",
            ),
            ("&amp;", "&amp;amp;"),
            ("", ""),
        ];
        for (text, want) in cases {
            assert_eq!(escape(text).as_str(), want, "{text}");
        }
    }

    #[test]
    fn markup_composes_only_escaped_text_and_literals() {
        let item: Markup = [
            Markup::from_static("<strong>"),
            escape("a<b"),
            Markup::from_static("</strong>"),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            item.wrap("<li>", "</li>").into_string(),
            "<li><strong>a&lt;b</strong></li>"
        );
    }
}

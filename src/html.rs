//! Escaping for markup built as text (pure). Static parts of the page (lesson prose, highlighted
//! code, the embed panel) are built as HTML strings: far smaller in the bundle than the same
//! markup as views, and the same in the browser.

/// `text` made safe inside an element or a double-quoted attribute.
pub fn escape(text: &str) -> String {
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes_only() {
        assert_eq!(
            escape(r#"<b class="x">Tom & 'Jerry'</b> é"#),
            "&lt;b class=&quot;x&quot;&gt;Tom &amp; 'Jerry'&lt;/b&gt; é"
        );
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }
}

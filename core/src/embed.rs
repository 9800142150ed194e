//! Embedding in course pages: theme, the host origin, the messages sent to and accepted from
//! the host page, and the iframe snippet (pure; `host.rs` does the posting).
//!
//! Every message is `{source: "spotify-playground", version: 1, type, …}`.

use serde::{Deserialize, Serialize};

use crate::html::escape;
use crate::routing::Target;
use crate::token::SavedToken;

/// The `source` of every message, both ways.
pub const SOURCE: &str = "spotify-playground";
/// The message format's version.
pub const VERSION: u64 = 1;

/// `?theme=`: light, dark, or whatever the system prefers (`set-theme` uses the same names,
/// read by the same [`Theme::from_param`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
    #[default]
    Auto,
}

impl Theme {
    pub fn from_param(text: &str) -> Option<Theme> {
        match text {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            "auto" => Some(Theme::Auto),
            _ => None,
        }
    }

    /// The `data-theme` attribute on `<html>`; `None` lets the system decide.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
            Theme::Auto => None,
        }
    }
}

/// An origin as `scheme://host[:port]`, lower-cased: what `postMessage` and
/// `MessageEvent.origin` use. Only `http` and `https`; nothing after the host but one `/`.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let problem = || {
        format!("\"{text}\" is not an origin: write it like https://course.example.com (scheme and host, no path).")
    };
    let lower = text.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(problem)?;
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if !host_ok || !port_ok {
        return Err(problem());
    }
    // Browsers leave a scheme's default port out of an origin; so does this, or a message
    // from `https://c.example` would not match `https://c.example:443`.
    let scheme = &lower[..lower.len() - rest.len()];
    let default_port = if scheme == "https://" { "443" } else { "80" };
    match port {
        Some(p) if p == default_port => Ok(format!("{scheme}{host}")),
        _ => Ok(format!("{scheme}{authority}")),
    }
}

/// Who may hear from and talk to this page, from `?parent_origin=` and `?share_token=`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostLink {
    /// The host page's origin, when the author named it.
    pub parent_origin: Option<String>,
    /// `?share_token=1`: the author opted in to receiving the token itself.
    pub share_token: bool,
    /// `?lti=1`: the host is a learning platform that launched this lesson (LTI); the content
    /// height goes to it as LTI's own `lti.frameResize`, which platforms such as Canvas read,
    /// in place of this page's `resize`.
    pub lti: bool,
}

impl HostLink {
    /// `postMessage`'s target origin: the named host, else `"*"`.
    pub fn target_origin(&self) -> &str {
        self.parent_origin.as_deref().unwrap_or("*")
    }

    /// The token travels only when the author opted in *and* named the host, so the browser
    /// delivers it to that origin and no other.
    pub fn shares_token(&self) -> bool {
        self.share_token && self.parent_origin.is_some()
    }

    /// `token-saved`: the expiry always; the token only under [`HostLink::shares_token`].
    pub fn token_saved(&self, token: &SavedToken) -> ToHost {
        let shared = self.shares_token();
        ToHost::TokenSaved {
            expires_at: token.expires_at,
            access_token: shared.then(|| token.access_token.clone()),
            token_type: shared.then(|| token.token_type.clone()),
        }
    }

    /// The message that reports the content `height`, as JSON text: this page's `resize`, or
    /// `{"subject": "lti.frameResize", "height": …}` for a learning platform.
    pub fn resize(&self, height: u64) -> String {
        if self.lti {
            serde_json::to_string(&LtiFrameResize {
                subject: "lti.frameResize",
                height,
            })
            .expect("a message is plain data")
        } else {
            ToHost::Resize { height }.json_text()
        }
    }

    /// A message from `origin` with `data` (JSON text), if the host may send it and it is one
    /// this page understands.
    pub fn incoming(&self, origin: &str, data: &str) -> Option<Command> {
        if self.parent_origin.as_deref() != Some(origin) {
            return None;
        }
        let message: FromHost = serde_json::from_str(data).ok()?;
        if message.source != SOURCE || message.version != VERSION {
            return None;
        }
        match message.kind.as_str() {
            "set-theme" => message
                .theme
                .as_deref()
                .and_then(Theme::from_param)
                .map(Command::SetTheme),
            "reset" => Some(Command::Reset),
            _ => None,
        }
    }
}

/// What the host page may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    SetTheme(Theme),
    /// Clears outputs and progress. Keys and the saved token stay: they are the learner's.
    Reset,
}

/// Every message to the host: `{source, version, type, …}`.
#[derive(Serialize)]
struct Envelope<M> {
    source: String,
    version: u64,
    #[serde(flatten)]
    message: M,
}

/// A message to the host page (docs/embedding.md lists them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ToHost {
    /// The learner saved a token: its expiry, and the token only if the author opted in.
    TokenSaved {
        expires_at: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        access_token: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        token_type: Option<String>,
    },
    /// The lesson (by id) whose cells have all run well. It carries nothing else, so there
    /// is nothing secret in it.
    LessonCompleted { lesson: String },
    /// The content height in CSS pixels.
    Resize { height: u64 },
}

impl ToHost {
    /// The message as JSON text, in its envelope.
    pub fn json_text(&self) -> String {
        let envelope = Envelope {
            source: SOURCE.to_owned(),
            version: VERSION,
            message: self,
        };
        serde_json::to_string(&envelope).expect("a message is plain data")
    }
}

/// LTI's message that asks the platform to size the tool's frame (LTI client-side
/// postMessages; Canvas documents it).
#[derive(Serialize)]
struct LtiFrameResize {
    subject: &'static str,
    height: u64,
}

/// A message from the host page: `{source, version, type: "set-theme", theme}` or
/// `{…, type: "reset"}`. Read as one flat record (no buffering of tagged variants); a theme
/// this page does not know is ignored.
#[derive(Deserialize)]
struct FromHost {
    source: String,
    version: u64,
    #[serde(rename = "type")]
    kind: String,
    theme: Option<String>,
}

/// What the page hands the Embed panel (in the on-demand module) when it first opens: all
/// that the snippet needs. The panel keeps the author's choices: the cell, the theme, and
/// the target, which starts as the page's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelContext {
    /// This page's origin, for example `https://playground.example`.
    pub page_origin: String,
    /// The lesson's title.
    pub lesson_title: String,
    /// The lesson's id; `None` for the first lesson, which needs none.
    pub lesson: Option<String>,
    /// The lesson's cells, as (id, title).
    pub cells: Vec<(String, String)>,
    pub target: Target,
}

impl PanelContext {
    /// The snippet for one cell (`cell`, or the whole lesson when `None`) in `theme`.
    pub fn snippet(&self, cell: Option<&str>, theme: Theme) -> String {
        snippet(&SnippetSettings {
            page_origin: self.page_origin.clone(),
            title: format!("Spotify Web API playground: {}", self.lesson_title),
            target: self.target,
            lesson: self.lesson.clone(),
            cells: cell.map(str::to_owned).into_iter().collect(),
            theme,
        })
    }
}

/// What the Embed panel turns into a snippet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnippetSettings {
    /// This page's origin, for example `https://playground.example`.
    pub page_origin: String,
    /// The iframe's accessible name.
    pub title: String,
    /// The target the embedded page starts on.
    pub target: Target,
    /// The lesson's id; the first lesson needs none.
    pub lesson: Option<String>,
    /// Cell ids to show; empty for the whole lesson.
    pub cells: Vec<String>,
    pub theme: Theme,
}

/// The iframe, plus a script that sizes it from `resize` messages. Values are escaped for an
/// HTML attribute.
pub fn snippet(s: &SnippetSettings) -> String {
    // The lesson's own page, which holds the lesson's text before the page's code has run.
    let page = s
        .lesson
        .as_deref()
        .map_or(String::new(), |id| format!("{id}.html"));
    let mut src = format!(
        "{}/{page}?embed=1&target={}",
        s.page_origin,
        s.target.as_param()
    );
    if !s.cells.is_empty() {
        src.push_str("&cells=");
        src.push_str(&s.cells.join(","));
    }
    if let Some(theme) = s.theme.attribute() {
        src.push_str("&theme=");
        src.push_str(theme);
    }
    let origin = s.page_origin.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        r#"<iframe src="{src}" title="{title}" loading="lazy" allow="clipboard-write" style="width:100%;min-width:320px;height:420px;border:0"></iframe>
<script>
addEventListener("message", function (e) {{
  var m = e.data;
  if (e.origin !== "{origin}" || !m || m.source !== "spotify-playground" || m.type !== "resize") return;
  document.querySelectorAll("iframe").forEach(function (f) {{
    if (f.contentWindow === e.source) f.style.height = m.height + "px";
  }});
}});
</script>"#,
        src = escape(&src).as_str(),
        title = escape(&s.title).as_str(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panel_context_crosses_as_json_and_makes_the_snippet() {
        let context = PanelContext {
            page_origin: "https://play.example".into(),
            lesson_title: "Get an \"Artist\"".into(),
            lesson: Some("artist".into()),
            cells: vec![("get".into(), "Get it".into())],
            target: Target::Sandbox,
        };
        let text = serde_json::to_string(&context).expect("JSON");
        let back: PanelContext = serde_json::from_str(&text).expect("read back");
        assert_eq!(back, context);
        let cases = [
            (None, Theme::Auto, "src=\"https://play.example/artist.html?embed=1&amp;target=sandbox\""),
            (Some("get"), Theme::Dark, "src=\"https://play.example/artist.html?embed=1&amp;target=sandbox&amp;cells=get&amp;theme=dark\""),
        ];
        for (cell, theme, src) in cases {
            let snippet = back.snippet(cell, theme);
            assert!(snippet.contains(src), "{snippet}");
            assert!(
                snippet.contains("title=\"Spotify Web API playground: Get an &quot;Artist&quot;\""),
                "{snippet}"
            );
        }
    }

    fn token() -> SavedToken {
        SavedToken {
            access_token: "BQDsecret".into(),
            token_type: "Bearer".into(),
            expires_at: 1_800_000_000,
            target: Target::Sandbox,
        }
    }

    #[test]
    fn origins() {
        let cases = [
            ("https://course.example", Ok("https://course.example")),
            ("https://Course.Example/", Ok("https://course.example")),
            ("http://127.0.0.1:8000", Ok("http://127.0.0.1:8000")),
            ("https://c.example:443/", Ok("https://c.example")),
            ("http://c.example:80", Ok("http://c.example")),
            ("http://c.example:443", Ok("http://c.example:443")),
            ("https://course.example/lesson", Err(())),
            ("course.example", Err(())),
            ("javascript:alert(1)", Err(())),
            ("https://", Err(())),
            ("https://a.example:", Err(())),
            ("https://a.example:99999x", Err(())),
            ("https://user@a.example", Err(())),
            ("*", Err(())),
        ];
        for (input, expected) in cases {
            let got = parse_origin(input);
            match expected {
                Ok(origin) => assert_eq!(got.as_deref(), Ok(origin), "{input}"),
                Err(()) => assert!(got.unwrap_err().contains("not an origin"), "{input}"),
            }
        }
    }

    #[test]
    fn token_saved_never_carries_the_token_without_both_opt_ins() {
        let cases = [
            (None, false, "*", false),
            (None, true, "*", false),
            (Some("https://c.example"), false, "https://c.example", false),
            (Some("https://c.example"), true, "https://c.example", true),
        ];
        for (parent, share, target, carries) in cases {
            let link = HostLink {
                parent_origin: parent.map(str::to_owned),
                share_token: share,
                lti: false,
            };
            let text = link.token_saved(&token()).json_text();
            let message: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(link.target_origin(), target);
            assert_eq!(message["type"].as_str(), Some("token-saved"));
            assert_eq!(message["source"].as_str(), Some(SOURCE));
            assert_eq!(message["version"].as_u64(), Some(1));
            assert_eq!(message["expires_at"].as_u64(), Some(1_800_000_000));
            assert_eq!(text.contains("BQDsecret"), carries, "{parent:?} {share}");
        }
    }

    #[test]
    fn incoming_messages_only_from_the_named_parent() {
        let link = HostLink {
            parent_origin: Some("https://c.example".into()),
            share_token: false,
            lti: false,
        };
        let msg = |text: &str| text.to_owned();
        let dark =
            msg(r#"{"source":"spotify-playground","version":1,"type":"set-theme","theme":"dark"}"#);
        let reset = msg(r#"{"source":"spotify-playground","version":1,"type":"reset"}"#);
        assert_eq!(
            link.incoming("https://c.example", &dark),
            Some(Command::SetTheme(Theme::Dark))
        );
        assert_eq!(
            link.incoming("https://c.example", &reset),
            Some(Command::Reset)
        );
        let refused = [
            ("https://evil.example", dark.clone()),
            ("https://c.example.evil.example", reset.clone()),
            ("null", reset.clone()),
            (
                "https://c.example",
                msg(r#"{"source":"other","version":1,"type":"reset"}"#),
            ),
            (
                "https://c.example",
                msg(r#"{"source":"spotify-playground","version":2,"type":"reset"}"#),
            ),
            (
                "https://c.example",
                msg(
                    r#"{"source":"spotify-playground","version":1,"type":"set-theme","theme":"pink"}"#,
                ),
            ),
            (
                "https://c.example",
                msg(r#"{"source":"spotify-playground","version":1,"type":"navigate"}"#),
            ),
            ("https://c.example", msg(r#""reset""#)),
            ("https://c.example", msg("not JSON")),
        ];
        for (origin, data) in refused {
            assert_eq!(link.incoming(origin, &data), None, "{origin} {data}");
        }
        let no_parent = HostLink::default();
        assert_eq!(no_parent.incoming("https://c.example", &reset), None);
    }

    #[test]
    fn resize_message() {
        let page = HostLink::default();
        let platform = HostLink {
            lti: true,
            ..HostLink::default()
        };
        for (link, want) in [
            (
                page,
                r#"{"source":"spotify-playground","version":1,"type":"resize","height":512}"#,
            ),
            (platform, r#"{"subject":"lti.frameResize","height":512}"#),
        ] {
            assert_eq!(link.resize(512), want, "{link:?}");
        }
    }

    #[test]
    fn lesson_completed_message() {
        assert_eq!(
            ToHost::LessonCompleted {
                lesson: "search".into()
            }
            .json_text(),
            r#"{"source":"spotify-playground","version":1,"type":"lesson-completed","lesson":"search"}"#
        );
    }

    #[test]
    fn snippet_has_what_an_author_needs() {
        let s = snippet(&SnippetSettings {
            page_origin: "https://play.example".into(),
            title: "Spotify \"token\" lesson".into(),
            target: Target::Sandbox,
            lesson: None,
            cells: vec!["token".into(), "validate".into()],
            theme: Theme::Dark,
        });
        assert!(
            s.contains(r#"src="https://play.example/?embed=1&amp;target=sandbox&amp;cells=token,validate&amp;theme=dark""#),
            "{s}"
        );
        assert!(
            s.contains(r#"title="Spotify &quot;token&quot; lesson""#),
            "{s}"
        );
        assert!(s.contains(r#"loading="lazy""#));
        assert!(s.contains(r#"allow="clipboard-write""#));
        assert!(s.contains(r#"e.origin !== "https://play.example""#), "{s}");
        assert!(s.contains("m.type !== \"resize\""));
        let whole = snippet(&SnippetSettings {
            page_origin: "https://play.example".into(),
            title: "t".into(),
            target: Target::Spotify,
            lesson: Some("artist-albums".into()),
            cells: vec![],
            theme: Theme::Auto,
        });
        assert!(
            whole.contains(
                r#"src="https://play.example/artist-albums.html?embed=1&amp;target=spotify""#
            ),
            "{whole}"
        );
    }
}

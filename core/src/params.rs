//! The page's URL parameters, parsed once at start-up (pure).

use wire::http::parse_form;

use crate::embed::{parse_origin, HostLink, Theme};
use crate::routing::{Relay, Target};

/// Longest sandbox token lifetime accepted from the URL: a day.
const MAX_SANDBOX_LIFETIME: u64 = 86_400;

/// Settings chosen through the page's URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageParams {
    /// `?target=`; `None` when absent, so the page can fall back to its default.
    pub target: Option<Target>,
    /// `?relay=`; overrides the stored setting for this visit.
    pub relay: Option<Relay>,
    /// `?sandbox_token_lifetime=` in seconds.
    pub sandbox_token_lifetime: Option<u64>,
    /// `?embed=1`: the compact layout for iframes.
    pub embed: bool,
    /// `?cells=token,validate`: the cells to show, by id; `None` shows the whole lesson.
    pub cells: Option<Vec<String>>,
    /// `?theme=`.
    pub theme: Theme,
    /// `?parent_origin=` and `?share_token=`.
    pub host: HostLink,
    /// Visible, non-fatal notices about parameters that were ignored.
    pub notices: Vec<String>,
}

/// Which lesson the page shows, as an index into `lesson_ids` (the course order). Each lesson
/// has its own page, `<id>.html` (the first is the site's index), whose last path segment
/// (with or without `.html`) names it; `path` is `location.pathname`. `?lesson=<id>`, the
/// older form of link, chooses another lesson and wins. An unknown id in it shows the page's
/// own lesson, with a notice that names the lessons.
pub fn lesson(path: &str, search: &str, lesson_ids: &[&str]) -> (usize, Option<String>) {
    let own = page_lesson(path, lesson_ids);
    let asked = parse_form(search.trim_start_matches('?'))
        .into_iter()
        .rfind(|(name, _)| name == "lesson")
        .map(|(_, value)| value);
    match asked {
        None => (own, None),
        Some(id) => match lesson_ids.iter().position(|l| *l == id) {
            Some(index) => (index, None),
            None => (
                own,
                Some(format!(
                    "There is no lesson \"{id}\". The lessons are {}. Showing \"{}\".",
                    lesson_ids.join(", "),
                    lesson_ids.get(own).copied().unwrap_or_default()
                )),
            ),
        },
    }
}

/// The lesson a page's path names: `.../<id>.html` or `.../<id>`; the first for anything
/// else (`/`, `/index.html`).
fn page_lesson(path: &str, lesson_ids: &[&str]) -> usize {
    let last = path.rsplit('/').next().unwrap_or_default();
    let name = last.strip_suffix(".html").unwrap_or(last);
    lesson_ids.iter().position(|id| *id == name).unwrap_or(0)
}

/// The page of lesson `id` (`first` is the course's first lesson, whose page is the site's
/// index): `<id>.html`, or `./`. Relative, so the site works under any path prefix.
pub fn lesson_page(id: &str, first: &str) -> String {
    if id == first {
        "./".to_owned()
    } else {
        format!("{id}.html")
    }
}

/// The link to lesson `id` (`first`: the course's first lesson) from a page whose query is
/// `search`: that lesson's page, with the same parameters (target, relay, embed, theme, …)
/// as written, but without `lesson` (the page names the lesson) and `cells` (cell ids belong
/// to one lesson). Lesson ids are `a-z`, `0-9` and `-`, so they need no encoding.
pub fn lesson_href(search: &str, id: &str, first: &str) -> String {
    let pairs: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            !pair.is_empty() && name != "lesson" && name != "cells"
        })
        .collect();
    let page = lesson_page(id, first);
    if pairs.is_empty() {
        page
    } else {
        format!("{page}?{}", pairs.join("&"))
    }
}

/// Parses `location.search` (with or without the leading `?`). `cell_ids` are the lesson's
/// cells, which `?cells=` may name. `?lesson=` is [`lesson`]'s.
pub fn parse(search: &str, cell_ids: &[&str]) -> PageParams {
    let mut params = PageParams {
        target: None,
        relay: None,
        sandbox_token_lifetime: None,
        embed: false,
        cells: None,
        theme: Theme::Auto,
        host: HostLink::default(),
        notices: Vec::new(),
    };
    let mut share_token = false;
    for (name, value) in parse_form(search.trim_start_matches('?')) {
        match name.as_str() {
            "target" => match Target::from_param(&value) {
                Some(t) => params.target = Some(t),
                None => params.notices.push(format!(
                    "Ignored target={value}: use target=sandbox or target=spotify."
                )),
            },
            "relay" => match Relay::parse(&value) {
                Ok(r) => params.relay = Some(r),
                Err(message) => params
                    .notices
                    .push(format!("Ignored the relay parameter. {message}")),
            },
            "sandbox_token_lifetime" => match value.parse::<u64>() {
                Ok(s) if (1..=MAX_SANDBOX_LIFETIME).contains(&s) => {
                    params.sandbox_token_lifetime = Some(s)
                }
                _ => params.notices.push(format!(
                    "Ignored sandbox_token_lifetime={value}: use a whole number of seconds from 1 to {MAX_SANDBOX_LIFETIME}."
                )),
            },
            "embed" | "share_token" | "lti" => {
                let on = match value.as_str() {
                    "1" | "true" => true,
                    "0" | "false" => false,
                    _ => {
                        params.notices.push(format!(
                            "Ignored {name}={value}: use {name}=1 or {name}=0."
                        ));
                        continue;
                    }
                };
                match name.as_str() {
                    "embed" => params.embed = on,
                    "lti" => params.host.lti = on,
                    _ => share_token = on,
                }
            }
            "cells" => {
                let wanted: Vec<&str> = value.split(',').map(str::trim).filter(|c| !c.is_empty()).collect();
                let unknown: Vec<&str> = wanted.iter().copied().filter(|c| !cell_ids.contains(c)).collect();
                if wanted.is_empty() || !unknown.is_empty() {
                    params.notices.push(format!(
                        "Ignored cells={value}: the cells of this lesson are {}. Showing all of them.",
                        cell_ids.join(", ")
                    ));
                } else {
                    params.cells = Some(wanted.into_iter().map(str::to_owned).collect());
                }
            }
            "theme" => match Theme::from_param(&value) {
                Some(theme) => params.theme = theme,
                None => params.notices.push(format!(
                    "Ignored theme={value}: use theme=light, theme=dark or theme=auto."
                )),
            },
            "parent_origin" => match parse_origin(&value) {
                Ok(origin) => params.host.parent_origin = Some(origin),
                Err(message) => params
                    .notices
                    .push(format!("Ignored parent_origin. {message}")),
            },
            "lesson" => {}
            other => params
                .notices
                .push(format!("Ignored the unknown parameter \"{other}\".")),
        }
    }
    params.host.share_token = share_token;
    if share_token && params.host.parent_origin.is_none() {
        params.notices.push(
            "share_token=1 needs parent_origin=https://your-course.example too, so the token can go to your page and no other. The token is not shared.".to_owned(),
        );
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    const CELLS: &[&str] = &["token", "validate"];

    #[test]
    fn parses_embedding_parameters() {
        let p = parse(
            "embed=1&cells=validate&theme=dark&parent_origin=http%3A%2F%2F127.0.0.1%3A8000&share_token=1",
            CELLS,
        );
        assert!(p.notices.is_empty(), "{:?}", p.notices);
        assert!(p.embed);
        assert_eq!(p.cells, Some(vec!["validate".to_owned()]));
        assert_eq!(p.theme, Theme::Dark);
        assert_eq!(
            p.host.parent_origin.as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert!(p.host.shares_token());
        let p = parse("share_token=1&parent_origin=https%3A%2F%2Fc.example", CELLS);
        assert!(p.host.shares_token(), "order does not matter");
        assert!(!p.host.lti, "not a learning platform");
        let p = parse("", CELLS);
        assert!(!p.embed && p.cells.is_none() && p.theme == Theme::Auto);
        assert!(!p.host.shares_token());
        // An LTI launch: the host is a learning platform.
        let p = parse("embed=1&lti=1", CELLS);
        assert!(
            p.notices.is_empty() && p.embed && p.host.lti,
            "{:?}",
            p.notices
        );
    }

    #[test]
    fn parses_known_parameters() {
        let p = parse(
            "?target=sandbox&sandbox_token_lifetime=5&relay=direct",
            CELLS,
        );
        assert_eq!(p.target, Some(Target::Sandbox));
        assert_eq!(p.sandbox_token_lifetime, Some(5));
        assert_eq!(p.relay, Some(Relay::Direct));
        assert!(p.notices.is_empty());
        let p = parse("relay=%2Frelay%2F", CELLS);
        assert_eq!(p.relay, Some(Relay::Prefix("/relay/".into())));
        assert_eq!(parse("", CELLS).target, None);
    }

    #[test]
    fn the_page_and_the_lesson_parameter_choose_a_lesson() {
        let ids = ["token", "search", "artist"];
        // (path, query, index, notice contains)
        let cases = [
            ("/", "", 0, None),
            ("/index.html", "target=sandbox", 0, None),
            ("/search.html", "", 1, None),
            ("/course/artist.html", "embed=1", 2, None),
            ("/artist", "", 2, None),
            ("/lyrics.html", "", 0, None),
            ("/", "lesson=search", 1, None),
            ("/search.html", "lesson=token", 0, None),
            ("/", "?embed=1&lesson=artist&cells=artist", 2, None),
            ("/", "lesson=token&lesson=artist", 2, None),
            (
                "/",
                "lesson=lyrics",
                0,
                Some("no lesson \"lyrics\". The lessons are token, search, artist. Showing \"token\""),
            ),
            (
                "/search.html",
                "lesson=lyrics",
                1,
                Some("Showing \"search\""),
            ),
            ("/", "lesson=", 0, Some("no lesson \"\"")),
        ];
        for (path, query, index, notice) in cases {
            let (got, message) = lesson(path, query, &ids);
            assert_eq!(got, index, "{path}?{query}");
            match notice {
                None => assert_eq!(message, None, "{path}?{query}"),
                Some(needle) => assert!(
                    message.as_deref().is_some_and(|m| m.contains(needle)),
                    "{path}?{query}: {message:?}"
                ),
            }
            assert!(parse(query, &["artist"])
                .notices
                .iter()
                .all(|n| !n.contains("lesson")));
        }
    }

    #[test]
    fn lesson_links_name_the_page_and_keep_the_other_parameters() {
        // (search, lesson, expected); "token" is the first lesson.
        let cases = [
            ("", "search", "search.html"),
            ("", "token", "./"),
            ("?target=sandbox", "token", "./?target=sandbox"),
            (
                "?target=sandbox&lesson=token&relay=%2Frelay%2F",
                "artist",
                "artist.html?target=sandbox&relay=%2Frelay%2F",
            ),
            (
                "embed=1&cells=validate&lesson=token&theme=dark",
                "search",
                "search.html?embed=1&theme=dark",
            ),
        ];
        for (search, id, expected) in cases {
            assert_eq!(lesson_href(search, id, "token"), expected, "{search}");
        }
    }

    #[test]
    fn bad_parameters_become_notices() {
        let cases = [
            ("target=prod", "target=sandbox"),
            ("sandbox_token_lifetime=0", "from 1 to"),
            ("sandbox_token_lifetime=abc", "whole number"),
            ("sandbox_token_lifetime=999999", "from 1 to"),
            ("relay=ftp%3A%2F%2Fx", "relay"),
            ("colour=red", "unknown parameter \"colour\""),
            ("embed=yes", "embed=1 or embed=0"),
            (
                "cells=token,lyrics",
                "cells of this lesson are token, validate",
            ),
            ("cells=", "cells of this lesson are"),
            ("theme=pink", "theme=light"),
            (
                "parent_origin=https%3A%2F%2Fc.example%2Fpage",
                "not an origin",
            ),
            ("share_token=1", "needs parent_origin"),
        ];
        for (query, needle) in cases {
            let p = parse(query, CELLS);
            assert_eq!(p.notices.len(), 1, "{query}");
            assert!(p.notices[0].contains(needle), "{query}: {}", p.notices[0]);
            assert_eq!(
                (p.target, p.sandbox_token_lifetime),
                (None, None),
                "{query}"
            );
        }
    }
}

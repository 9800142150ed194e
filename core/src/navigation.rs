//! The course around the shown lesson (pure): where the page is in it and how to get a key
//! another lesson provides ([`CourseMap`]); and its navigation as markup, the index of
//! lessons and the Previous/Next links. Those are static but for the "done" marks, so the
//! page sets them as HTML rather than as views, which is far smaller in the bundle
//! (docs/benchmarks.md).

use crate::html::{escape, Markup};
use crate::keys::ACCESS_TOKEN;
use crate::params::lesson_href;

/// A lesson as the navigation names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub title: String,
}

/// The course around the lesson on this page.
#[derive(Clone, Debug, Default)]
pub struct CourseMap {
    /// Each lesson's id and title, in course order.
    pub lessons: Vec<Entry>,
    /// The index of the lesson this page shows.
    pub current: usize,
    /// For each key a lesson provides (the token, saved keys), that lesson's index.
    pub providers: Vec<(String, usize)>,
    /// The keys that auto-renewal sends: client id, then secret.
    pub credentials: Option<(String, String)>,
}

impl CourseMap {
    /// How to get `key` when another lesson provides it: "Run lesson 2, "Search for an
    /// Item", and save ARTIST_ID first". `None` for keys typed here or provided here.
    pub fn how_to_get(&self, key: &str) -> Option<String> {
        let (_, index) = self.providers.iter().find(|(k, _)| k == key)?;
        if *index == self.current {
            return None;
        }
        let title = &self.lessons.get(*index)?.title;
        let what = if key == ACCESS_TOKEN {
            "the access token".to_owned()
        } else {
            key.to_owned()
        };
        Some(format!(
            "Run lesson {}, \"{title}\", and save {what} first",
            index + 1
        ))
    }

    /// The id of the lesson this page shows.
    pub fn lesson_id(&self) -> &str {
        self.lessons.get(self.current).map_or("", |e| e.id.as_str())
    }
}

fn link(search: &str, entry: &Entry, attributes: &'static str, text: Markup) -> Markup {
    [
        Markup::from_static("<a href=\""),
        escape(&lesson_href(search, &entry.id)),
        Markup::from_static("\""),
        Markup::from_static(attributes),
        Markup::from_static(">"),
        text,
        Markup::from_static("</a>"),
    ]
    .into_iter()
    .collect()
}

/// The index's list: one link per lesson, named by its title. The current lesson's has
/// `aria-current="page"`; a done lesson's name ends in "(done)", and a check mark shows it.
pub fn index(lessons: &[Entry], current: usize, done: &[String], search: &str) -> Markup {
    lessons
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let is_done = done.contains(&entry.id);
            let mut text = escape(&entry.title);
            if is_done {
                text.push(Markup::from_static(
                    r#"<span class="sr-only"> (done)</span>"#,
                ));
            }
            let attributes = if i == current {
                r#" aria-current="page""#
            } else {
                ""
            };
            let mut item = link(search, entry, attributes, text);
            if is_done {
                item.push(Markup::from_static(
                    r#"<span class="done-mark" aria-hidden="true">✓</span>"#,
                ));
            }
            item.wrap(
                if is_done {
                    r#"<li class="done">"#
                } else {
                    "<li>"
                },
                "</li>",
            )
        })
        .collect::<Markup>()
        .wrap("<ol>", "</ol>")
}

/// "Previous: …" and "Next: …" links around the lesson at `current`.
pub fn previous_next(lessons: &[Entry], current: usize, search: &str) -> Markup {
    let mut out = Markup::default();
    if let Some(previous) = current.checked_sub(1).and_then(|i| lessons.get(i)) {
        let text = escape(&format!("Previous: {}", previous.title));
        out.push(link(search, previous, r#" rel="prev""#, text));
    }
    if let Some(next) = lessons.get(current + 1) {
        let text = escape(&format!("Next: {}", next.title));
        out.push(link(search, next, r#" rel="next""#, text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course() -> Vec<Entry> {
        [
            ("token", "Get a <token>"),
            ("search", "Search"),
            ("artist", "Artist"),
        ]
        .into_iter()
        .map(|(id, title)| Entry {
            id: id.into(),
            title: title.into(),
        })
        .collect()
    }

    #[test]
    fn a_key_from_another_lesson_says_which_to_run() {
        let map = CourseMap {
            lessons: course(),
            current: 2,
            providers: vec![("ACCESS_TOKEN".into(), 0), ("ARTIST_ID".into(), 1)],
            credentials: None,
        };
        assert_eq!(
            map.how_to_get("ACCESS_TOKEN").as_deref(),
            Some("Run lesson 1, \"Get a <token>\", and save the access token first")
        );
        assert_eq!(
            map.how_to_get("ARTIST_ID").as_deref(),
            Some("Run lesson 2, \"Search\", and save ARTIST_ID first")
        );
        assert_eq!(map.how_to_get("CLIENT_ID"), None, "typed, not provided");
        let here = CourseMap { current: 1, ..map };
        assert_eq!(
            here.how_to_get("ARTIST_ID"),
            None,
            "provided by this lesson"
        );
        assert_eq!(here.lesson_id(), "search");
    }

    #[test]
    fn the_index_marks_the_current_and_the_done_lessons() {
        let done = ["token".to_owned()];
        let html = index(&course(), 1, &done, "?target=sandbox");
        assert_eq!(
            html.as_str(),
            concat!(
                r#"<ol><li class="done"><a href="?target=sandbox&amp;lesson=token">Get a &lt;token&gt;<span class="sr-only"> (done)</span></a><span class="done-mark" aria-hidden="true">✓</span></li>"#,
                r#"<li><a href="?target=sandbox&amp;lesson=search" aria-current="page">Search</a></li>"#,
                r#"<li><a href="?target=sandbox&amp;lesson=artist">Artist</a></li></ol>"#
            )
        );
    }

    #[test]
    fn previous_and_next_exist_only_where_there_is_a_lesson() {
        let lessons = course();
        // (current, markup)
        let cases = [
            (0, r#"<a href="?lesson=search" rel="next">Next: Search</a>"#.to_owned()),
            (
                1,
                r#"<a href="?lesson=token" rel="prev">Previous: Get a &lt;token&gt;</a><a href="?lesson=artist" rel="next">Next: Artist</a>"#.to_owned(),
            ),
            (2, r#"<a href="?lesson=search" rel="prev">Previous: Search</a>"#.to_owned()),
        ];
        for (current, expected) in cases {
            assert_eq!(
                previous_next(&lessons, current, "").as_str(),
                expected,
                "{current}"
            );
        }
    }
}

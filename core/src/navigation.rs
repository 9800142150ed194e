//! The course around the shown lesson (pure): where the page is in it and how to get a key
//! another lesson provides ([`CourseMap`]); and what its navigation shows, the index of
//! lessons and the Previous/Next links, as data that the page's views render.

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

/// A lesson in the course index. Whether it is done is the course's progress
/// (`CourseState::is_done`), which changes while the page is open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexItem {
    pub id: String,
    /// The link to the lesson, keeping the page's other parameters.
    pub href: String,
    pub title: String,
    /// The lesson this page shows (`aria-current="page"`).
    pub current: bool,
}

/// The course index: one item per lesson, in course order.
pub fn index(lessons: &[Entry], current: usize, search: &str) -> Vec<IndexItem> {
    lessons
        .iter()
        .enumerate()
        .map(|(i, entry)| IndexItem {
            id: entry.id.clone(),
            href: link(lessons, &entry.id, search),
            title: entry.title.clone(),
            current: i == current,
        })
        .collect()
}

/// The link to lesson `id` of the course `lessons` from a page whose query is `search`
/// (`params::lesson_href`: the first lesson's page is the site's index).
pub fn link(lessons: &[Entry], id: &str, search: &str) -> String {
    lesson_href(search, id, lessons.first().map_or("", |e| e.id.as_str()))
}

/// Where the shown lesson stands in the course: "Lesson 2 of 5: Search for an Item", the
/// label of the folded index on narrow screens.
pub fn position(lessons: &[Entry], current: usize) -> String {
    match lessons.get(current) {
        Some(entry) => format!(
            "Lesson {} of {}: {}",
            current + 1,
            lessons.len(),
            entry.title
        ),
        None => format!("{} lessons", lessons.len()),
    }
}

/// How far the course is: "2 of 5 lessons done".
pub fn progress(lessons: &[Entry], is_done: impl Fn(&str) -> bool) -> String {
    let done = lessons.iter().filter(|e| is_done(&e.id)).count();
    format!("{done} of {} lessons done", lessons.len())
}

/// A link under the lesson: "Previous: …" (`rel="prev"`) or "Next: …" (`rel="next"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub href: String,
    pub text: String,
    /// "prev" or "next".
    pub rel: &'static str,
}

/// The Previous and Next links around the lesson at `current`, where there is a lesson.
pub fn previous_next(lessons: &[Entry], current: usize, search: &str) -> Vec<Step> {
    let previous = current.checked_sub(1).and_then(|i| lessons.get(i));
    let next = lessons.get(current + 1);
    [(previous, "prev", "Previous"), (next, "next", "Next")]
        .into_iter()
        .filter_map(|(entry, rel, word)| {
            entry.map(|e| Step {
                href: link(lessons, &e.id, search),
                text: format!("{word}: {}", e.title),
                rel,
            })
        })
        .collect()
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
    fn the_index_says_where_the_lesson_stands_and_how_far_the_course_is() {
        let lessons = course();
        // (current, position)
        let positions = [
            (0, "Lesson 1 of 3: Get a <token>"),
            (2, "Lesson 3 of 3: Artist"),
            (3, "3 lessons"),
        ];
        for (current, text) in positions {
            assert_eq!(position(&lessons, current), text, "{current}");
        }
        // (done lessons, progress)
        let cases: [(&[&str], &str); 4] = [
            (&[], "0 of 3 lessons done"),
            (&["search"], "1 of 3 lessons done"),
            (&["token", "search", "artist"], "3 of 3 lessons done"),
            (&["elsewhere"], "0 of 3 lessons done"),
        ];
        for (done, text) in cases {
            assert_eq!(
                progress(&lessons, |id| done.contains(&id)),
                text,
                "{done:?}"
            );
        }
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
    fn the_index_links_every_lesson_and_marks_the_current_one() {
        let item = |id: &str, href: &str, title: &str, current| IndexItem {
            id: id.into(),
            href: href.into(),
            title: title.into(),
            current,
        };
        assert_eq!(
            index(&course(), 1, "?target=sandbox"),
            vec![
                item("token", "./?target=sandbox", "Get a <token>", false),
                item("search", "search.html?target=sandbox", "Search", true),
                item("artist", "artist.html?target=sandbox", "Artist", false),
            ]
        );
    }

    #[test]
    fn previous_and_next_exist_only_where_there_is_a_lesson() {
        let lessons = course();
        let step = |href: &str, text: &str, rel| Step {
            href: href.into(),
            text: text.into(),
            rel,
        };
        let cases = [
            (0, vec![step("search.html", "Next: Search", "next")]),
            (
                1,
                vec![
                    step("./", "Previous: Get a <token>", "prev"),
                    step("artist.html", "Next: Artist", "next"),
                ],
            ),
            (2, vec![step("search.html", "Previous: Search", "prev")]),
        ];
        for (current, expected) in cases {
            assert_eq!(previous_next(&lessons, current, ""), expected, "{current}");
        }
    }
}

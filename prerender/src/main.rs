//! Writes each lesson's own page into the built site (`dist/` by default, or the folder
//! given): `<id>.html`, and the first lesson into `index.html`. Each is Trunk's `index.html`
//! with the lesson rendered to HTML by the page's own components (`playground::ui::prerender`,
//! as a first visit shows it), the lesson's title, its id and the course's, and the lesson's
//! file as a JSON data block. A reader reads the lesson while the page's code loads, or
//! without it; the page reads the file from the block and replaces the prerendered lesson
//! when it mounts.
//!
//! Run by `cargo xtask dist` after `trunk build`, before the files are compressed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use any_spawner::{CustomExecutor, Executor, PinnedFuture, PinnedLocalFuture};
use playground_core::html::escape;
use playground_core::lesson::Lesson;

fn main() -> ExitCode {
    let dist = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("dist"), PathBuf::from);
    match run(&dist) {
        Ok(pages) => {
            println!(
                "prerender: wrote {} lesson pages into {}",
                pages.len(),
                dist.display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("prerender: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Leptos' task spawner for the render: it drops every task. The page's effects (storage,
/// the clock, the host page) are tasks, and the build must run none of them; what a first
/// visit shows is the components' first render.
struct Dropping;

impl CustomExecutor for Dropping {
    fn spawn(&self, _task: PinnedFuture<()>) {}
    fn spawn_local(&self, _task: PinnedLocalFuture<()>) {}
    fn poll_local(&self) {}
}

/// Writes every lesson's page; returns their file names.
fn run(dist: &Path) -> Result<Vec<String>, String> {
    Executor::init_custom_executor(Dropping)
        .map_err(|e| format!("could not set the render's task spawner: {e:?}"))?;
    let index = dist.join("index.html");
    let template = std::fs::read_to_string(&index).map_err(|e| {
        format!(
            "cannot read {} ({e}): build the page first (trunk build)",
            index.display()
        )
    })?;
    let outline = playground::content::course();
    let first = outline
        .lessons
        .first()
        .map(|l| l.id.clone())
        .unwrap_or_default();
    let course: Vec<&str> = outline.lessons.iter().map(|l| l.id.as_str()).collect();
    let course = course.join(" ");
    let mut written = Vec::new();
    for entry in &outline.lessons {
        let path = dist.join("content").join(&entry.file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {} ({e})", path.display()))?;
        let lesson: Lesson = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a lesson: {e}", path.display()))?;
        let title = lesson.document_title();
        let head = Head {
            id: &entry.id,
            title: &title,
            course: &course,
        };
        let html = page(
            &template,
            &head,
            &playground::ui::prerender(lesson.clone()),
            &text,
        )?;
        let name = if entry.id == first {
            "index.html".to_owned()
        } else {
            format!("{}.html", entry.id)
        };
        std::fs::write(dist.join(&name), html).map_err(|e| format!("cannot write {name} ({e})"))?;
        written.push(name);
    }
    let picker = picker_page(&template, &playground::ui::lti_picker(&outline))?;
    std::fs::write(dist.join(PICKER), picker)
        .map_err(|e| format!("cannot write {PICKER} ({e})"))?;
    written.push(PICKER.to_owned());
    Ok(written)
}

/// The page an instructor picks lessons on (LTI Deep Linking); the server fills it in.
const PICKER: &str = "lti-picker.html";

/// The lesson picker's page: a document of its own with the page's stylesheet (the
/// `<link rel=stylesheet>` of Trunk's `index.html`) and none of its scripts: the picker is
/// a form, and the page's code must not start on it.
fn picker_page(template: &str, body: &str) -> Result<String, String> {
    let stylesheet = template
        .match_indices("<link ")
        .map(|(at, _)| &template[at..at + template[at..].find('>').map_or(0, |end| end + 1)])
        .find(|tag| tag.contains("rel=stylesheet") || tag.contains("rel=\"stylesheet\""))
        .ok_or("index.html has no stylesheet link for the lesson picker")?;
    Ok(format!(
        "<!doctype html><html lang=en><meta charset=utf-8>\
         <meta content=\"width=device-width,initial-scale=1\" name=viewport>\
         <meta content=\"light dark\" name=color-scheme><link href=data:, rel=icon>\
         {stylesheet}<title>Add lessons to the course · Spotify Web API playground</title>\
         <body>{body}</body></html>"
    ))
}

/// What a lesson's page says about it in its head.
struct Head<'a> {
    id: &'a str,
    /// The document's title.
    title: &'a str,
    /// The course's lesson ids in order, separated by spaces.
    course: &'a str,
}

/// `template` (Trunk's `index.html`) with the lesson's title and id after `<title>`, and
/// before the "Loading" line the prerendered lesson (`body`) in `#prerender` and the lesson's
/// file (`data`) in `#lesson-<id>`, a JSON data block the page reads instead of fetching
/// the file. Trunk minifies its output, so the two places are found by what minifying keeps.
fn page(template: &str, head: &Head, body: &str, data: &str) -> Result<String, String> {
    if template.contains("id=prerender") || template.contains("id=\"prerender\"") {
        return Err("index.html already holds a prerendered lesson: build the page again (trunk build) before this step".into());
    }
    let title_start = template
        .find("<title>")
        .ok_or("index.html has no <title>")?
        + "<title>".len();
    let title_end = template[title_start..]
        .find("</title>")
        .ok_or("index.html's <title> is not closed")?
        + title_start;
    // The minifier may reorder attributes: the "Loading" line is the `<p` before its id.
    let loading = ["id=loading", "id=\"loading\""]
        .iter()
        .find_map(|id| template.find(id))
        .and_then(|id| template[..id].rfind("<p "))
        .ok_or("index.html has no <p id=\"loading\"> to put the lesson before")?;
    if loading < title_end {
        return Err("index.html's \"Loading\" line comes before its <title>".into());
    }
    let title = escape(head.title).into_string();
    let after_title = format!(
        "</title><meta name=lesson content={}><meta name=lessons content=\"{}\">",
        escape(head.id).into_string(),
        escape(head.course).into_string()
    );
    // Without the file's indentation; in a data block, `</script` or `<!--` would end or
    // change it, and `<` can only be in a JSON string, where `\u003c` means the same.
    let data = serde_json::from_str::<serde_json::Value>(data)
        .map_err(|e| format!("the lesson's file is not JSON: {e}"))?
        .to_string()
        .replace('<', "\\u003c");
    Ok([
        &template[..title_start],
        &title,
        &after_title,
        &template[title_end + "</title>".len()..loading],
        "<div id=prerender>",
        body,
        "</div><script type=application/json id=lesson-",
        &escape(head.id).into_string(),
        ">",
        &data,
        "</script>",
        &template[loading..],
    ]
    .concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: Head = Head {
        id: "search",
        title: "Search <for> an Item · Spotify Web API playground",
        course: "token search",
    };

    #[test]
    fn the_page_holds_the_lesson_its_title_and_its_file() {
        let data = "{\n  \"id\": \"search\",\n  \"prose\": \"<p>x</p><!-- y --></script>\"\n}";
        let written = r#"<script type=application/json id=lesson-search>{"id":"search","prose":"\u003cp>x\u003c/p>\u003c!-- y -->\u003c/script>"}</script>"#;
        // (template, expected), both in Trunk's minified form and as written.
        let cases = [
            (
                "<html lang=en><head><title>Playground</title><script>x</script></head><body><noscript>n</noscript><p id=loading role=status>Loading".to_owned(),
                format!("<html lang=en><head><title>Search &lt;for&gt; an Item · Spotify Web API playground</title><meta name=lesson content=search><meta name=lessons content=\"token search\"><script>x</script></head><body><noscript>n</noscript><div id=prerender><h1>Lesson</h1></div>{written}<p id=loading role=status>Loading"),
            ),
            (
                "<title>P</title>\n<body><p class=\"status\" id=\"loading\">L</p>".to_owned(),
                format!("<title>Search &lt;for&gt; an Item · Spotify Web API playground</title><meta name=lesson content=search><meta name=lessons content=\"token search\">\n<body><div id=prerender><h1>Lesson</h1></div>{written}<p class=\"status\" id=\"loading\">L</p>"),
            ),
        ];
        for (template, expected) in cases {
            assert_eq!(
                page(&template, &HEAD, "<h1>Lesson</h1>", data),
                Ok(expected)
            );
        }
        // What the page reads back is the file.
        let block = written
            .trim_start_matches("<script type=application/json id=lesson-search>")
            .trim_end_matches("</script>");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(block).expect("JSON"),
            serde_json::from_str::<serde_json::Value>(data).expect("JSON")
        );
    }

    #[test]
    fn the_lesson_picker_has_every_lesson_the_stylesheet_and_no_script() {
        Executor::init_custom_executor(Dropping).ok();
        let template = "<html><link href=data:, rel=icon><link href=/main-1.css integrity=x rel=stylesheet><link href=/p.js rel=modulepreload><script type=module>import x</script><title>T</title>";
        let outline = playground::content::course();
        let page = picker_page(template, &playground::ui::lti_picker(&outline)).expect("a page");
        assert!(
            page.contains("<link href=/main-1.css integrity=x rel=stylesheet>"),
            "{page}"
        );
        assert!(
            !page.contains("<script") && !page.contains("modulepreload"),
            "{page}"
        );
        assert!(
            page.contains(r#"<form method="post" action="/lti/deep-link">"#),
            "{page}"
        );
        assert!(
            page.contains(r#"<input type="hidden" name="dl" value="">"#),
            "{page}"
        );
        for entry in &outline.lessons {
            assert!(
                page.contains(&format!(r#"name="lesson" value="{}""#, entry.id)),
                "{}: {page}",
                entry.id
            );
        }
        assert_eq!(
            picker_page("<title>T</title>", "x"),
            Err("index.html has no stylesheet link for the lesson picker".to_owned())
        );
    }

    #[test]
    fn a_template_without_its_places_is_refused_by_name() {
        let cases = [
            ("<body><p id=loading>", "no <title>"),
            ("<title>P<body><p id=loading>", "not closed"),
            ("<title>P</title><body>", "no <p id=\"loading\">"),
            ("<p id=loading><title>P</title>", "before its <title>"),
            (
                "<title>P</title><div id=prerender></div><p id=loading>",
                "already holds",
            ),
        ];
        for (template, needle) in cases {
            let refused = page(template, &HEAD, "x", "{}").expect_err(template);
            assert!(refused.contains(needle), "{template}: {refused}");
        }
    }

    #[test]
    fn every_lesson_renders_with_its_title_prose_and_code() {
        Executor::init_custom_executor(Dropping).ok();
        let outline = playground::content::course();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        for entry in &outline.lessons {
            let text = std::fs::read_to_string(root.join(&entry.file)).expect("lesson file");
            let lesson: Lesson = serde_json::from_str(&text).expect("a lesson");
            let html = playground::ui::prerender(lesson.clone());
            assert!(
                html.contains(&format!(">{}</h1>", escape(&lesson.title).into_string())),
                "{}: the title",
                entry.id
            );
            assert!(html.contains("class=\"prose\""), "{}: prose", entry.id);
            assert!(html.contains("class=\"cell\""), "{}: a cell", entry.id);
            assert!(html.contains("class=\"line\""), "{}: code", entry.id);
            assert!(
                html.contains("aria-current=\"page\""),
                "{}: the index marks the lesson",
                entry.id
            );
        }
    }
}

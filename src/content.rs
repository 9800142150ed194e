//! The course's outline, checked by `build.rs` and written there as JSON with `Course`'s
//! derived serializer. Each lesson's own content stays in its file
//! (`content/<NN>-<id>.json`), which the page loads when it shows that lesson.

use playground_core::lesson::{Course, Outline};

/// The course's outline, from `content/` in file-name order, checked at build time.
pub fn course() -> Course {
    serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/course.json")))
        .expect("build.rs wrote the outline with the same derive")
}

/// Where the page finds a lesson's file, relative to itself.
pub fn lesson_url(outline: &Outline) -> String {
    format!("content/{}", outline.file)
}

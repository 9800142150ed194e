//! The course's outline, checked by `build.rs` and written there as JSON with `Course`'s
//! derived serializer. Each lesson's own content stays in its file
//! (`content/<NN>-<id>.json`), which the build writes into that lesson's page.

use playground_core::lesson::Course;

/// The course's outline, from `content/` in file-name order, checked at build time.
pub fn course() -> Course {
    serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/course.json")))
        .expect("build.rs wrote the outline with the same derive")
}

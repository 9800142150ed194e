//! The course's outline, checked and written out as Rust values by `build.rs`. Each lesson's
//! own content stays in its file (`content/<NN>-<id>.json`), which the page loads when it
//! shows that lesson.

use playground_core::lesson::{Course, KeySpec, Outline};

include!(concat!(env!("OUT_DIR"), "/course.rs"));

/// Where the page finds a lesson's file, relative to itself.
pub fn lesson_url(outline: &Outline) -> String {
    format!("content/{}", outline.file)
}

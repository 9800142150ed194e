//! The lessons in `content/`, read, checked and written out as Rust values by `build.rs`.

use playground_core::lesson::{
    Block, Cell, CellAction, Condition, ExplanationItem, KeySpec, Lesson, Step,
};

include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

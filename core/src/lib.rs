//! The playground's pure core: everything the page decides, with no browser API in reach.
//!
//! This crate has no dependency on leptos, web-sys, js-sys or wasm-bindgen, so the compiler
//! keeps it pure; `cargo xtask test` also checks its dependency tree. Time comes in as an
//! argument, requests and responses are plain values, and every function here is tested
//! natively.
//!
//! - content: `lesson` (the model the build reads from `content/*.json`), `keys`
//! - requests: `request`, `routing`, `classify`, `output`, `exchange` (what went over the
//!   wire), `export` (snippets in five languages)
//! - running code: `runner` (keys into code, worker messages), `verdict` (what a run means),
//!   `renewal` (auto-renewal's decisions and messages)
//! - page state: `token`, `params`, `embed`, `progress`, `navigation`
//! - the server's side of a graded lesson: `grading` (what it must see; the page never
//!   links it)
//! - markup: `html`, `highlight`

pub mod classify;
pub mod embed;
pub mod exchange;
pub mod export;
pub mod grading;
pub mod highlight;
pub mod html;
pub mod keys;
pub mod lesson;
pub mod navigation;
pub mod output;
pub mod params;
pub mod progress;
pub mod renewal;
pub mod request;
pub mod routing;
pub mod runner;
pub mod token;
pub mod verdict;

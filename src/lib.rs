//! The Spotify Web API playground page: the components and the browser edges.
//!
//! Everything the page decides is in the pure `playground_core` crate, which cannot reach a
//! browser API. This crate holds:
//! - the I/O edges, each the only module that touches its API: `net` (requests), `storage`
//!   (localStorage/sessionStorage), `clock` (the time), `location` (the URL), `host` (the page
//!   that embeds this one), `worker` (the Web Workers that run cells), `focus` (keyboard
//!   focus by element id) and `ondemand` (loads the on-demand module: sandbox, inspector);
//! - `content`: the course's outline, checked and turned into Rust values by the build
//!   script (each lesson's content is loaded from its file);
//! - `state`: the shared reactive state; `run`: the run controller;
//! - `ui`: the components.

pub mod clock;
pub mod focus;
pub mod host;
pub mod location;
pub mod net;
pub mod ondemand;
pub mod storage;
pub mod worker;

pub mod content;
pub mod run;
pub mod state;

pub mod ui;

pub use ui::start;

/// True in the browser. False when the build renders the page natively (crate `prerender`):
/// then the edges find no browser (nothing stored, no query, the time 0), and the page's
/// connections to the outside world (listeners, the clock's interval) are not made. A
/// constant, so the browser's build carries no trace of it.
pub const LIVE: bool = cfg!(target_arch = "wasm32");

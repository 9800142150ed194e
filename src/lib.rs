//! The Spotify Web API playground: the lesson "Obtain the Client Credential Access Token".
//!
//! Module map: a pure core (`lesson`, `keys`, `request`, `routing`, `params`, `classify`,
//! `token`, `output`, `highlight`, `html`, `embed`, `runner`), the I/O edges (`net` for requests, `storage` for
//! browser storage, `clock` for time, `location` for the URL, `host` for the page that embeds
//! this one, `worker` for the Web Workers that run cells) and the components in `ui`.

pub mod classify;
pub mod embed;
pub mod highlight;
pub mod html;
pub mod keys;
pub mod lesson;
pub mod output;
pub mod params;
pub mod request;
pub mod routing;
pub mod runner;
pub mod token;

pub mod clock;
pub mod host;
pub mod location;
pub mod net;
pub mod storage;
pub mod worker;

pub mod ui;

pub use ui::App;

//! The format of `catalog.json`, as serde reads it: the one description of the file, shared
//! by the build's check (`build.rs` includes this module) and the run-time reader
//! (`Catalog::from_file`). Artists are named by id here; the catalog resolves them.

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    pub artists: Vec<ArtistEntry>,
    pub albums: Vec<AlbumEntry>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtistEntry {
    pub id: String,
    pub name: String,
    /// For the `genre:` search filter; artist objects do not show them.
    pub genres: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlbumType {
    Album,
    Single,
    Compilation,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlbumEntry {
    pub id: String,
    pub name: String,
    pub album_type: AlbumType,
    /// Artist ids.
    pub artists: Vec<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub release_date: String,
    pub upc: String,
    pub tracks: Vec<TrackEntry>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackEntry {
    pub id: String,
    pub name: String,
    pub duration_ms: u64,
    #[serde(default)]
    pub explicit: bool,
    /// Artist ids; the album's artists when absent.
    #[serde(default)]
    pub artists: Option<Vec<String>>,
    pub isrc: String,
}

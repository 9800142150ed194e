//! The sandbox's catalog: invented artists, albums and tracks from `catalog.json`, and the
//! objects the Web API builds from them, with the 2026 Development Mode field set
//! (docs/spotify-protocol.md, "Objects"). Removed fields are absent, not `null`.
//!
//! The catalog is data read at run time: the server and the page's on-demand module (which
//! the page loads the first time its sandbox answers) embed the file, so the page's first load
//! does not carry it (docs/benchmarks.md). The build checks the file (`build.rs`).

use crate::json::{self, Object};

/// An artist. `genres` feed the `genre:` search filter; the object does not show them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artist {
    pub id: String,
    pub name: String,
    pub genres: Vec<String>,
}

pub use crate::catalog_file::AlbumType;
use crate::catalog_file::CatalogFile;

impl AlbumType {
    pub fn as_str(self) -> &'static str {
        match self {
            AlbumType::Album => "album",
            AlbumType::Single => "single",
            AlbumType::Compilation => "compilation",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Album {
    pub id: String,
    pub name: String,
    pub album_type: AlbumType,
    /// Indices into [`Catalog::artists`].
    pub artists: Vec<usize>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub release_date: String,
    pub upc: String,
    pub tracks: Vec<Track>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Track {
    pub id: String,
    pub name: String,
    pub duration_ms: u64,
    pub explicit: bool,
    /// Indices into [`Catalog::artists`].
    pub artists: Vec<usize>,
    pub isrc: String,
}

/// Every artist and album, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    pub artists: Vec<Artist>,
    pub albums: Vec<Album>,
}

/// The catalog file, for the server, the page's on-demand module and the tests.
#[cfg(any(test, feature = "builtin-catalog"))]
pub const BUILTIN: &str = include_str!("../catalog.json");

#[cfg(any(test, feature = "builtin-catalog"))]
impl Catalog {
    /// [`BUILTIN`], read once.
    pub fn builtin() -> std::sync::Arc<Catalog> {
        static READ: std::sync::OnceLock<std::sync::Arc<Catalog>> = std::sync::OnceLock::new();
        READ.get_or_init(|| {
            std::sync::Arc::new(
                Catalog::from_file(BUILTIN).expect("the build checked catalog.json"),
            )
        })
        .clone()
    }
}

impl Catalog {
    /// Reads `catalog.json` with its serde description (`catalog_file`). The build checked
    /// the shipped file in full; this refuses only what would make the catalog unusable
    /// (a member missing or of the wrong type, an unknown artist).
    pub fn from_file(text: &str) -> Result<Catalog, String> {
        let file: CatalogFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let artists: Vec<Artist> = file
            .artists
            .into_iter()
            .map(|a| Artist {
                id: a.id,
                name: a.name,
                genres: a.genres,
            })
            .collect();
        let index = |ids: &[String]| -> Result<Vec<usize>, String> {
            ids.iter()
                .map(|id| {
                    artists
                        .iter()
                        .position(|a| a.id == *id)
                        .ok_or_else(|| format!("unknown artist `{id}`"))
                })
                .collect()
        };
        let mut albums = Vec::new();
        for album in file.albums {
            let album_artists = index(&album.artists)?;
            let mut tracks = Vec::new();
            for track in album.tracks {
                tracks.push(Track {
                    artists: match &track.artists {
                        Some(ids) => index(ids)?,
                        None => album_artists.clone(),
                    },
                    id: track.id,
                    name: track.name,
                    duration_ms: track.duration_ms,
                    explicit: track.explicit,
                    isrc: track.isrc,
                });
            }
            albums.push(Album {
                id: album.id,
                name: album.name,
                album_type: album.album_type,
                artists: album_artists,
                release_date: album.release_date,
                upc: album.upc,
                tracks,
            });
        }
        Ok(Catalog { artists, albums })
    }

    pub fn artist(&self, id: &str) -> Option<&Artist> {
        self.artists.iter().find(|a| a.id == id)
    }

    pub fn album(&self, id: &str) -> Option<&Album> {
        self.albums.iter().find(|a| a.id == id)
    }

    /// A track with its album and its 1-based position there.
    pub fn track(&self, id: &str) -> Option<(&Album, usize, &Track)> {
        self.tracks().find(|(_, _, t)| t.id == id)
    }

    /// Every track with its album and position.
    pub fn tracks(&self) -> impl Iterator<Item = (&Album, usize, &Track)> {
        self.albums.iter().flat_map(|album| {
            album
                .tracks
                .iter()
                .enumerate()
                .map(move |(i, t)| (album, i + 1, t))
        })
    }

    /// The artists at these indices.
    pub fn artists_of<'c>(&'c self, indices: &'c [usize]) -> impl Iterator<Item = &'c Artist> {
        indices.iter().filter_map(|&i| self.artists.get(i))
    }
}

impl Album {
    /// The year of the release date.
    pub fn year(&self) -> u32 {
        self.release_date
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(0)
    }
}

/// `https://api.spotify.com/v1/{kind}s/{id}`.
pub fn href(kind: &str, id: &str) -> String {
    format!("https://api.spotify.com/v1/{kind}s/{id}")
}

/// `href`, `id`, `name`, `type` and `uri`, with `external_urls` before them: the members every
/// catalog object starts its identity with, in Spotify's order.
fn identity(o: &mut Object, kind: &str, id: &str) {
    o.raw(
        "external_urls",
        &Object::default()
            .str("spotify", &format!("https://open.spotify.com/{kind}/{id}"))
            .end(),
    )
    .str("href", &href(kind, id))
    .str("id", id);
}

fn uri(kind: &str, id: &str) -> String {
    format!("spotify:{kind}:{id}")
}

/// Image URLs as Spotify's CDN writes them: a size prefix and hex derived from the id.
fn images(id: &str, sizes: [(&str, u64); 3]) -> String {
    let seed = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    json::array(sizes.iter().map(|(prefix, size)| {
        let hex = format!("{seed:016x}{:08x}", (seed >> 17) as u32 ^ *size as u32);
        Object::default()
            .str("url", &format!("https://i.scdn.co/image/{prefix}{hex}"))
            .num("height", *size)
            .num("width", *size)
            .end()
    }))
}

/// SimplifiedArtist: `external_urls, href, id, name, type, uri`.
pub fn simplified_artist(artist: &Artist) -> String {
    let mut o = Object::default();
    identity(&mut o, "artist", &artist.id);
    o.str("name", &artist.name)
        .str("type", "artist")
        .str("uri", &uri("artist", &artist.id))
        .end()
}

/// The full Artist in Development Mode: `followers`, `genres` and `popularity` are gone.
pub fn full_artist(artist: &Artist) -> String {
    let mut o = Object::default();
    identity(&mut o, "artist", &artist.id);
    o.raw(
        "images",
        &images(
            &artist.id,
            [
                ("ab6761610000e5eb", 640),
                ("ab67616100005174", 320),
                ("ab6761610000f178", 160),
            ],
        ),
    )
    .str("name", &artist.name)
    .str("type", "artist")
    .str("uri", &uri("artist", &artist.id))
    .end()
}

fn artists<'c>(list: impl Iterator<Item = &'c Artist>) -> String {
    json::array(list.map(simplified_artist))
}

/// SimplifiedAlbum in Development Mode (no `available_markets`); `is_playable` when the
/// request named a market.
pub fn simplified_album(catalog: &Catalog, album: &Album, market: bool) -> String {
    let mut o = album_members(catalog, album, market);
    o.end()
}

fn album_members(catalog: &Catalog, album: &Album, market: bool) -> Object {
    let mut o = Object::default();
    o.str("album_type", album.album_type.as_str())
        .num("total_tracks", album.tracks.len() as u64);
    identity(&mut o, "album", &album.id);
    o.raw(
        "images",
        &images(
            &album.id,
            [
                ("ab67616d0000b273", 640),
                ("ab67616d00001e02", 300),
                ("ab67616d00004851", 64),
            ],
        ),
    )
    .str("name", &album.name)
    .str("release_date", &album.release_date)
    .str(
        "release_date_precision",
        match album.release_date.len() {
            4 => "year",
            7 => "month",
            _ => "day",
        },
    )
    .str("type", "album")
    .str("uri", &uri("album", &album.id))
    .raw("artists", &artists(catalog.artists_of(&album.artists)));
    if market {
        o.flag("is_playable", Some(true));
    }
    o
}

/// SimplifiedTrack in Development Mode: no `available_markets` or `linked_from`.
pub fn simplified_track(catalog: &Catalog, track: &Track, number: usize, market: bool) -> String {
    track_object(catalog, None, track, number, market)
}

/// The full Track: SimplifiedTrack plus `album` and `external_ids` (no `popularity`).
pub fn full_track(
    catalog: &Catalog,
    album: &Album,
    track: &Track,
    number: usize,
    market: bool,
) -> String {
    track_object(catalog, Some(album), track, number, market)
}

fn track_object(
    catalog: &Catalog,
    album: Option<&Album>,
    track: &Track,
    number: usize,
    market: bool,
) -> String {
    let mut o = Object::default();
    if let Some(album) = album {
        o.raw("album", &simplified_album(catalog, album, market));
    }
    o.raw("artists", &artists(catalog.artists_of(&track.artists)))
        .num("disc_number", 1)
        .num("duration_ms", track.duration_ms)
        .flag("explicit", Some(track.explicit));
    if album.is_some() {
        o.raw(
            "external_ids",
            &Object::default().str("isrc", &track.isrc).end(),
        );
    }
    identity(&mut o, "track", &track.id);
    if market {
        o.flag("is_playable", Some(true));
    }
    if album.is_some() {
        o.flag("is_local", Some(false));
    }
    o.str("name", &track.name)
        .flag("preview_url", None)
        .num("track_number", number as u64)
        .str("type", "track")
        .str("uri", &uri("track", &track.id));
    if album.is_none() {
        o.flag("is_local", Some(false));
    }
    o.end()
}

/// The full Album: SimplifiedAlbum plus its first 50 tracks, `copyrights`, `external_ids`
/// and `genres`, which Spotify documents as always empty (no `label` or `popularity`).
pub fn full_album(catalog: &Catalog, album: &Album, market: bool) -> String {
    let mut o = album_members(catalog, album, market);
    let tracks_href = format!("{}/tracks", href("album", &album.id));
    let page = crate::paging::Page::new(album.tracks.len(), 0, 50);
    let items = album.tracks[page.range()]
        .iter()
        .enumerate()
        .map(|(i, t)| simplified_track(catalog, t, i + 1, market))
        .collect();
    let owner = catalog
        .artists_of(&album.artists)
        .next()
        .map_or("", |a| a.name.as_str());
    let year = album.release_date.get(..4).unwrap_or_default();
    let copyright = |mark: &str, kind: &str| {
        Object::default()
            .str("text", &format!("{mark} {year} {owner}"))
            .str("type", kind)
            .end()
    };
    o.raw(
        "tracks",
        &page.object(&tracks_href, "", items, crate::paging::Order::ItemsSecond),
    )
    .raw(
        "copyrights",
        &json::array([copyright("©", "C"), copyright("℗", "P")]),
    )
    .raw(
        "external_ids",
        &Object::default().str("upc", &album.upc).end(),
    )
    .raw("genres", "[]")
    .end()
}

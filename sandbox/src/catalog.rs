//! The sandbox's catalog: invented artists, albums and tracks from `catalog.json`, and the
//! objects the Web API builds from them, with the 2026 Development Mode field set
//! (docs/spotify-protocol.md, "Objects"). Removed fields are absent, not `null`.
//!
//! The catalog is data read at run time: the server and the page's on-demand module (which
//! the page loads the first time its sandbox answers) embed the file, so the page's first load
//! does not carry it (docs/benchmarks.md). The build checks the file (`build.rs`).

use wire::json::{self, Object, Value};

/// An artist. `genres` feed the `genre:` search filter; the object does not show them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artist {
    pub id: String,
    pub name: String,
    pub genres: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlbumType {
    Album,
    Single,
    Compilation,
}

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
                Catalog::from_json(BUILTIN).expect("the build checked catalog.json"),
            )
        })
        .clone()
    }
}

impl Catalog {
    /// Reads `catalog.json`. The build checked the shipped file in full; this refuses only
    /// what would make the catalog unusable (missing members, unknown artists).
    pub fn from_json(json: &str) -> Result<Catalog, String> {
        let root = Value::parse(json).map_err(|e| e.to_string())?;
        let mut catalog = Catalog::default();
        for artist in root.items("artists") {
            catalog.artists.push(Artist {
                id: artist.text("id")?,
                name: artist.text("name")?,
                genres: artist
                    .items("genres")
                    .iter()
                    .filter_map(|g| g.as_str().map(str::to_owned))
                    .collect(),
            });
        }
        let index = |ids: &[Value]| -> Result<Vec<usize>, String> {
            let mut out = Vec::new();
            for id in ids {
                let id = id.as_str().unwrap_or_default();
                match catalog.artists.iter().position(|a| a.id == id) {
                    Some(i) => out.push(i),
                    None => return Err(format!("unknown artist `{id}`")),
                }
            }
            Ok(out)
        };
        let mut albums = Vec::new();
        for album in root.items("albums") {
            let artists = index(album.items("artists"))?;
            let mut tracks = Vec::new();
            for track in album.items("tracks") {
                tracks.push(Track {
                    id: track.text("id")?,
                    name: track.text("name")?,
                    duration_ms: track
                        .get("duration_ms")
                        .and_then(Value::as_u64)
                        .unwrap_or(0),
                    explicit: track
                        .get("explicit")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    artists: match track.get("artists") {
                        Some(_) => index(track.items("artists"))?,
                        None => artists.clone(),
                    },
                    isrc: track.text("isrc")?,
                });
            }
            albums.push(Album {
                id: album.text("id")?,
                name: album.text("name")?,
                album_type: match album.text("album_type")?.as_str() {
                    "single" => AlbumType::Single,
                    "compilation" => AlbumType::Compilation,
                    _ => AlbumType::Album,
                },
                artists,
                release_date: album.text("release_date")?,
                upc: album.text("upc")?,
                tracks,
            });
        }
        catalog.albums = albums;
        Ok(catalog)
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

/// The full Album: SimplifiedAlbum plus its first 50 tracks, `copyrights` and
/// `external_ids` (no `label`, `popularity` or `genres`).
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
    .end()
}

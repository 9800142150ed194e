//! The sandbox's catalog: invented artists, albums and tracks from `catalog.json`, and the
//! objects the Web API builds from them, with the 2026 Development Mode field set
//! (docs/spotify-protocol.md, "Objects"). Removed fields are absent, not `null`.
//!
//! The catalog is data read at run time: the server embeds the file, and the page fetches it
//! the first time its sandbox answers a Web API call, so the page's first load does not carry
//! it (docs/benchmarks.md). The build checks the file (`build.rs`).

use crate::json::Value;

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

/// The catalog file, for the server and the tests (the page fetches its copy instead).
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

fn text(value: &Value, key: &str) -> Result<String, String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("`{key}` is missing or not text"))
}

fn list<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

impl Catalog {
    /// Reads `catalog.json`. The build checked the shipped file in full; this refuses only
    /// what would make the catalog unusable (missing members, unknown artists).
    pub fn from_json(json: &str) -> Result<Catalog, String> {
        let root = Value::parse(json).map_err(|e| e.to_string())?;
        let mut catalog = Catalog::default();
        for artist in list(&root, "artists") {
            catalog.artists.push(Artist {
                id: text(artist, "id")?,
                name: text(artist, "name")?,
                genres: list(artist, "genres")
                    .iter()
                    .filter_map(|g| g.as_str().map(str::to_owned))
                    .collect(),
            });
        }
        let index = |ids: &[Value]| -> Result<Vec<usize>, String> {
            ids.iter()
                .map(|id| {
                    let id = id.as_str().unwrap_or_default();
                    catalog
                        .artists
                        .iter()
                        .position(|a| a.id == id)
                        .ok_or_else(|| format!("unknown artist `{id}`"))
                })
                .collect()
        };
        let mut albums = Vec::new();
        for album in list(&root, "albums") {
            let artists = index(list(album, "artists"))?;
            let mut tracks = Vec::new();
            for track in list(album, "tracks") {
                tracks.push(Track {
                    id: text(track, "id")?,
                    name: text(track, "name")?,
                    duration_ms: track
                        .get("duration_ms")
                        .and_then(Value::as_u64)
                        .unwrap_or(0),
                    explicit: track
                        .get("explicit")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    artists: match track.get("artists") {
                        Some(_) => index(list(track, "artists"))?,
                        None => artists.clone(),
                    },
                    isrc: text(track, "isrc")?,
                });
            }
            albums.push(Album {
                id: text(album, "id")?,
                name: text(album, "name")?,
                album_type: match text(album, "album_type")?.as_str() {
                    "single" => AlbumType::Single,
                    "compilation" => AlbumType::Compilation,
                    _ => AlbumType::Album,
                },
                artists,
                release_date: text(album, "release_date")?,
                upc: text(album, "upc")?,
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

/// The members every catalog object starts its identity with.
fn external_urls(kind: &str, id: &str) -> Value {
    Value::object([(
        "spotify",
        format!("https://open.spotify.com/{kind}/{id}").into(),
    )])
}

fn uri(kind: &str, id: &str) -> Value {
    format!("spotify:{kind}:{id}").into()
}

/// Image URLs as Spotify's CDN writes them: a size prefix and hex derived from the id.
fn images(id: &str, sizes: [(&str, u64); 3]) -> Value {
    let seed = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    Value::Array(
        sizes
            .iter()
            .map(|(prefix, size)| {
                let hex = format!("{seed:016x}{:08x}", (seed >> 17) as u32 ^ *size as u32);
                Value::object([
                    (
                        "url",
                        format!("https://i.scdn.co/image/{prefix}{hex}").into(),
                    ),
                    ("height", (*size).into()),
                    ("width", (*size).into()),
                ])
            })
            .collect(),
    )
}

/// SimplifiedArtist: `external_urls, href, id, name, type, uri`.
pub fn simplified_artist(artist: &Artist) -> Value {
    Value::object([
        ("external_urls", external_urls("artist", &artist.id)),
        ("href", href("artist", &artist.id).into()),
        ("id", (&artist.id).into()),
        ("name", (&artist.name).into()),
        ("type", "artist".into()),
        ("uri", uri("artist", &artist.id)),
    ])
}

/// The full Artist in Development Mode: `followers`, `genres` and `popularity` are gone.
pub fn full_artist(artist: &Artist) -> Value {
    Value::object([
        ("external_urls", external_urls("artist", &artist.id)),
        ("href", href("artist", &artist.id).into()),
        ("id", (&artist.id).into()),
        (
            "images",
            images(
                &artist.id,
                [
                    ("ab6761610000e5eb", 640),
                    ("ab67616100005174", 320),
                    ("ab6761610000f178", 160),
                ],
            ),
        ),
        ("name", (&artist.name).into()),
        ("type", "artist".into()),
        ("uri", uri("artist", &artist.id)),
    ])
}

fn artists<'c>(list: impl Iterator<Item = &'c Artist>) -> Value {
    Value::Array(list.map(simplified_artist).collect())
}

/// SimplifiedAlbum in Development Mode (no `available_markets`); `is_playable` when the
/// request named a market.
pub fn simplified_album(catalog: &Catalog, album: &Album, market: bool) -> Value {
    let mut value = Value::object([
        ("album_type", album.album_type.as_str().into()),
        ("total_tracks", (album.tracks.len() as u64).into()),
        ("external_urls", external_urls("album", &album.id)),
        ("href", href("album", &album.id).into()),
        ("id", (&album.id).into()),
        (
            "images",
            images(
                &album.id,
                [
                    ("ab67616d0000b273", 640),
                    ("ab67616d00001e02", 300),
                    ("ab67616d00004851", 64),
                ],
            ),
        ),
        ("name", (&album.name).into()),
        ("release_date", (&album.release_date).into()),
        (
            "release_date_precision",
            match album.release_date.len() {
                4 => "year",
                7 => "month",
                _ => "day",
            }
            .into(),
        ),
        ("type", "album".into()),
        ("uri", uri("album", &album.id)),
        ("artists", artists(catalog.artists_of(&album.artists))),
    ]);
    if market {
        push(&mut value, "is_playable", true.into());
    }
    value
}

fn push(object: &mut Value, key: &str, member: Value) {
    if let Value::Object(map) = object {
        map.push(key, member);
    }
}

/// SimplifiedTrack in Development Mode: no `available_markets` or `linked_from`.
pub fn simplified_track(catalog: &Catalog, track: &Track, number: usize, market: bool) -> Value {
    track_object(catalog, None, track, number, market)
}

/// The full Track: SimplifiedTrack plus `album` and `external_ids` (no `popularity`).
pub fn full_track(
    catalog: &Catalog,
    album: &Album,
    track: &Track,
    number: usize,
    market: bool,
) -> Value {
    track_object(catalog, Some(album), track, number, market)
}

fn track_object(
    catalog: &Catalog,
    album: Option<&Album>,
    track: &Track,
    number: usize,
    market: bool,
) -> Value {
    let mut value = Value::object([]);
    if let Some(album) = album {
        push(
            &mut value,
            "album",
            simplified_album(catalog, album, market),
        );
    }
    push(
        &mut value,
        "artists",
        artists(catalog.artists_of(&track.artists)),
    );
    push(&mut value, "disc_number", 1u64.into());
    push(&mut value, "duration_ms", track.duration_ms.into());
    push(&mut value, "explicit", track.explicit.into());
    if album.is_some() {
        push(
            &mut value,
            "external_ids",
            Value::object([("isrc", (&track.isrc).into())]),
        );
    }
    push(
        &mut value,
        "external_urls",
        external_urls("track", &track.id),
    );
    push(&mut value, "href", href("track", &track.id).into());
    push(&mut value, "id", (&track.id).into());
    if market {
        push(&mut value, "is_playable", true.into());
    }
    if album.is_some() {
        push(&mut value, "is_local", false.into());
    }
    push(&mut value, "name", (&track.name).into());
    push(&mut value, "preview_url", Value::Null);
    push(&mut value, "track_number", (number as u64).into());
    push(&mut value, "type", "track".into());
    push(&mut value, "uri", uri("track", &track.id));
    if album.is_none() {
        push(&mut value, "is_local", false.into());
    }
    value
}

/// The full Album: SimplifiedAlbum plus its first 50 tracks, `copyrights` and
/// `external_ids` (no `label`, `popularity` or `genres`).
pub fn full_album(catalog: &Catalog, album: &Album, market: bool) -> Value {
    let mut value = simplified_album(catalog, album, market);
    let tracks_href = format!("{}/tracks", href("album", &album.id));
    let page = crate::web_api::Page::new(album.tracks.len(), 0, 50);
    let items = album.tracks[page.range()]
        .iter()
        .enumerate()
        .map(|(i, t)| simplified_track(catalog, t, i + 1, market))
        .collect();
    push(
        &mut value,
        "tracks",
        page.object(&tracks_href, "", items, crate::web_api::Order::ItemsSecond),
    );
    let owner = catalog
        .artists_of(&album.artists)
        .next()
        .map_or("", |a| a.name.as_str());
    let year = album.release_date.get(..4).unwrap_or_default();
    push(
        &mut value,
        "copyrights",
        Value::Array(vec![
            Value::object([
                ("text", format!("© {year} {owner}").into()),
                ("type", "C".into()),
            ]),
            Value::object([
                ("text", format!("℗ {year} {owner}").into()),
                ("type", "P".into()),
            ]),
        ]),
    );
    push(
        &mut value,
        "external_ids",
        Value::object([("upc", (&album.upc).into())]),
    );
    value
}

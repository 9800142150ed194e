//! The sandbox's catalog: invented artists, albums and tracks from `catalog.json`, and the
//! objects the Web API builds from them, with the 2026 Development Mode field set
//! (docs/spotify-protocol.md, "Objects"). Removed fields are absent, not `null`.

use crate::json::Value;

/// An artist. `genres` feed the `genre:` search filter; the object does not show them.
#[derive(Debug)]
pub struct Artist {
    pub id: &'static str,
    pub name: &'static str,
    pub genres: &'static [&'static str],
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

#[derive(Debug)]
pub struct Album {
    pub id: &'static str,
    pub name: &'static str,
    pub album_type: AlbumType,
    /// Indices into [`ARTISTS`].
    pub artists: &'static [usize],
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub release_date: &'static str,
    pub upc: &'static str,
    pub tracks: &'static [Track],
}

#[derive(Debug)]
pub struct Track {
    pub id: &'static str,
    pub name: &'static str,
    pub duration_ms: u32,
    pub explicit: bool,
    /// Indices into [`ARTISTS`].
    pub artists: &'static [usize],
    pub isrc: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

pub fn artist(id: &str) -> Option<&'static Artist> {
    ARTISTS.iter().find(|a| a.id == id)
}

pub fn album(id: &str) -> Option<&'static Album> {
    ALBUMS.iter().find(|a| a.id == id)
}

/// A track with its album and its 1-based position there.
pub fn track(id: &str) -> Option<(&'static Album, usize, &'static Track)> {
    ALBUMS.iter().find_map(|album| {
        let position = album.tracks.iter().position(|t| t.id == id)?;
        Some((album, position + 1, &album.tracks[position]))
    })
}

/// Every track with its album and position.
pub fn tracks() -> impl Iterator<Item = (&'static Album, usize, &'static Track)> {
    ALBUMS.iter().flat_map(|album| {
        album
            .tracks
            .iter()
            .enumerate()
            .map(move |(i, t)| (album, i + 1, t))
    })
}

impl Album {
    /// The year of the release date.
    pub fn year(&self) -> u32 {
        self.release_date[..4].parse().unwrap_or(0)
    }

    pub fn artists(&self) -> impl Iterator<Item = &'static Artist> {
        self.artists.iter().map(|&i| &ARTISTS[i])
    }
}

impl Track {
    pub fn artists(&self) -> impl Iterator<Item = &'static Artist> {
        self.artists.iter().map(|&i| &ARTISTS[i])
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
        ("external_urls", external_urls("artist", artist.id)),
        ("href", href("artist", artist.id).into()),
        ("id", artist.id.into()),
        ("name", artist.name.into()),
        ("type", "artist".into()),
        ("uri", uri("artist", artist.id)),
    ])
}

/// The full Artist in Development Mode: `followers`, `genres` and `popularity` are gone.
pub fn full_artist(artist: &Artist) -> Value {
    Value::object([
        ("external_urls", external_urls("artist", artist.id)),
        ("href", href("artist", artist.id).into()),
        ("id", artist.id.into()),
        (
            "images",
            images(
                artist.id,
                [
                    ("ab6761610000e5eb", 640),
                    ("ab67616100005174", 320),
                    ("ab6761610000f178", 160),
                ],
            ),
        ),
        ("name", artist.name.into()),
        ("type", "artist".into()),
        ("uri", uri("artist", artist.id)),
    ])
}

fn artists(list: impl Iterator<Item = &'static Artist>) -> Value {
    Value::Array(list.map(simplified_artist).collect())
}

/// SimplifiedAlbum in Development Mode (no `available_markets`); `is_playable` when the
/// request named a market.
pub fn simplified_album(album: &Album, market: bool) -> Value {
    let mut value = Value::object([
        ("album_type", album.album_type.as_str().into()),
        ("total_tracks", (album.tracks.len() as u64).into()),
        ("external_urls", external_urls("album", album.id)),
        ("href", href("album", album.id).into()),
        ("id", album.id.into()),
        (
            "images",
            images(
                album.id,
                [
                    ("ab67616d0000b273", 640),
                    ("ab67616d00001e02", 300),
                    ("ab67616d00004851", 64),
                ],
            ),
        ),
        ("name", album.name.into()),
        ("release_date", album.release_date.into()),
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
        ("uri", uri("album", album.id)),
        ("artists", artists(album.artists())),
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
pub fn simplified_track(track: &Track, number: usize, market: bool) -> Value {
    track_object(None, track, number, market)
}

/// The full Track: SimplifiedTrack plus `album` and `external_ids` (no `popularity`).
pub fn full_track(album: &Album, track: &Track, number: usize, market: bool) -> Value {
    track_object(Some(album), track, number, market)
}

fn track_object(album: Option<&Album>, track: &Track, number: usize, market: bool) -> Value {
    let mut value = Value::object([]);
    if let Some(album) = album {
        push(&mut value, "album", simplified_album(album, market));
    }
    push(&mut value, "artists", artists(track.artists()));
    push(&mut value, "disc_number", 1u64.into());
    push(
        &mut value,
        "duration_ms",
        u64::from(track.duration_ms).into(),
    );
    push(&mut value, "explicit", track.explicit.into());
    if album.is_some() {
        push(
            &mut value,
            "external_ids",
            Value::object([("isrc", track.isrc.into())]),
        );
    }
    push(
        &mut value,
        "external_urls",
        external_urls("track", track.id),
    );
    push(&mut value, "href", href("track", track.id).into());
    push(&mut value, "id", track.id.into());
    if market {
        push(&mut value, "is_playable", true.into());
    }
    if album.is_some() {
        push(&mut value, "is_local", false.into());
    }
    push(&mut value, "name", track.name.into());
    push(&mut value, "preview_url", Value::Null);
    push(&mut value, "track_number", (number as u64).into());
    push(&mut value, "type", "track".into());
    push(&mut value, "uri", uri("track", track.id));
    if album.is_none() {
        push(&mut value, "is_local", false.into());
    }
    value
}

/// The full Album: SimplifiedAlbum plus its first 50 tracks, `copyrights` and
/// `external_ids` (no `label`, `popularity` or `genres`).
pub fn full_album(album: &Album, market: bool) -> Value {
    let mut value = simplified_album(album, market);
    let tracks_href = format!("{}/tracks", href("album", album.id));
    let page = crate::web_api::Page::new(album.tracks.len(), 0, 50);
    let items = album.tracks[page.range()]
        .iter()
        .enumerate()
        .map(|(i, t)| simplified_track(t, i + 1, market))
        .collect();
    push(
        &mut value,
        "tracks",
        page.object(&tracks_href, "", items, crate::web_api::Order::ItemsSecond),
    );
    let owner = album.artists().next().map_or("", |a| a.name);
    let year = &album.release_date[..4];
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
        Value::object([("upc", album.upc.into())]),
    );
    value
}

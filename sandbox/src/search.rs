//! `GET /v1/search` over the catalog: plain words against names, the field filters of
//! docs/spotify-protocol.md ("Query filters"), several types at once, and the 2026 paging
//! rules (default 5 results, at most 10).

use crate::call::{api_error, Call};
use crate::catalog::{self, Album, Artist, Catalog, Track};
use crate::json::Object;
use crate::paging::{Order, Page};
use crate::UnixMillis;
use wire::http::{percent_encode, HttpResponse};

/// Every type `type=` may name, in the order the specification lists them.
const TYPES: [&str; 7] = [
    "album",
    "artist",
    "playlist",
    "track",
    "show",
    "episode",
    "audiobook",
];

/// One filter of the query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    Artist(String),
    Album(String),
    Track(String),
    Genre(String),
    Isrc(String),
    Upc(String),
    /// A year, or a range of years (both ends included).
    Year(u32, u32),
    /// `tag:new`: albums released in the past two weeks.
    New,
    /// `tag:hipster`: albums in the lowest 10% of popularity. The sandbox keeps no
    /// popularity, so it matches nothing (a choice, in docs/spotify-protocol.md).
    Hipster,
    /// A filter whose value cannot match anything, such as `year:soon`.
    Never,
}

/// A parsed `q`: plain words and filters, all lower-case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub words: Vec<String>,
    pub filters: Vec<Filter>,
}

/// Splits `q` on spaces, keeping `"quoted phrases"` whole, and reads `field:value` filters.
/// `artist:"Oona Vell"` and `artist:Oona` are both filters; a field with no value takes the
/// next word (`artist: Oona`).
pub fn parse_query(q: &str) -> Query {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c.to_ascii_lowercase()),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    let mut query = Query::default();
    let mut tokens = tokens.into_iter();
    while let Some(token) = tokens.next() {
        let Some((field, value)) = token.split_once(':') else {
            query.words.push(token);
            continue;
        };
        let known = [
            "artist", "album", "track", "genre", "isrc", "upc", "year", "tag",
        ];
        if !known.contains(&field) {
            query.words.push(token);
            continue;
        }
        let value = if value.is_empty() {
            tokens.next().unwrap_or_default()
        } else {
            value.to_owned()
        };
        query.filters.push(match field {
            "artist" => Filter::Artist(value),
            "album" => Filter::Album(value),
            "track" => Filter::Track(value),
            "genre" => Filter::Genre(value),
            "isrc" => Filter::Isrc(value),
            "upc" => Filter::Upc(value),
            "year" => years(&value),
            _ => match value.as_str() {
                "new" => Filter::New,
                "hipster" => Filter::Hipster,
                _ => Filter::Never,
            },
        });
    }
    query
}

/// `2019` or `2010-2015`.
fn years(value: &str) -> Filter {
    let year = |s: &str| (s.len() == 4).then(|| s.parse::<u32>().ok()).flatten();
    match value.split_once('-') {
        None => year(value).map_or(Filter::Never, |y| Filter::Year(y, y)),
        Some((from, to)) => match (year(from), year(to)) {
            (Some(a), Some(b)) => Filter::Year(a.min(b), a.max(b)),
            _ => Filter::Never,
        },
    }
}

/// Case-insensitive for ASCII letters only: Unicode case tables would cost the page more
/// than they are worth here (docs/benchmarks.md).
fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_ascii_lowercase().contains(needle)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (Howard Hinnant's civil calendar formula).
fn days(date: &str) -> Option<i64> {
    let mut parts = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn released_lately(album: &Album, now: UnixMillis) -> bool {
    let today = (now.0 / 86_400_000) as i64;
    days(&album.release_date).is_some_and(|d| d <= today && today - d < 14)
}

/// How well an item matches: `None` when it does not; otherwise higher is better (the
/// query's words make up its whole name, or all appear in it).
fn score(name: &str, text: &str, words: &[String]) -> Option<u8> {
    let text = text.to_ascii_lowercase();
    if !words.iter().all(|w| text.contains(w.as_str())) {
        return None;
    }
    let name = name.to_ascii_lowercase();
    Some(if name == words.join(" ") {
        2
    } else {
        u8::from(words.iter().all(|w| name.contains(w.as_str())))
    })
}

fn artist_matches(catalog: &Catalog, index: usize, filters: &[Filter]) -> bool {
    let artist = &catalog.artists[index];
    let mut albums = catalog.albums.iter().filter(|a| a.artists.contains(&index));
    filters.iter().all(|f| match f {
        Filter::Artist(v) => contains(&artist.name, v),
        Filter::Genre(v) => artist.genres.iter().any(|g| contains(g, v)),
        Filter::Year(from, to) => albums.any(|a| (*from..=*to).contains(&a.year())),
        _ => false,
    })
}

fn album_matches(catalog: &Catalog, album: &Album, filters: &[Filter], now: UnixMillis) -> bool {
    filters.iter().all(|f| match f {
        Filter::Artist(v) => catalog
            .artists_of(&album.artists)
            .any(|a| contains(&a.name, v)),
        Filter::Album(v) => contains(&album.name, v),
        Filter::Year(from, to) => (*from..=*to).contains(&album.year()),
        Filter::Upc(v) => &album.upc == v,
        Filter::New => released_lately(album, now),
        _ => false,
    })
}

fn track_matches(catalog: &Catalog, album: &Album, track: &Track, filters: &[Filter]) -> bool {
    let mut artists = catalog.artists_of(&track.artists);
    filters.iter().all(|f| match f {
        Filter::Artist(v) => artists.any(|a| contains(&a.name, v)),
        Filter::Album(v) => contains(&album.name, v),
        Filter::Track(v) => contains(&track.name, v),
        Filter::Genre(v) => artists.any(|a| a.genres.iter().any(|g| contains(g, v))),
        Filter::Isrc(v) => track.isrc.eq_ignore_ascii_case(v),
        Filter::Year(from, to) => (*from..=*to).contains(&album.year()),
        _ => false,
    })
}

/// The names an item is found by: its own, then its artists' (and a track's album's).
fn text<'c>(catalog: &'c Catalog, names: &[&'c str], artists: &'c [usize]) -> String {
    let mut text = names.join(" ");
    for artist in catalog.artists_of(artists) {
        text.push(' ');
        text.push_str(&artist.name);
    }
    text
}

/// The matching items of one type, best first. Only the page's items become JSON.
fn results<'c>(
    catalog: &'c Catalog,
    kind: &str,
    query: &Query,
    now: UnixMillis,
) -> Vec<(u8, Item<'c>)> {
    let words = &query.words;
    let found: Vec<(u8, Item)> = match kind {
        "artist" => (0..catalog.artists.len())
            .filter(|&i| artist_matches(catalog, i, &query.filters))
            .filter_map(|i| {
                let a = &catalog.artists[i];
                Some((score(&a.name, &a.name, words)?, Item::Artist(a)))
            })
            .collect(),
        "album" => catalog
            .albums
            .iter()
            .filter(|a| album_matches(catalog, a, &query.filters, now))
            .filter_map(|a| {
                let text = text(catalog, &[&a.name], &a.artists);
                Some((score(&a.name, &text, words)?, Item::Album(a)))
            })
            .collect(),
        "track" => catalog
            .tracks()
            .filter(|(album, _, t)| track_matches(catalog, album, t, &query.filters))
            .filter_map(|(album, n, t)| {
                let text = text(catalog, &[&t.name, &album.name], &t.artists);
                Some((score(&t.name, &text, words)?, Item::Track(album, n, t)))
            })
            .collect(),
        // The catalog has no playlists, shows, episodes or audiobooks.
        _ => Vec::new(),
    };
    // Best score first; equal scores keep the catalog's order. (Three passes instead of a
    // sort: smaller in the page, and the lists are short.)
    let mut ranked = Vec::with_capacity(found.len());
    for best in [2, 1, 0] {
        ranked.extend(found.iter().filter(|(score, _)| *score == best).copied());
    }
    ranked
}

/// A search result before it is written out.
#[derive(Clone, Copy)]
enum Item<'c> {
    Artist(&'c Artist),
    Album(&'c Album),
    Track(&'c Album, usize, &'c Track),
}

impl Item<'_> {
    fn to_json(self, catalog: &Catalog, market: bool) -> String {
        match self {
            Item::Artist(a) => catalog::full_artist(a),
            Item::Album(a) => catalog::simplified_album(catalog, a, market),
            Item::Track(album, n, t) => catalog::full_track(catalog, album, t, n, market),
        }
    }
}

/// Answers `GET /v1/search`.
pub fn search(call: &Call) -> Result<HttpResponse, HttpResponse> {
    // `next` and `previous` name it `query`; Spotify follows them, so both names work.
    let q = call
        .param("q")
        .or_else(|| call.param("query"))
        .unwrap_or("");
    if q.is_empty() {
        return Err(api_error(400, "No search query"));
    }
    let Some(types) = call.param("type") else {
        return Err(api_error(400, "Missing parameter type"));
    };
    let mut kinds: Vec<&str> = Vec::new();
    for kind in types.split(',').map(str::trim) {
        if !TYPES.contains(&kind) {
            return Err(api_error(400, &format!("Bad search type field {kind}")));
        }
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let (limit, offset) = call.window(5, 10)?;
    // Before 2026 the documented cap was 1,000 "including limit" (a choice: see the notes).
    if offset + limit > 1000 {
        return Err(api_error(400, "Bad request."));
    }
    let market = call.market()?;
    if q.chars().count() > 100 {
        return Err(api_error(404, "Not found."));
    }
    let query = parse_query(q);
    let tail = call.tail(market);
    let mut body = Object::default();
    for kind in kinds {
        let found = results(call.catalog, kind, &query, call.now);
        let page = Page::new(found.len(), offset, limit);
        let items = found[page.range()]
            .iter()
            .map(|(_, item)| item.to_json(call.catalog, market))
            .collect();
        let own = format!("&query={}&type={kind}{tail}", percent_encode(q));
        let object = page.object(
            "https://api.spotify.com/v1/search",
            &own,
            items,
            Order::ItemsLast,
        );
        body.raw(&format!("{kind}s"), &object);
    }
    Ok(HttpResponse::json_text(200, body.end()))
}

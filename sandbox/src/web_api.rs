//! The Web API's catalog endpoints (`https://api.spotify.com/v1/…`), answered from the
//! catalog as Spotify answers a client-credentials token in Development Mode, 2026.
//! docs/spotify-protocol.md, "Catalog endpoints", is the rule book; where it says a fact is
//! unknown, the choice made here is marked there.

use crate::call::{api_error, is_base62_id, Call};
use crate::catalog::{self, Album, Catalog};
use crate::paging::{Order, Page};
use crate::token::SandboxToken;
use crate::{search, UnixMillis};
use wire::http::{self, HttpRequest, HttpResponse};

/// The 401 message Spotify sends since 2026 for a missing, invalid or expired token.
const UNAUTHORIZED: &str = "Missing/invalid/expired access token";
const MALFORMED_BEARER: &str = "Only valid bearer authentication supported";

/// Answers `https://api.spotify.com{path}?{query}`.
pub fn answer(
    catalog: &Catalog,
    request: &HttpRequest,
    path: &str,
    query: &str,
    now: UnixMillis,
) -> HttpResponse {
    let Some(resource) = path.strip_prefix("/v1/") else {
        return api_error(404, "Service not found");
    };
    // spotipy writes `albums/{id}/tracks/`: Spotify serves a trailing slash like none.
    let segments: Vec<&str> = resource.trim_end_matches('/').split('/').collect();
    let known = matches!(
        segments.as_slice(),
        ["search" | "tracks" | "albums" | "artists" | "markets" | "recommendations"]
            | [
                "tracks" | "albums" | "artists" | "audio-features" | "audio-analysis",
                _
            ]
            | ["artists", _, "albums" | "top-tracks" | "related-artists"]
            | ["albums", _, "tracks"]
            | ["playlists", _, "tracks"]
            | ["browse", "new-releases" | "categories"]
            | ["recommendations", "available-genre-seeds"]
    );
    if !known {
        return api_error(404, "Service not found");
    }
    if !request.method.eq_ignore_ascii_case("GET") {
        return api_error(405, "Method not allowed");
    }
    if let Err(response) = authorize(request.header_value("authorization"), now) {
        return response;
    }
    let call = Call {
        catalog,
        params: http::parse_form(query),
        accept_language: request.header_value("accept-language"),
        now,
    };
    let result = match segments.as_slice() {
        ["search"] => search::search(&call),
        ["tracks", id] => get_track(&call, id),
        ["artists", id] => get_artist(catalog, id),
        ["albums", id] => get_album(&call, id),
        ["artists", id, "albums"] => artist_albums(&call, id),
        ["albums", id, "tracks"] => album_tracks(&call, id),
        ["audio-features" | "audio-analysis", _] => Err(HttpResponse::json(
            403,
            &serde_json::json!({ "error": { "status": 403 } }),
        )),
        ["recommendations", "available-genre-seeds"] => Err(api_error(404, "Not Found")),
        // Removed for Development Mode apps: the several-id gets, top tracks, related
        // artists, recommendations, markets, browse and playlist tracks.
        _ => Err(api_error(403, "Forbidden")),
    };
    result.unwrap_or_else(|response| response)
}

/// A well-formed id that the catalog may or may not hold.
fn checked_id<'a>(id: &'a str, malformed: &str) -> Result<&'a str, HttpResponse> {
    if is_base62_id(id) {
        Ok(id)
    } else {
        Err(api_error(400, malformed))
    }
}

fn non_existing() -> HttpResponse {
    api_error(404, "non existing id")
}

fn get_track(call: &Call, id: &str) -> Result<HttpResponse, HttpResponse> {
    let id = checked_id(id, "invalid id")?;
    let market = call.market()?;
    let (album, number, track) = call.catalog.track(id).ok_or_else(non_existing)?;
    Ok(HttpResponse::json_text(
        200,
        catalog::full_track(call.catalog, album, track, number, market),
    ))
}

fn get_artist(catalog: &Catalog, id: &str) -> Result<HttpResponse, HttpResponse> {
    let id = checked_id(id, "invalid id")?;
    let artist = catalog.artist(id).ok_or_else(non_existing)?;
    Ok(HttpResponse::json_text(200, catalog::full_artist(artist)))
}

fn get_album(call: &Call, id: &str) -> Result<HttpResponse, HttpResponse> {
    let id = checked_id(id, "invalid id")?;
    let market = call.market()?;
    let album = call.catalog.album(id).ok_or_else(non_existing)?;
    Ok(HttpResponse::json_text(
        200,
        catalog::full_album(call.catalog, album, market),
    ))
}

/// The groups of `include_groups`, in the order Spotify lists a discography.
const GROUPS: [&str; 4] = ["album", "single", "compilation", "appears_on"];

/// An artist's discography: their albums, singles and compilations, then the albums they
/// appear on; newest first within each group.
pub fn discography(catalog: &Catalog, artist: usize) -> Vec<(&'static str, &Album)> {
    let mut list: Vec<(&str, &Album)> = catalog
        .albums
        .iter()
        .filter_map(|album| {
            if album.artists.contains(&artist) {
                Some((album.album_type.as_str(), album))
            } else if album.tracks.iter().any(|t| t.artists.contains(&artist)) {
                Some(("appears_on", album))
            } else {
                None
            }
        })
        .collect();
    // Group order, then newest first: an insertion sort, since a discography is short and
    // std's sort would add its code to the page.
    fn before(a: &(&str, &Album), b: &(&str, &Album)) -> bool {
        let rank = |group: &str| GROUPS.iter().position(|g| *g == group);
        (rank(a.0), b.1.release_date.as_str()) < (rank(b.0), a.1.release_date.as_str())
    }
    for i in 1..list.len() {
        let mut j = i;
        while j > 0 && before(&list[j], &list[j - 1]) {
            list.swap(j, j - 1);
            j -= 1;
        }
    }
    list
}

fn artist_albums(call: &Call, id: &str) -> Result<HttpResponse, HttpResponse> {
    let id = checked_id(id, "invalid id")?;
    // Each group once: a repeated name must not repeat in every paging URL.
    let groups: Option<Vec<&str>> = call.param("include_groups").map(|g| {
        let mut once = Vec::new();
        for group in g.split(',').map(str::trim) {
            if !once.contains(&group) {
                once.push(group);
            }
        }
        once
    });
    if let Some(groups) = &groups {
        if groups.iter().any(|g| !GROUPS.contains(g)) {
            return Err(api_error(400, "Invalid include_groups"));
        }
    }
    let (limit, offset) = call.window(5, 10)?;
    let market = call.market()?;
    let index = call
        .catalog
        .artists
        .iter()
        .position(|a| a.id == id)
        .ok_or_else(non_existing)?;
    let albums: Vec<&Album> = discography(call.catalog, index)
        .into_iter()
        .filter(|(group, _)| groups.as_ref().is_none_or(|g| g.contains(group)))
        .map(|(_, album)| album)
        .collect();
    let page = Page::new(albums.len(), offset, limit);
    let items = albums[page.range()]
        .iter()
        .map(|a| catalog::simplified_album(call.catalog, a, market))
        .collect();
    let mut tail = String::new();
    if let Some(groups) = &groups {
        tail.push_str(&format!("&include_groups={}", groups.join(",")));
    }
    tail.push_str(&call.tail(market));
    let base = format!("{}/albums", catalog::href("artist", id));
    Ok(HttpResponse::json_text(
        200,
        page.object(&base, &tail, items, Order::ItemsLast),
    ))
}

fn album_tracks(call: &Call, id: &str) -> Result<HttpResponse, HttpResponse> {
    let id = checked_id(id, "Invalid base62 id")?;
    let (limit, offset) = call.window(20, 50)?;
    let market = call.market()?;
    let album = call.catalog.album(id).ok_or_else(non_existing)?;
    let page = Page::new(album.tracks.len(), offset, limit);
    let items = album.tracks[page.range()]
        .iter()
        .zip(page.range())
        .map(|(t, i)| catalog::simplified_track(call.catalog, t, i + 1, market))
        .collect();
    let base = format!("{}/tracks", catalog::href("album", id));
    Ok(HttpResponse::json_text(
        200,
        page.object(&base, &call.tail(market), items, Order::ItemsSecond),
    ))
}

/// Checks a Bearer header; the error is the response Spotify sends.
fn authorize(header: Option<&str>, now: UnixMillis) -> Result<(), HttpResponse> {
    let Some(header) = header else {
        return Err(api_error(401, UNAUTHORIZED));
    };
    let (scheme, token) = header.split_once(' ').unwrap_or((header, ""));
    let well_formed = scheme == "Bearer"
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~+/=".contains(&b));
    if !well_formed {
        return Err(api_error(400, MALFORMED_BEARER).with_header(
            "www-authenticate",
            &format!(
                "Bearer realm=\"spotify\", error=\"invalid_request\", error_description=\"{MALFORMED_BEARER}\""
            ),
        ));
    }
    match SandboxToken::decode(token) {
        Ok(t) if !t.is_expired(now) => Ok(()),
        _ => Err(api_error(401, UNAUTHORIZED)
            .with_header("www-authenticate", "Bearer realm=\"spotify\"")),
    }
}

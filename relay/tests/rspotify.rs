//! A third client library written by others, rspotify 0.16.1 (its 2026 release), against the
//! server on a real socket: once against the sandbox over HTTP (`/sandbox/`), once through
//! the relay (`/relay/`) to a Spotify that is the same server's sandbox. Every endpoint the
//! sandbox emulates, each followed to the end with rspotify's own paginators, the 2026
//! limits as rspotify meets them, and the errors.

// Native test code: reading the clock is fine here.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;

use clap::Parser as _;
use relay::{AppState, Config};
use rspotify::clients::BaseClient as _;
use rspotify::model::{
    AlbumId, AlbumType, ArtistId, Id as _, Market, SearchResult, SearchType, TrackId,
};
use rspotify::{ClientCredsSpotify, ClientError, Config as SpotifyConfig, Credentials};
use sandbox::{Catalog, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET};

/// Starts the server on a free port; its relay's Spotify is its own sandbox. Returns its
/// address; it stops with the test's runtime.
async fn start() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    let dist = common::fake_dist("rspotify").display().to_string();
    let accounts = format!("http://{address}/sandbox/accounts");
    let api = format!("http://{address}/sandbox/api");
    let config = Config::parse_from([
        "relay",
        "--dist",
        dist.as_str(),
        "--spotify-accounts-url",
        accounts.as_str(),
        "--spotify-api-url",
        api.as_str(),
        // Whole catalogs are walked in a few seconds from one address.
        "--api-requests-per-minute",
        "100000",
        "--sandbox-requests-per-minute",
        "100000",
        "--sandbox-burst",
        "100000",
    ]);
    let state = AppState::new(&config).expect("the server starts");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let _running = stop;
        relay::serve(listener, state, stopped).await;
    });
    address
}

/// Where rspotify's two base URLs point.
#[derive(Clone, Copy, Debug)]
enum Route {
    Sandbox,
    Relay,
}

fn client(server: SocketAddr, route: Route, pagination_chunks: u32) -> ClientCredsSpotify {
    let (auth_base_url, api_base_url) = match route {
        Route::Sandbox => (
            format!("http://{server}/sandbox/accounts/"),
            format!("http://{server}/sandbox/api/v1/"),
        ),
        Route::Relay => (
            format!("http://{server}/relay/https://accounts.spotify.com/"),
            format!("http://{server}/relay/https://api.spotify.com/v1/"),
        ),
    };
    let spotify = ClientCredsSpotify::with_config(
        Credentials::new(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET),
        SpotifyConfig {
            auth_base_url,
            api_base_url,
            pagination_chunks,
            ..SpotifyConfig::default()
        },
    );
    spotify.request_token().expect("a client-credentials token");
    spotify
}

/// The HTTP status and Spotify's message of a failed call.
fn status(error: ClientError) -> (u16, String) {
    match error {
        ClientError::Http(http) => match *http {
            rspotify::http::HttpError::StatusCode(response) => {
                let status = response.status();
                let body: serde_json::Value = response.into_json().expect("a JSON error body");
                let message = body["error"]["message"].as_str().unwrap_or("").to_owned();
                (status, message)
            }
            other => panic!("not an HTTP status: {other}"),
        },
        other => panic!("not an HTTP error: {other}"),
    }
}

/// The artist with the most albums, and the album with the most tracks: the longest walks.
fn longest(catalog: &Catalog) -> (String, usize, String, usize) {
    let artist = (0..catalog.artists.len())
        .max_by_key(|&a| {
            catalog
                .albums
                .iter()
                .filter(|al| al.artists.contains(&a))
                .count()
        })
        .expect("artists");
    let albums = catalog
        .albums
        .iter()
        .filter(|al| al.artists.contains(&artist))
        .count();
    let album = catalog
        .albums
        .iter()
        .max_by_key(|al| al.tracks.len())
        .expect("albums");
    (
        catalog.artists[artist].id.clone(),
        albums,
        album.id.clone(),
        album.tracks.len(),
    )
}

/// Every call the course makes, the way rspotify makes it, on one route.
fn walk(server: SocketAddr, route: Route) {
    let catalog = Catalog::builtin();
    let (artist_id, own_albums, album_id, track_count) = longest(&catalog);
    let spotify = client(server, route, 10);

    let track = spotify
        .track(
            TrackId::from_id("2TpxZ7JUBn3uw46aR7qd6V").expect("id"),
            None,
        )
        .expect("a track");
    assert_eq!(track.name, "Wild Island", "{route:?}");
    let in_market = spotify
        .track(
            TrackId::from_id("2TpxZ7JUBn3uw46aR7qd6V").expect("id"),
            Some(Market::Country(rspotify::model::Country::Sweden)),
        )
        .expect("a track in a market");
    assert_eq!(in_market.is_playable, Some(true), "{route:?}");

    let artist = spotify
        .artist(ArtistId::from_id(&artist_id).expect("id"))
        .expect("an artist");
    assert_eq!(artist.id.id(), artist_id, "{route:?}");

    // The full album: rspotify requires `genres` (always empty).
    let album = spotify
        .album(AlbumId::from_id(&album_id).expect("id"), None)
        .expect("a full album");
    assert!(album.genres.is_empty(), "{route:?}");
    assert_eq!(album.tracks.total as usize, track_count, "{route:?}");

    // An album's tracks, walked with rspotify's paginator, 10 at a time.
    let tracks: Vec<String> = spotify
        .album_track(AlbumId::from_id(&album_id).expect("id"), None)
        .map(|t| t.expect("a track").id.expect("an id").id().to_owned())
        .collect();
    assert_eq!(tracks.len(), track_count, "{route:?}");
    assert_eq!(tracks.iter().collect::<HashSet<_>>().len(), track_count);

    // An artist's albums, every group, walked the same way.
    let albums: Vec<_> = spotify
        .artist_albums(ArtistId::from_id(&artist_id).expect("id"), [], None)
        .map(|a| a.expect("an album"))
        .collect();
    assert!(albums.len() >= own_albums, "{route:?}: {}", albums.len());
    let only_albums = spotify
        .artist_albums(
            ArtistId::from_id(&artist_id).expect("id"),
            [AlbumType::Album],
            None,
        )
        .map(|a| a.expect("an album"))
        .collect::<Vec<_>>();
    assert!(
        !only_albums.is_empty()
            && only_albums
                .iter()
                .all(|a| a.album_type.as_deref() == Some("album")),
        "{route:?}"
    );

    // Search by each type the course uses, page by page to the end, 5 at a time (rspotify has
    // no search paginator: the offsets follow `next` until it is null).
    for (kind, query) in [
        (SearchType::Artist, "year:1900-2100"),
        (SearchType::Album, "year:1900-2100"),
        (SearchType::Track, "the"),
    ] {
        let mut seen = Vec::new();
        let total = loop {
            let page = spotify
                .search(query, kind, None, None, Some(5), Some(seen.len() as u32))
                .expect("a search page");
            let (ids, next, all): (Vec<String>, bool, u32) = match page {
                SearchResult::Artists(p) => (
                    p.items.iter().map(|a| a.id.id().to_owned()).collect(),
                    p.next.is_some(),
                    p.total,
                ),
                SearchResult::Albums(p) => (
                    p.items
                        .iter()
                        .map(|a| a.id.as_ref().expect("an id").id().to_owned())
                        .collect(),
                    p.next.is_some(),
                    p.total,
                ),
                SearchResult::Tracks(p) => (
                    p.items
                        .iter()
                        .map(|t| t.id.as_ref().expect("an id").id().to_owned())
                        .collect(),
                    p.next.is_some(),
                    p.total,
                ),
                other => panic!("{kind:?} answered {other:?}"),
            };
            seen.extend(ids);
            if !next {
                break all as usize;
            }
        };
        assert!(total > 5, "{kind:?}: {total} results, more than one page");
        assert_eq!(seen.len(), total.min(1000), "{route:?} {kind:?}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
    }

    // Errors: an unknown id is 404, a malformed one 400, as Spotify answers.
    let unknown = spotify
        .track(
            TrackId::from_id("0000000000000000000000").expect("id"),
            None,
        )
        .expect_err("unknown");
    assert_eq!(status(unknown).0, 404, "{route:?}");
    let malformed = spotify
        .track(TrackId::from_id("2TpxZ7JUBn3uw46aR7qd6").expect("id"), None)
        .expect_err("malformed");
    assert_eq!(status(malformed), (400, "invalid id".into()), "{route:?}");

    // rspotify's default chunk of 50 meets the 2026 limits as on Spotify: an album's tracks
    // still walk (their limit stays 50), an artist's albums are refused.
    let defaults = client(server, route, rspotify::DEFAULT_PAGINATION_CHUNKS);
    assert_eq!(
        defaults
            .album_track(AlbumId::from_id(&album_id).expect("id"), None)
            .collect::<Result<Vec<_>, _>>()
            .expect("every track")
            .len(),
        track_count,
        "{route:?}"
    );
    let refused = defaults
        .artist_albums(ArtistId::from_id(&artist_id).expect("id"), [], None)
        .next()
        .expect("one result")
        .expect_err("limit 50 is over the maximum");
    assert_eq!(status(refused), (400, "Invalid limit".into()), "{route:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rspotify_runs_the_course_against_the_sandbox() {
    let server = start().await;
    tokio::task::spawn_blocking(move || walk(server, Route::Sandbox))
        .await
        .expect("the walk");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rspotify_runs_the_course_through_the_relay() {
    let server = start().await;
    tokio::task::spawn_blocking(move || walk(server, Route::Relay))
        .await
        .expect("the walk");
}

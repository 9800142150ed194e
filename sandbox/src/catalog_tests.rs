//! The catalog endpoints of docs/spotify-protocol.md, as tables: search (filters, paging,
//! limits, errors), an artist, an artist's albums, an album's tracks, the endpoints
//! Development Mode removed, and the catalog's own consistency.

use std::collections::HashSet;

use serde_json::{json, Value as Json};

use super::*;
use crate::paging::Page;
use crate::search::{parse_query, Filter};

const NOW: UnixMillis = UnixMillis(1_764_500_000_000); // 2025-11-30
const API: &str = "https://api.spotify.com/v1";
const MARIGOLD: &str = "9vzF9ECA4vx5E8Kzu2qTrB";
const QUILLON: &str = "vBFp65I4YVJ2SniyYxYSYX";
const GLASS_WEATHER: &str = "lzmHTyutmgyFRGV8VtA7Ue";
const BRASSWORK_YEARS: &str = "01JuW38ucLmJAtpUhHEKt2";

fn token() -> String {
    SandboxToken::issue(NOW, 3600).encode()
}

fn get_with(url: &str, headers: &[(&str, &str)]) -> (u16, Json) {
    let mut request =
        HttpRequest::new("GET", url).header("Authorization", format!("Bearer {}", token()));
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = Sandbox::default()
        .with_catalog(Catalog::builtin())
        .handle(&request, NOW);
    assert_eq!(
        response.header_value("content-type"),
        Some("application/json; charset=utf-8"),
        "{url}"
    );
    let body = serde_json::from_str(&response.body).expect("JSON body");
    (response.status, body)
}

fn get(url: &str) -> (u16, Json) {
    get_with(url, &[])
}

fn names(page: &Json) -> Vec<&str> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().expect("name"))
        .collect()
}

/// The member names of the object at `path` (keys and array indices) in the body, in the
/// order sent. (serde_json sorts them, so the sandbox's own order-keeping parser reads them.)
fn keys(url: &str, path: &[&str]) -> Vec<String> {
    let request =
        HttpRequest::new("GET", url).header("Authorization", format!("Bearer {}", token()));
    let body = Sandbox::default()
        .with_catalog(Catalog::builtin())
        .handle(&request, NOW)
        .body;
    let mut value: Json = serde_json::from_str(&body).expect("JSON");
    for step in path {
        value = match step.parse::<usize>() {
            Ok(i) => value.as_array().expect("array")[i].clone(),
            Err(_) => value.get(step).expect("member").clone(),
        };
    }
    value.as_object().expect("object").keys().cloned().collect()
}

#[test]
fn the_catalog_is_large_consistent_and_keeps_the_lesson_track() {
    let catalog = Catalog::builtin();
    assert!(catalog.artists.len() >= 8);
    assert!(catalog.albums.len() >= 20);
    assert!(catalog.tracks().count() >= 150);
    let mut ids = HashSet::new();
    let all_ids = catalog
        .artists
        .iter()
        .map(|a| a.id.as_str())
        .chain(catalog.albums.iter().map(|a| a.id.as_str()))
        .chain(catalog.tracks().map(|(_, _, t)| t.id.as_str()));
    for id in all_ids {
        assert!(call::is_base62_id(id), "{id} is 22 base-62 characters");
        assert!(ids.insert(id), "{id} is unique");
    }
    assert!(catalog.track("2TpxZ7JUBn3uw46aR7qd6V").is_some());
    // Every object the API returns names itself consistently, and every album's tracks
    // can be fetched one by one and lead back to it.
    for album in &catalog.albums {
        let (status, body) = get(&format!("{API}/albums/{}", album.id));
        assert_eq!(status, 200);
        assert_eq!(body["href"], format!("{API}/albums/{}", album.id));
        assert_eq!(body["uri"], format!("spotify:album:{}", album.id));
        assert_eq!(
            body["external_urls"]["spotify"],
            format!("https://open.spotify.com/album/{}", album.id)
        );
        assert_eq!(body["total_tracks"], album.tracks.len());
        for (n, track) in album.tracks.iter().enumerate() {
            let (status, body) = get(&format!("{API}/tracks/{}", track.id));
            assert_eq!(status, 200);
            assert_eq!(body["album"]["id"], album.id);
            assert_eq!(body["track_number"], n + 1);
            assert_eq!(body["href"], format!("{API}/tracks/{}", track.id));
            assert_eq!(body["uri"], format!("spotify:track:{}", track.id));
            for artist in body["artists"].as_array().expect("artists") {
                let id = artist["id"].as_str().expect("id");
                assert_eq!(artist["href"], format!("{API}/artists/{id}"));
                assert_eq!(get(&format!("{API}/artists/{id}")).0, 200);
            }
        }
    }
    for image in get(&format!("{API}/artists/{MARIGOLD}")).1["images"]
        .as_array()
        .expect("images")
    {
        let url = image["url"].as_str().expect("url");
        let hex = url.strip_prefix("https://i.scdn.co/image/").expect("CDN");
        assert_eq!(hex.len(), 40, "{url}");
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()), "{url}");
    }
}

#[test]
fn objects_carry_the_development_mode_field_set() {
    assert_eq!(
        keys(&format!("{API}/artists/{MARIGOLD}"), &[]),
        [
            "external_urls",
            "href",
            "id",
            "images",
            "name",
            "type",
            "uri"
        ]
    );
    let track_url = format!("{API}/tracks/2TpxZ7JUBn3uw46aR7qd6V");
    let (_, track) = get(&track_url);
    assert_eq!(
        keys(&track_url, &[]),
        [
            "album",
            "artists",
            "disc_number",
            "duration_ms",
            "explicit",
            "external_ids",
            "external_urls",
            "href",
            "id",
            "is_local",
            "name",
            "preview_url",
            "track_number",
            "type",
            "uri"
        ]
    );
    let simplified_album = [
        "album_type",
        "total_tracks",
        "external_urls",
        "href",
        "id",
        "images",
        "name",
        "release_date",
        "release_date_precision",
        "type",
        "uri",
        "artists",
    ];
    assert_eq!(keys(&track_url, &["album"]), simplified_album);
    let album_url = format!("{API}/albums/{GLASS_WEATHER}");
    let mut full = simplified_album.to_vec();
    full.extend(["tracks", "copyrights", "external_ids", "genres"]);
    assert_eq!(keys(&album_url, &[]), full);
    // "Always empty" is present and empty: rspotify 0.16.1 requires the member.
    assert_eq!(get(&album_url).1["genres"], json!([]));
    assert_eq!(
        keys(&album_url, &["tracks", "items", "0"]),
        [
            "artists",
            "disc_number",
            "duration_ms",
            "explicit",
            "external_urls",
            "href",
            "id",
            "name",
            "preview_url",
            "track_number",
            "type",
            "uri",
            "is_local"
        ]
    );
    // A market adds `is_playable`, on the track and on its album.
    let (_, in_market) = get(&format!("{API}/tracks/2TpxZ7JUBn3uw46aR7qd6V?market=SE"));
    assert_eq!(in_market["is_playable"], true);
    assert_eq!(in_market["album"]["is_playable"], true);
    assert!(track.get("is_playable").is_none());
}

#[test]
fn paging_arithmetic() {
    // (total, offset, limit) → (items, next, previous)
    let cases = [
        (12, 0, 5, 0..5, Some(5), None),
        (12, 5, 5, 5..10, Some(10), Some(0)),
        (12, 10, 5, 10..12, None, Some(5)),
        (12, 5, 10, 5..12, None, Some(0)),
        (12, 5, 1, 5..6, Some(6), Some(4)),
        (11, 0, 20, 0..11, None, None),
        (3, 7, 5, 3..3, None, Some(2)),
        (0, 0, 5, 0..0, None, None),
    ];
    for (total, offset, limit, range, next, previous) in cases {
        let page = Page::new(total, offset, limit);
        let case = format!("total {total}, offset {offset}, limit {limit}");
        assert_eq!(page.range(), range, "{case}");
        assert_eq!(page.next(), next, "{case}");
        assert_eq!(page.previous(), previous, "{case}");
    }
}

#[test]
fn queries_parse_into_words_and_filters() {
    let cases = [
        ("Oona Vell", vec!["oona", "vell"], vec![]),
        (
            "artist:\"Oona Vell\" year:2018",
            vec![],
            vec![Filter::Artist("oona vell".into()), Filter::Year(2018, 2018)],
        ),
        (
            "weather year:2019-2010",
            vec!["weather"],
            vec![Filter::Year(2010, 2019)],
        ),
        (
            "artist: Quillon",
            vec![],
            vec![Filter::Artist("quillon".into())],
        ),
        (
            "year:soon tag:new",
            vec![],
            vec![Filter::Never, Filter::New],
        ),
        ("mood:calm", vec!["mood:calm"], vec![]),
    ];
    for (q, words, filters) in cases {
        let query = parse_query(q);
        assert_eq!(query.words, words, "{q}");
        assert_eq!(query.filters, filters, "{q}");
    }
}

#[test]
fn search_finds_by_words_and_filters() {
    // (query string, plural key, total, first names)
    let cases: &[(&str, &str, usize, &[&str])] = &[
        ("q=oona&type=artist", "artists", 1, &["Oona Vell"]),
        ("q=OONA%20vell&type=artist", "artists", 1, &["Oona Vell"]),
        (
            "q=artist%3Aquillon&type=album",
            "albums",
            3,
            &["Warehouse Weather", "Pulse Theory", "Neon Orchard"],
        ),
        (
            "q=year%3A2019&type=album",
            "albums",
            2,
            &["Glass Weather", "Cidade de Vidro"],
        ),
        (
            "q=year%3A2010-2014&type=album",
            "albums",
            4,
            &["Muddy Crown", "Saltmarsh", "Tidal Atlas", "Fold Here"],
        ),
        (
            "q=genre%3Aelectronic&type=artist",
            "artists",
            2,
            &["Oona Vell", "Quillon"],
        ),
        (
            "q=lullaby&type=track&limit=10",
            "tracks",
            7,
            &["Satellite Lullaby"],
        ),
        ("q=tag%3Anew&type=album", "albums", 1, &["Neon Orchard"]),
        // A filter that does not apply to the type finds nothing of it.
        ("q=tag%3Anew&type=artist", "artists", 0, &[]),
        ("q=genre%3Ajazz&type=album", "albums", 0, &[]),
        // Words anywhere in the item's text, own-name matches first.
        (
            "q=paper&type=album",
            "albums",
            3,
            &["Paper Moons", "Odds and Paper Ends", "Fold Here"],
        ),
        (
            "q=weather%20artist%3Amarigold&type=album",
            "albums",
            1,
            &["Glass Weather"],
        ),
        ("q=nothing%20like%20this&type=track", "tracks", 0, &[]),
        ("q=oona&type=playlist", "playlists", 0, &[]),
        ("q=oona&type=audiobook", "audiobooks", 0, &[]),
        ("q=oona+vell&type=show", "shows", 0, &[]),
    ];
    for (query, key, total, first) in cases {
        let (status, body) = get(&format!("{API}/search?{query}"));
        assert_eq!(status, 200, "{query}: {body}");
        let page = &body[key];
        assert_eq!(page["total"], *total, "{query}: total");
        let got = names(page);
        assert_eq!(&got[..first.len().min(got.len())], *first, "{query}: names");
    }
}

#[test]
fn search_pages_with_the_2026_limits_and_spotify_urls() {
    let url = format!("{API}/search?q=the&type=track");
    let (_, body) = get(&url);
    let page = &body["tracks"];
    assert_eq!(
        keys(&url, &["tracks"]),
        ["href", "limit", "next", "offset", "previous", "total", "items"]
    );
    assert_eq!(page["limit"], 5, "default limit is 5");
    assert_eq!(page["items"].as_array().expect("items").len(), 5);
    assert_eq!(
        page["href"],
        format!("{API}/search?offset=0&limit=5&query=the&type=track")
    );
    assert_eq!(
        page["next"],
        format!("{API}/search?offset=5&limit=5&query=the&type=track")
    );
    assert_eq!(page["previous"], Json::Null);
    let total = page["total"].as_u64().expect("total") as usize;
    assert!(total > 20, "{total}");

    // Following `next` (which says `query=`) walks every result exactly once.
    let mut seen = Vec::new();
    let mut url = Some(format!("{API}/search?q=the&type=track&limit=10"));
    while let Some(u) = url {
        let (status, body) = get(&u);
        assert_eq!(status, 200, "{u}");
        for item in body["tracks"]["items"].as_array().expect("items") {
            seen.push(item["id"].as_str().expect("id").to_owned());
        }
        url = body["tracks"]["next"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), total);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), total);

    let (_, body) = get(&format!("{API}/search?q=the&type=track&limit=10&offset=15"));
    assert_eq!(
        body["tracks"]["previous"],
        format!("{API}/search?offset=5&limit=10&query=the&type=track")
    );
    assert_eq!(body["tracks"]["offset"], 15);

    // Encoding as Spotify writes it: %20 for a space, %3A for a colon, UTF-8 upper-case hex;
    // each type's object carries its own type; the market and the locale follow.
    let url = format!("{API}/search?q=Mar%C3%A9s%20year:2023&type=album,track&market=SE");
    let (_, body) = get_with(&url, &[("Accept-Language", "en-GB,en;q=0.9")]);
    assert_eq!(
        body["albums"]["href"],
        format!("{API}/search?offset=0&limit=5&query=Mar%C3%A9s%20year%3A2023&type=album&market=SE&locale=en-GB,en;q%3D0.9")
    );
    assert_eq!(keys(&url, &[]), ["albums", "tracks"]);
    assert!(body["tracks"]["href"]
        .as_str()
        .expect("href")
        .contains("&type=track&market=SE"));
    assert_eq!(body["albums"]["items"][0]["is_playable"], true);
}

#[test]
fn search_errors_match_the_protocol_table() {
    let error = |status: u16, message: &str| json!({"error":{"status":status,"message":message}});
    let long = "a".repeat(101);
    let cases = [
        ("type=artist".to_owned(), 400, error(400, "No search query")),
        (
            "q=&type=artist".to_owned(),
            400,
            error(400, "No search query"),
        ),
        (
            "q=oona".to_owned(),
            400,
            error(400, "Missing parameter type"),
        ),
        (
            "q=oona&type=test".to_owned(),
            400,
            error(400, "Bad search type field test"),
        ),
        (
            "q=oona&type=artist,tracks".to_owned(),
            400,
            error(400, "Bad search type field tracks"),
        ),
        (
            "q=oona&type=artist&limit=11".to_owned(),
            400,
            error(400, "Invalid limit"),
        ),
        (
            "q=oona&type=artist&limit=50".to_owned(),
            400,
            error(400, "Invalid limit"),
        ),
        (
            "q=oona&type=artist&limit=0".to_owned(),
            400,
            error(400, "Invalid limit"),
        ),
        (
            "q=oona&type=artist&limit=ten".to_owned(),
            400,
            error(400, "Invalid limit"),
        ),
        (
            "q=oona&type=artist&offset=-1".to_owned(),
            400,
            error(400, "Invalid offset"),
        ),
        (
            "q=oona&type=artist&offset=996&limit=5".to_owned(),
            400,
            error(400, "Bad request."),
        ),
        (
            "q=oona&type=artist&market=from_token".to_owned(),
            403,
            error(403, "Insufficient client scope"),
        ),
        (
            "q=oona&type=artist&market=ALL".to_owned(),
            400,
            error(400, "Invalid market code"),
        ),
        (
            "q=oona&type=artist&market=RU".to_owned(),
            400,
            error(400, "Unlaunched market"),
        ),
        (
            format!("q={long}&type=artist"),
            404,
            error(404, "Not found."),
        ),
    ];
    for (query, status, body) in cases {
        assert_eq!(
            get(&format!("{API}/search?{query}")),
            (status, body),
            "{query}"
        );
    }
    // Positive controls at the edges: limit 10, offset 995 with limit 5, 100 characters.
    for query in [
        "q=oona&type=artist&limit=10",
        "q=oona&type=artist&offset=995&limit=5",
        &format!("q={}&type=artist", "a".repeat(100)),
    ] {
        assert_eq!(get(&format!("{API}/search?{query}")).0, 200, "{query}");
    }
}

#[test]
fn an_artists_albums_by_group_with_paging() {
    let url = |query: &str| format!("{API}/artists/{MARIGOLD}/albums{query}");
    let (status, page) = get(&url(""));
    assert_eq!(status, 200);
    assert_eq!(page["limit"], 5);
    assert_eq!(page["total"], 9, "3 of their own and 6 they appear on");
    assert_eq!(
        names(&page),
        [
            "Softer Engines",
            "Glass Weather",
            "Halo Drift",
            "Oona Vell",
            "Pulse Theory"
        ]
    );
    assert_eq!(page["href"], url("?offset=0&limit=5"));
    assert_eq!(page["next"], url("?offset=5&limit=5"));
    assert!(
        page["items"][0].get("album_group").is_none(),
        "removed in 2026"
    );

    let (_, page) = get(&url("?include_groups=album,single&limit=2&offset=2"));
    assert_eq!(page["total"], 3);
    assert_eq!(names(&page), ["Halo Drift"]);
    assert_eq!(
        page["href"],
        url("?offset=2&limit=2&include_groups=album,single")
    );
    assert_eq!(
        page["previous"],
        url("?offset=0&limit=2&include_groups=album,single")
    );
    assert_eq!(page["next"], Json::Null);

    let (_, page) = get(&format!(
        "{API}/artists/fPtQsEuqYb8YwIwT2EK7dr/albums?include_groups=compilation"
    ));
    assert_eq!(names(&page), ["The Brasswork Years 1995-2005"]);

    let error = |status: u16, message: &str| json!({"error":{"status":status,"message":message}});
    let cases = [
        (url("?limit=11"), 400, error(400, "Invalid limit")),
        (
            url("?include_groups=albums"),
            400,
            error(400, "Invalid include_groups"),
        ),
        (
            format!("{API}/artists/nope/albums"),
            400,
            error(400, "invalid id"),
        ),
        (
            format!("{API}/artists/{}/albums", MARIGOLD.to_lowercase()),
            404,
            error(404, "non existing id"),
        ),
    ];
    for (url, status, body) in cases {
        assert_eq!(get(&url), (status, body), "{url}");
    }
}

#[test]
fn an_albums_tracks_and_single_objects() {
    let url = format!("{API}/albums/{BRASSWORK_YEARS}/tracks");
    let (status, page) = get(&url);
    assert_eq!(status, 200);
    assert_eq!(
        keys(&url, &[]),
        ["href", "items", "limit", "next", "offset", "previous", "total"]
    );
    assert_eq!(
        (page["limit"].clone(), page["total"].clone()),
        (json!(20), json!(12))
    );
    assert_eq!(page["next"], Json::Null);
    assert_eq!(
        page["href"],
        format!("{API}/albums/{BRASSWORK_YEARS}/tracks?offset=0&limit=20")
    );
    // spotipy's path, with its trailing slash and limit 50.
    let (status, slashed) = get(&format!("{API}/albums/{BRASSWORK_YEARS}/tracks/?limit=50"));
    assert_eq!(status, 200);
    assert_eq!(slashed["items"], page["items"]);
    let (_, second) = get(&format!(
        "{API}/albums/{BRASSWORK_YEARS}/tracks?limit=5&offset=10"
    ));
    assert_eq!(second["items"][0]["track_number"], 11);
    assert_eq!(second["items"].as_array().expect("items").len(), 2);

    let error = |status: u16, message: &str| json!({"error":{"status":status,"message":message}});
    let track = "2TpxZ7JUBn3uw46aR7qd6V";
    let cases = [
        (
            format!("{API}/albums/{BRASSWORK_YEARS}/tracks?limit=51"),
            400,
            error(400, "Invalid limit"),
        ),
        (
            format!("{API}/albums/nope/tracks"),
            400,
            error(400, "Invalid base62 id"),
        ),
        (
            format!("{API}/albums/{track}/tracks"),
            404,
            error(404, "non existing id"),
        ),
        (format!("{API}/albums/nope"), 400, error(400, "invalid id")),
        (
            format!("{API}/tracks/fjdkfds"),
            400,
            error(400, "invalid id"),
        ),
        (
            format!("{API}/tracks/{}", track.to_uppercase()),
            404,
            error(404, "non existing id"),
        ),
        (
            format!("{API}/artists/{track}"),
            404,
            error(404, "non existing id"),
        ),
    ];
    for (url, status, body) in cases {
        assert_eq!(get(&url), (status, body), "{url}");
    }
    assert_eq!(
        get(&format!("{API}/artists/{QUILLON}")).1["name"],
        "Quillon"
    );
}

#[test]
fn endpoints_development_mode_lost_answer_as_spotify_does() {
    let forbidden = json!({"error":{"status":403,"message":"Forbidden"}});
    let cases = [
        (
            format!("{API}/tracks?ids=2TpxZ7JUBn3uw46aR7qd6V"),
            403,
            forbidden.clone(),
        ),
        (
            format!("{API}/albums?ids={GLASS_WEATHER}"),
            403,
            forbidden.clone(),
        ),
        (
            format!("{API}/artists?ids={MARIGOLD}"),
            403,
            forbidden.clone(),
        ),
        (
            format!("{API}/artists/{MARIGOLD}/top-tracks?market=SE"),
            403,
            forbidden.clone(),
        ),
        (
            format!("{API}/artists/{MARIGOLD}/related-artists"),
            403,
            forbidden.clone(),
        ),
        (
            format!("{API}/recommendations?seed_artists={MARIGOLD}"),
            403,
            forbidden.clone(),
        ),
        (format!("{API}/markets"), 403, forbidden.clone()),
        (format!("{API}/browse/new-releases"), 403, forbidden.clone()),
        (
            format!("{API}/playlists/{MARIGOLD}/tracks"),
            403,
            forbidden.clone(),
        ),
        (
            format!("{API}/recommendations/available-genre-seeds"),
            404,
            json!({"error":{"status":404,"message":"Not Found"}}),
        ),
        (
            format!("{API}/audio-features/2TpxZ7JUBn3uw46aR7qd6V"),
            403,
            json!({"error":{"status":403}}),
        ),
    ];
    for (url, status, body) in cases {
        assert_eq!(get(&url), (status, body), "{url}");
        // Without a token, the token is the problem, as on every endpoint.
        let unauthenticated = Sandbox::default()
            .with_catalog(Catalog::builtin())
            .handle(&HttpRequest::new("GET", &url), NOW);
        assert_eq!(unauthenticated.status, 401, "{url}");
    }
}

/// The paging URLs' `locale`: a header Spotify could use is echoed, anything else is left out.
#[test]
fn only_a_short_well_formed_accept_language_becomes_the_locale() {
    let url = format!("{API}/albums/{GLASS_WEATHER}/tracks?limit=1");
    let href = |language: &str| {
        let (status, body) = get_with(&url, &[("Accept-Language", language)]);
        assert_eq!(status, 200, "{language:?}");
        body["href"].as_str().expect("href").to_owned()
    };
    let bare = format!("{API}/albums/{GLASS_WEATHER}/tracks?offset=0&limit=1");
    // (header, locale echoed)
    let cases = [
        ("en-GB", Some("en-GB")),
        ("*", Some("*")),
        ("en-GB,en;q=0.9", Some("en-GB,en;q%3D0.9")),
        (
            "en-GB,en-US;q=0.9,en;q=0.8",
            Some("en-GB,en-US;q%3D0.9,en;q%3D0.8"),
        ),
        ("zh-Hant-TW, zh;q=0.5", Some("zh-Hant-TW,%20zh;q%3D0.5")),
        // 35 bytes is the longest taken; 36 is not.
        (
            "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
            Some("de-DE,de;q%3D0.9,en-US;q%3D0.8,en;q%3D0.7"),
        ),
        ("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.75", None),
        ("", None),
        ("en GB", None),
        ("en-<script>", None),
        ("en;q=2", None),
        ("en;level=1", None),
        ("averyverylongsubtag", None),
        (",,,", None),
    ];
    for (language, locale) in cases {
        let expected = match locale {
            Some(l) => format!("{bare}&locale={l}"),
            None => bare.clone(),
        };
        assert_eq!(href(language), expected, "{language:?}");
    }
    // The amplifier the review found: a 400 KB header copied into every paging URL.
    let huge = "en-GB,".repeat(70_000);
    let (status, body) = get_with(
        &format!("{API}/search?q=a&type=album,artist,playlist,track,show,episode,audiobook"),
        &[("Accept-Language", &huge)],
    );
    assert_eq!(status, 200);
    let size = body.to_string().len();
    assert!(size < 64 * 1024, "{size} bytes");
    assert!(!body.to_string().contains("locale="));
}

/// A group named twice counts once, in the answer and in its paging URLs.
#[test]
fn repeated_include_groups_count_once() {
    let artist = format!("{API}/artists/fPtQsEuqYb8YwIwT2EK7dr/albums");
    let (_, once) = get(&format!("{artist}?include_groups=album,single&limit=2"));
    let repeated = format!("album,single,{}", "album,".repeat(5_000));
    let (status, twice) = get(&format!("{artist}?include_groups={repeated}album&limit=2"));
    assert_eq!(status, 200);
    assert_eq!(twice["total"], once["total"]);
    assert_eq!(twice["items"], once["items"]);
    assert_eq!(
        twice["href"],
        format!("{artist}?offset=0&limit=2&include_groups=album,single")
    );
}

/// The largest answers anyone can ask for stay under the bound, whatever the headers and the
/// query hold: every endpoint at its largest page, every search type at once, the longest
/// query (in characters that encode longest, and in filters that match everything), a
/// market and the longest locale.
#[test]
fn no_request_builds_an_answer_over_the_bound() {
    let language = "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7";
    let all_types = "album,artist,playlist,track,show,episode,audiobook";
    let wide = "%F0%9D%84%9E".repeat(100);
    let everything = "year%3A1000-3000%20".repeat(5);
    let artist = &Catalog::builtin().artists[0].id;
    let mut urls = vec![
        format!("{API}/search?q={wide}&type={all_types}&limit=10&offset=0&market=SE"),
        format!("{API}/search?q={everything}&type={all_types}&limit=10&offset=0&market=SE"),
        format!("{API}/artists/{artist}/albums?include_groups=album,single,compilation,appears_on&limit=10&market=SE"),
    ];
    for album in &Catalog::builtin().albums {
        urls.push(format!("{API}/albums/{}?market=SE", album.id));
        urls.push(format!(
            "{API}/albums/{}/tracks?limit=50&market=SE",
            album.id
        ));
    }
    let mut largest = (0, String::new());
    for url in &urls {
        let request = HttpRequest::new("GET", url)
            .header("Authorization", format!("Bearer {}", token()))
            .header("Accept-Language", language);
        let response = Sandbox::default()
            .with_catalog(Catalog::builtin())
            .handle(&request, NOW);
        assert_eq!(response.status, 200, "{url}");
        if response.body.len() > largest.0 {
            largest = (response.body.len(), url.clone());
        }
    }
    assert!(
        largest.0 <= crate::MAX_ANSWER_BYTES,
        "{} bytes for {}",
        largest.0,
        largest.1
    );
    // The search that matches everything did match: the case is a real worst case.
    let (_, found) = get(&urls[1]);
    assert_eq!(found["tracks"]["items"].as_array().map(Vec::len), Some(10));
    eprintln!("largest answer: {} bytes for {}", largest.0, largest.1);
}

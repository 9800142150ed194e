//! The protocol tables of `docs/spotify-protocol.md`, one case per line, against the sandbox.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::json;

use super::*;

const NOW: UnixMillis = UnixMillis(1_764_500_000_000);
const TOKEN_URL: &str = "https://accounts.spotify.com/api/token";
const FORM: &str = "application/x-www-form-urlencoded";
const TRACK: &str = "https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V";

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

fn sandbox_basic() -> String {
    basic(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET)
}

fn body_json(response: &HttpResponse) -> serde_json::Value {
    serde_json::from_str(&response.body).expect("sandbox bodies are JSON")
}

/// One case: a request, the status and the exact body Spotify sends.
fn check(name: &str, request: HttpRequest, status: u16, body: serde_json::Value) {
    let response = Sandbox::default()
        .with_catalog(Catalog::builtin())
        .handle(&request, NOW);
    assert_eq!(response.status, status, "{name}: status");
    assert_eq!(body_json(&response), body, "{name}: body");
    assert_eq!(
        response.header_value("content-type"),
        Some("application/json; charset=utf-8"),
        "{name}: content-type"
    );
}

fn post(url: &str) -> HttpRequest {
    HttpRequest::new("POST", url)
}

#[test]
fn token_endpoint_errors_match_the_protocol_table() {
    let form = |body: &str| post(TOKEN_URL).header("Content-Type", FORM).body(body);
    let missing_grant = json!({"error":"unsupported_grant_type","error_description":"grant_type parameter is missing"});
    let cases = [
        (
            "no grant_type",
            form("").header("Authorization", sandbox_basic()),
            400,
            missing_grant.clone(),
        ),
        (
            "JSON body with a form content type",
            form(r#"{"grant_type":"client_credentials"}"#).header("Authorization", sandbox_basic()),
            400,
            missing_grant.clone(),
        ),
        (
            "other grant_type",
            form("grant_type=password").header("Authorization", sandbox_basic()),
            400,
            json!({"error":"unsupported_grant_type","error_description":"grant_type password is not supported"}),
        ),
        (
            "unknown client id",
            form("grant_type=client_credentials")
                .header("Authorization", basic("nobody", SANDBOX_CLIENT_SECRET)),
            400,
            json!({"error":"invalid_client","error_description":"Invalid client"}),
        ),
        (
            "right id, wrong secret",
            form("grant_type=client_credentials")
                .header("Authorization", basic(SANDBOX_CLIENT_ID, "wrong")),
            400,
            json!({"error":"invalid_client","error_description":"Invalid client secret"}),
        ),
        (
            "secret copied with a trailing newline",
            form("grant_type=client_credentials").header(
                "Authorization",
                basic(SANDBOX_CLIENT_ID, &format!("{SANDBOX_CLIENT_SECRET}\n")),
            ),
            400,
            json!({"error":"invalid_client","error_description":"Invalid client secret"}),
        ),
        (
            "no credentials at all",
            form("grant_type=client_credentials"),
            400,
            json!({"error":"invalid_client"}),
        ),
        (
            "Basic value that is not base64",
            form("grant_type=client_credentials").header("Authorization", "Basic !!!notbase64"),
            400,
            json!({"error":"invalid_client"}),
        ),
        (
            "Basic value without its padding (strict decoding)",
            form("grant_type=client_credentials")
                .header("Authorization", sandbox_basic().trim_end_matches('=')),
            400,
            json!({"error":"invalid_client"}),
        ),
        (
            "Basic value in the URL-safe alphabet (strict decoding)",
            form("grant_type=client_credentials").header(
                "Authorization",
                format!(
                    "Basic {}",
                    STANDARD
                        .encode([0xfb, 0xff])
                        .replace('+', "-")
                        .replace('/', "_")
                ),
            ),
            400,
            json!({"error":"invalid_client"}),
        ),
        (
            "Basic value without a colon",
            form("grant_type=client_credentials").header(
                "Authorization",
                format!("Basic {}", STANDARD.encode("justanid")),
            ),
            400,
            json!({"error":"invalid_client"}),
        ),
        (
            "JSON content type",
            post(TOKEN_URL)
                .header("Content-Type", "application/json")
                .header("Authorization", sandbox_basic())
                .body(r#"{"grant_type":"client_credentials"}"#),
            415,
            json!({"error":"server_error","error_description":"Unexpected status: 415"}),
        ),
        (
            "only client_id in the body",
            form(&format!(
                "grant_type=client_credentials&client_id={SANDBOX_CLIENT_ID}"
            )),
            400,
            json!({"error":"invalid_client"}),
        ),
    ];
    for (name, request, status, body) in cases {
        check(name, request, status, body);
    }
}

#[test]
fn token_endpoint_accepts_every_documented_request_form() {
    let cases = [
        (
            "the lesson: grant_type in the query, empty body, Basic header",
            post(&format!("{TOKEN_URL}?grant_type=client_credentials"))
                .header("Content-Type", FORM)
                .header("Authorization", sandbox_basic()),
        ),
        (
            "documented: grant_type in a form body, Basic header",
            post(TOKEN_URL)
                .header("Content-Type", FORM)
                .header("Authorization", sandbox_basic())
                .body("grant_type=client_credentials"),
        ),
        (
            "getting started: credentials in the body",
            post(TOKEN_URL).header("Content-Type", FORM).body(format!(
                "grant_type=client_credentials&client_id={SANDBOX_CLIENT_ID}&client_secret={SANDBOX_CLIENT_SECRET}"
            )),
        ),
        (
            "header names in any case",
            post(&format!("{TOKEN_URL}?grant_type=client_credentials"))
                .header("content-type", FORM)
                .header("AUTHORIZATION", sandbox_basic()),
        ),
    ];
    for (name, request) in cases {
        let response = Sandbox::default()
            .with_catalog(Catalog::builtin())
            .handle(&request, NOW);
        assert_eq!(response.status, 200, "{name}: {}", response.body);
        let body = body_json(&response);
        assert_eq!(body["token_type"], "Bearer", "{name}");
        assert_eq!(body["expires_in"], 3600, "{name}");
        let token = body["access_token"].as_str().expect("token is a string");
        let decoded = SandboxToken::decode(token).expect("sandbox token decodes");
        assert_eq!(decoded.expires_at, NOW.seconds() + 3600, "{name}");
        let members =
            format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#);
        assert_eq!(
            response.body, members,
            "{name}: the protocol's member order"
        );
    }
}

#[test]
fn token_lifetime_is_configurable() {
    let request = post(&format!("{TOKEN_URL}?grant_type=client_credentials"))
        .header("Content-Type", FORM)
        .header("Authorization", sandbox_basic());
    let response = Sandbox::with_token_lifetime(5).handle(&request, NOW);
    assert_eq!(body_json(&response)["expires_in"], 5);
    assert_eq!(Sandbox::with_token_lifetime(0).token_lifetime(), 1);
}

fn issue_token(lifetime: u64) -> String {
    SandboxToken::issue(NOW, lifetime).encode()
}

#[test]
fn web_api_errors_match_the_protocol_table() {
    let unauthorized =
        json!({"error":{"status":401,"message":"Missing/invalid/expired access token"}});
    let malformed =
        json!({"error":{"status":400,"message":"Only valid bearer authentication supported"}});
    let expired_token = SandboxToken {
        expires_at: NOW.seconds(),
        issued_at_ms: NOW.0 - 3_600_000,
    }
    .encode();
    let get = |auth: Option<String>| {
        let r = HttpRequest::new("GET", TRACK);
        match auth {
            Some(a) => r.header("Authorization", a),
            None => r,
        }
    };
    let cases = [
        ("no token", get(None), 401, unauthorized.clone()),
        (
            "invalid token",
            get(Some("Bearer BQnotARealToken".into())),
            401,
            unauthorized.clone(),
        ),
        (
            "expired token",
            get(Some(format!("Bearer {expired_token}"))),
            401,
            unauthorized.clone(),
        ),
        (
            "wrong scheme",
            get(Some(format!("Basic {}", issue_token(60)))),
            400,
            malformed.clone(),
        ),
        (
            "token in quotes",
            get(Some(format!("Bearer \"{}\"", issue_token(60)))),
            400,
            malformed.clone(),
        ),
        (
            "lowercase scheme",
            get(Some(format!("bearer {}", issue_token(60)))),
            400,
            malformed.clone(),
        ),
        (
            "bad id",
            HttpRequest::new("GET", "https://api.spotify.com/v1/tracks/short")
                .header("Authorization", format!("Bearer {}", issue_token(60))),
            400,
            json!({"error":{"status":400,"message":"invalid id"}}),
        ),
        (
            "unknown endpoint",
            HttpRequest::new("GET", "https://api.spotify.com/v1/me")
                .header("Authorization", format!("Bearer {}", issue_token(60))),
            404,
            json!({"error":{"status":404,"message":"Service not found"}}),
        ),
    ];
    for (name, request, status, body) in cases {
        check(name, request, status, body);
    }
}

#[test]
fn malformed_bearer_sends_www_authenticate() {
    let response = Sandbox::default().with_catalog(Catalog::builtin()).handle(
        &HttpRequest::new("GET", TRACK).header("Authorization", "Token abc"),
        NOW,
    );
    assert_eq!(
        response.header_value("www-authenticate"),
        Some("Bearer realm=\"spotify\", error=\"invalid_request\", error_description=\"Only valid bearer authentication supported\"")
    );
}

#[test]
fn a_token_from_the_endpoint_reads_tracks_and_artists_until_it_expires() {
    let sandbox = Sandbox::with_token_lifetime(60).with_catalog(Catalog::builtin());
    let issued = sandbox.handle(
        &post(&format!("{TOKEN_URL}?grant_type=client_credentials"))
            .header("Content-Type", FORM)
            .header("Authorization", sandbox_basic()),
        NOW,
    );
    let token = body_json(&issued)["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let get = |url: &str, at: UnixMillis| {
        sandbox.handle(
            &HttpRequest::new("GET", url).header("Authorization", format!("Bearer {token}")),
            at,
        )
    };

    let track = get(&format!("{TRACK}?market=US"), UnixMillis(NOW.0 + 59_000));
    assert_eq!(track.status, 200, "{}", track.body);
    let track = body_json(&track);
    assert_eq!(track["id"], "2TpxZ7JUBn3uw46aR7qd6V");
    assert_eq!(track["type"], "track");
    assert_eq!(track["uri"], "spotify:track:2TpxZ7JUBn3uw46aR7qd6V");
    let catalog = Catalog::builtin();
    let (album, number, entry) = catalog
        .track("2TpxZ7JUBn3uw46aR7qd6V")
        .expect("in the catalog");
    assert_eq!(track["name"], entry.name);
    assert_eq!(track["track_number"], number);
    assert_eq!(track["album"]["id"], album.id);
    assert_eq!(
        track["artists"][0]["name"],
        catalog.artists[album.artists[0]].name
    );
    // Same id, same data: the sandbox is deterministic.
    assert_eq!(
        body_json(&get(TRACK, NOW)),
        body_json(&get(TRACK, NOW)),
        "deterministic"
    );

    let artist = get(&catalog::href("artist", &catalog.artists[0].id), NOW);
    assert_eq!(artist.status, 200);
    assert_eq!(body_json(&artist)["type"], "artist");

    let late = get(TRACK, UnixMillis(NOW.0 + 60_000));
    assert_eq!(late.status, 401, "expired after its lifetime");
}

#[test]
fn known_basic_vectors_are_read_as_credentials() {
    // From client libraries' own tests (protocol page): the sandbox decodes them to an
    // id:secret pair, so it answers "Invalid client" (an id it does not know), not the bare
    // invalid_client of a value it cannot read. The last line is the control.
    let cases = [
        (
            "Basic cmFtc2F5OjEyMzQ1Ng==",
            json!({"error":"invalid_client","error_description":"Invalid client"}),
        ),
        (
            "Basic c29tZUNsaWVudElkOnNvbWVDbGllbnRTZWNyZXQ=",
            json!({"error":"invalid_client","error_description":"Invalid client"}),
        ),
        (
            "Basic cmFtc2F5OjEyMzQ1Ng",
            json!({"error":"invalid_client"}),
        ),
    ];
    for (value, body) in cases {
        let request = post(TOKEN_URL)
            .header("Content-Type", FORM)
            .header("Authorization", value)
            .body("grant_type=client_credentials");
        check(value, request, 400, body);
    }
}

#[test]
fn other_hosts_are_not_emulated() {
    for url in [
        "https://example.com/api/token",
        "http://accounts.spotify.com/api/token",
        "not a url",
    ] {
        let response = Sandbox::default()
            .with_catalog(Catalog::builtin())
            .handle(&post(url), NOW);
        assert_eq!(response.status, 404, "{url}");
    }
}

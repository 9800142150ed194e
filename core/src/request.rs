//! Builds the exact requests the lesson's cells make (pure).

use base64::Engine as _;
use sandbox::HttpRequest;

/// The token endpoint, as on line 1 of the lesson's code.
pub const TOKEN_ENDPOINT: &str = "https://accounts.spotify.com/api/token";
/// The track the validate cell reads (the Access Token concept page's example).
pub const VALIDATION_TRACK_ID: &str = "2TpxZ7JUBn3uw46aR7qd6V";

/// `Basic base64(id:secret)`: standard alphabet, padded, over exactly those bytes.
pub fn basic_authorization(client_id: &str, client_secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{client_secret}"))
    )
}

/// The client id and secret in a `Basic` Authorization value (scheme in any case), if its
/// credential decodes to `id:secret`. The one reader of Basic values: masking, the inspector's
/// Decode and code export all use it.
pub fn basic_credentials(authorization: &str) -> Option<(String, String)> {
    let (scheme, credential) = authorization.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(credential.trim())
        .ok()?;
    let pair = String::from_utf8(bytes).ok()?;
    let (id, secret) = pair.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// What the token cell's code sends: POST, `grant_type` in the query string, an empty body,
/// the form content type and the Basic header. Values are used as typed, like the course's
/// `Buffer.from('{{CLIENT_ID}}:{{CLIENT_SECRET}}')`, so a copied newline is sent too.
pub fn token_request(client_id: &str, client_secret: &str) -> HttpRequest {
    HttpRequest::new(
        "POST",
        format!("{TOKEN_ENDPOINT}?grant_type=client_credentials"),
    )
    .header("Content-Type", "application/x-www-form-urlencoded")
    .header(
        "Authorization",
        basic_authorization(client_id, client_secret),
    )
}

/// What the hidden `validateToken()` sends: a track read with the saved Bearer token.
pub fn validation_request(access_token: &str) -> HttpRequest {
    HttpRequest::new(
        "GET",
        format!("https://api.spotify.com/v1/tracks/{VALIDATION_TRACK_ID}"),
    )
    .header("Authorization", format!("Bearer {access_token}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_values_decode_to_their_pair() {
        let pair = |id: &str, secret: &str| Some((id.to_owned(), secret.to_owned()));
        let cases = [
            (basic_authorization("id", "se:cret"), pair("id", "se:cret")),
            (
                format!("basic {}", &basic_authorization("a", "b")[6..]),
                pair("a", "b"),
            ),
            ("Bearer abc".to_owned(), None),
            ("Basic !!!".to_owned(), None),
            ("Basic bm9jb2xvbg==".to_owned(), None), // "nocolon"
            ("Basic".to_owned(), None),
        ];
        for (value, expected) in cases {
            assert_eq!(basic_credentials(&value), expected, "{value}");
        }
    }

    #[test]
    fn known_basic_vectors() {
        let cases = [
            ("ramsay", "123456", "Basic cmFtc2F5OjEyMzQ1Ng=="),
            (
                "someClientId",
                "someClientSecret",
                "Basic c29tZUNsaWVudElkOnNvbWVDbGllbnRTZWNyZXQ=",
            ),
            // A copied trailing newline or space shows in the base64 tail.
            ("a", "b\n", "Basic YTpiCg=="),
            ("a", "b ", "Basic YTpiIA=="),
        ];
        for (id, secret, want) in cases {
            assert_eq!(basic_authorization(id, secret), want, "{id}:{secret:?}");
        }
    }

    #[test]
    fn token_request_is_what_the_lesson_code_sends() {
        let request = token_request("ramsay", "123456");
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.url,
            "https://accounts.spotify.com/api/token?grant_type=client_credentials"
        );
        assert_eq!(
            request.headers,
            vec![
                (
                    "Content-Type".to_owned(),
                    "application/x-www-form-urlencoded".to_owned()
                ),
                (
                    "Authorization".to_owned(),
                    "Basic cmFtc2F5OjEyMzQ1Ng==".to_owned()
                ),
            ]
        );
        assert_eq!(request.body, "");
    }

    #[test]
    fn validation_request_reads_the_lesson_track() {
        let request = validation_request("BQabc");
        assert_eq!(request.method, "GET");
        assert_eq!(
            request.url,
            "https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V"
        );
        assert_eq!(request.header_value("authorization"), Some("Bearer BQabc"));
    }

    #[test]
    fn the_sandbox_accepts_the_built_request() {
        let response = sandbox::Sandbox::default().handle(
            &token_request(sandbox::SANDBOX_CLIENT_ID, sandbox::SANDBOX_CLIENT_SECRET),
            sandbox::UnixMillis(1_000_000),
        );
        assert_eq!(response.status, 200, "{}", response.body);
    }
}

//! Builds the exact requests the lesson's cells make (pure).

use wire::{Authorization, HttpRequest};

/// The token endpoint, as on line 1 of the lesson's code.
pub use wire::TOKEN_ENDPOINT;
/// The track the validate cell reads (the Access Token concept page's example).
pub const VALIDATION_TRACK_ID: &str = "2TpxZ7JUBn3uw46aR7qd6V";

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
        wire::auth::HEADER,
        Authorization::basic(client_id, client_secret).header_value(),
    )
}

/// What the hidden `validateToken()` sends: a track read with the saved Bearer token.
pub fn validation_request(access_token: &str) -> HttpRequest {
    HttpRequest::new(
        "GET",
        format!("https://api.spotify.com/v1/tracks/{VALIDATION_TRACK_ID}"),
    )
    .header(
        wire::auth::HEADER,
        Authorization::Bearer(access_token.to_owned()).header_value(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
            wire::UnixMillis(1_000_000),
        );
        assert_eq!(response.status, 200, "{}", response.body);
    }
}

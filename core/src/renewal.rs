//! Auto-renewal's decisions (pure): whether a refused call gets a new token, which
//! credentials renew it, the request sent again with the new token, and what the learner is
//! told. The page's run controller (`src/run.rs`) only carries them out.
//!
//! Invariant: renewal is opt-in, happens only on a 401 from the Web API, at most once per
//! run, and retries the refused call once; never on a 400, 403 or 429.

use wire::{Authorization, HttpRequest};

use crate::keys::KeyValues;
use crate::lesson::KeySpec;
use crate::request::TOKEN_ENDPOINT;

/// Whether this answer to `request` calls for a new token: a 401 from the Web API (not the
/// token endpoint), with renewal on and not yet tried in this run.
pub fn should_renew(request: &HttpRequest, status: u16, renew_on: bool, tried: bool) -> bool {
    status == 401 && renew_on && !tried && !request.url.starts_with(TOKEN_ENDPOINT)
}

/// The token of a `Bearer` Authorization header.
pub fn bearer(request: &HttpRequest) -> Option<String> {
    match Authorization::parse(request.header_value(wire::auth::HEADER)?) {
        Authorization::Bearer(token) => Some(token),
        _ => None,
    }
}

/// `request` with `new` in place of `old` in its Authorization header; nothing else changes.
pub fn with_token(request: &HttpRequest, old: &str, new: &str) -> HttpRequest {
    let mut request = request.clone();
    if old.is_empty() {
        return request;
    }
    for (name, value) in &mut request.headers {
        if name.eq_ignore_ascii_case(wire::auth::HEADER) {
            *value = value.replace(old, new);
        }
    }
    request
}

/// The client id and secret that renew a token: the keys `names` (the token cell's, from the
/// course outline) as the keys panel holds them. When either is blank, the message says
/// which, by the labels the lesson files give them, and what to do instead.
pub fn credentials(
    names: Option<&(String, String)>,
    values: &KeyValues,
    specs: &[KeySpec],
) -> Result<(String, String), String> {
    let filled = |name: &str| values.get(name).filter(|v| !v.trim().is_empty());
    if let Some((id, secret)) = names {
        if let (Some(id), Some(secret)) = (filled(id), filled(secret)) {
            return Ok((id.to_owned(), secret.to_owned()));
        }
    }
    let label = |name: &str| {
        specs
            .iter()
            .find(|s| s.name == name)
            .map_or(name.to_owned(), |s| s.label.clone())
    };
    let labels = names.map_or("your credentials".to_owned(), |(id, secret)| {
        format!("{} and {}", label(id), label(secret))
    });
    Err(format!(
        "The token was refused, and it cannot be renewed: the keys panel has no {labels}. Type them there, or get and save a new token in the first lesson."
    ))
}

/// The log's line when a renewed token was sent again; `at` is the local time.
pub fn renewed_note(expired: bool, at: &str) -> String {
    let what = if expired {
        "Token expired"
    } else {
        "Token refused"
    };
    format!("{what}; renewed at {at} and ran again.")
}

/// The log's line when the token endpoint gave no answer to the renewal.
pub const UNREACHABLE: &str =
    "The token was refused, and renewing it failed: the token endpoint could not be reached.";

/// The log's line when the token endpoint refused the renewal, with its explanation.
pub fn refused_note(headline: &str) -> String {
    format!("The token was refused, and renewing it failed: {headline}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACK: &str = "https://api.spotify.com/v1/tracks/x";

    #[test]
    fn renews_only_a_refused_web_api_call_once_when_asked() {
        let api = HttpRequest::new("GET", TRACK);
        let token = HttpRequest::new("POST", format!("{TOKEN_ENDPOINT}?grant_type=x"));
        // (request, status, renewal on, tried, renews)
        let cases = [
            (&api, 401, true, false, true),
            (&api, 401, false, false, false),
            (&api, 401, true, true, false),
            (&token, 401, true, false, false),
            (&api, 400, true, false, false),
            (&api, 403, true, false, false),
            (&api, 429, true, false, false),
            (&api, 200, true, false, false),
        ];
        for (request, status, on, tried, renews) in cases {
            assert_eq!(
                should_renew(request, status, on, tried),
                renews,
                "{} {status} on={on} tried={tried}",
                request.url
            );
        }
    }

    #[test]
    fn the_new_token_replaces_the_old_one_in_the_authorization_header_only() {
        let request = HttpRequest::new("GET", format!("{TRACK}?t=OLD"))
            .header("authorization", "Bearer OLD")
            .header("X-Echo", "OLD");
        assert_eq!(bearer(&request).as_deref(), Some("OLD"));
        let sent = with_token(&request, "OLD", "NEW");
        assert_eq!(sent.header_value("Authorization"), Some("Bearer NEW"));
        assert_eq!(sent.header_value("X-Echo"), Some("OLD"));
        assert!(sent.url.ends_with("t=OLD"));
        assert_eq!(
            with_token(&request, "", "NEW"),
            request,
            "nothing to replace"
        );
        let basic = HttpRequest::new("GET", TRACK).header("Authorization", "Basic aWQ6cw==");
        assert_eq!(bearer(&basic), None);
        assert_eq!(bearer(&HttpRequest::new("GET", TRACK)), None);
    }

    #[test]
    fn credentials_come_from_the_keys_or_the_message_names_them() {
        let spec = |name: &str, label: &str| KeySpec {
            name: name.into(),
            label: label.into(),
            secret: false,
            sandbox: None,
            suspect_for: None,
        };
        let specs = [spec("ID", "Client ID"), spec("SECRET", "Client Secret")];
        let names = ("ID".to_owned(), "SECRET".to_owned());
        let mut values = KeyValues::default();
        values.set("ID", "id".into());
        let missing = credentials(Some(&names), &values, &specs).unwrap_err();
        assert!(
            missing.contains("the keys panel has no Client ID and Client Secret"),
            "{missing}"
        );
        values.set("SECRET", "  ".into());
        assert!(credentials(Some(&names), &values, &specs).is_err(), "blank");
        values.set("SECRET", "s\n".into());
        assert_eq!(
            credentials(Some(&names), &values, &specs),
            Ok(("id".to_owned(), "s\n".to_owned())),
            "values as typed"
        );
        let none = credentials(None, &values, &specs).unwrap_err();
        assert!(none.contains("has no your credentials"), "{none}");
    }

    #[test]
    fn notes_say_what_happened() {
        assert_eq!(
            renewed_note(true, "14:02:11"),
            "Token expired; renewed at 14:02:11 and ran again."
        );
        assert_eq!(
            renewed_note(false, "14:02:11"),
            "Token refused; renewed at 14:02:11 and ran again."
        );
        assert!(refused_note("Invalid client").ends_with("failed: Invalid client"));
    }
}

//! Where a request goes: the in-page sandbox, a relay, or Spotify directly (pure decision).

use serde::{Deserialize, Serialize};

use wire::http::split_url;

/// Which Spotify the page talks to. Stored with a saved token as `"sandbox"` or `"spotify"`,
/// the values of `?target=`, read by the same [`Target::from_param`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Target {
    /// The in-page emulator: no network at all.
    Sandbox,
    /// The real hosts, through the relay: the page's default.
    #[default]
    Spotify,
}

impl TryFrom<String> for Target {
    type Error = String;

    fn try_from(text: String) -> Result<Target, String> {
        Target::from_param(&text).ok_or_else(|| format!("not a target: {text}"))
    }
}

impl Target {
    /// The value used in `?target=`.
    pub fn as_param(self) -> &'static str {
        match self {
            Target::Sandbox => "sandbox",
            Target::Spotify => "spotify",
        }
    }

    /// Parses `?target=`.
    pub fn from_param(text: &str) -> Option<Target> {
        match text {
            "sandbox" => Some(Target::Sandbox),
            "spotify" => Some(Target::Spotify),
            _ => None,
        }
    }
}

/// The relay prefix served by this project's own server, same-origin.
pub const DEFAULT_RELAY_PREFIX: &str = "/relay/";

/// How requests for `Target::Spotify` leave the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Relay {
    /// `PREFIX + absolute upstream URL` (the cors-anywhere convention).
    Prefix(String),
    /// No relay: straight to Spotify, which blocks the token request in browsers.
    Direct,
}

impl Default for Relay {
    fn default() -> Self {
        Relay::Prefix(DEFAULT_RELAY_PREFIX.to_owned())
    }
}

impl Relay {
    /// Parses a relay setting: `direct`, a same-origin path such as `/relay/`, or an
    /// `http(s)://…` prefix. The message says what is wrong and what to enter instead.
    pub fn parse(text: &str) -> Result<Relay, String> {
        let text = text.trim();
        if text == "direct" {
            return Ok(Relay::Direct);
        }
        let hint = "Enter a prefix such as /relay/ or https://relay.example.org/, or \"direct\".";
        if text.is_empty() {
            return Err(format!("The relay setting is empty. {hint}"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) || text.contains('#') {
            return Err(format!(
                "The relay prefix may not contain spaces or '#'. {hint}"
            ));
        }
        let absolute = split_url(text).is_some_and(|u| {
            (u.scheme == "https" || u.scheme == "http") && !u.authority.is_empty()
        });
        if !(absolute || (text.starts_with('/') && !text.starts_with("//"))) {
            return Err(format!(
                "\"{text}\" is not a relay prefix: it must start with / or http(s)://. {hint}"
            ));
        }
        Ok(Relay::Prefix(text.to_owned()))
    }

    /// The setting as the learner would type it.
    pub fn as_setting(&self) -> &str {
        match self {
            Relay::Prefix(p) => p,
            Relay::Direct => "direct",
        }
    }
}

/// Where one request goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Answered by the in-page sandbox; nothing leaves the page.
    Sandbox,
    /// Sent with `fetch` to this URL.
    Network {
        url: String,
        /// True when the URL is a relay's, so its errors are the relay's.
        via_relay: bool,
    },
}

/// Why a request cannot be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteError {
    /// The playground only reaches the two Spotify hosts.
    NotSpotify { url: String },
}

impl std::fmt::Display for RouteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RouteError::NotSpotify { url } => write!(
                f,
                "This playground only reaches Spotify (https://accounts.spotify.com and https://api.spotify.com), not {url}. Nothing was sent."
            ),
        }
    }
}

/// True for `https://accounts.spotify.com/…` and `https://api.spotify.com/…`.
pub fn is_spotify_url(url: &str) -> bool {
    split_url(url).is_some_and(|u| {
        u.scheme == "https" && (u.authority == wire::ACCOUNTS_HOST || u.authority == wire::API_HOST)
    })
}

/// Decides where a request for `url` goes.
pub fn route(target: Target, relay: &Relay, url: &str) -> Result<Destination, RouteError> {
    if !is_spotify_url(url) {
        return Err(RouteError::NotSpotify {
            url: url.split('?').next().unwrap_or(url).to_owned(),
        });
    }
    Ok(match (target, relay) {
        (Target::Sandbox, _) => Destination::Sandbox,
        (Target::Spotify, Relay::Direct) => Destination::Network {
            url: url.to_owned(),
            via_relay: false,
        },
        (Target::Spotify, Relay::Prefix(prefix)) => Destination::Network {
            url: format!("{prefix}{url}"),
            via_relay: true,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "https://accounts.spotify.com/api/token?grant_type=client_credentials";
    const TRACK: &str = "https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V";

    fn network(url: &str, via_relay: bool) -> Result<Destination, RouteError> {
        Ok(Destination::Network {
            url: url.to_owned(),
            via_relay,
        })
    }

    #[test]
    fn routes() {
        let relay = Relay::default();
        let cases = [
            (
                Target::Sandbox,
                relay.clone(),
                TOKEN,
                Ok(Destination::Sandbox),
            ),
            (
                Target::Sandbox,
                Relay::Direct,
                TRACK,
                Ok(Destination::Sandbox),
            ),
            (
                Target::Spotify,
                relay.clone(),
                TOKEN,
                network(&format!("/relay/{TOKEN}"), true),
            ),
            (
                Target::Spotify,
                Relay::Prefix("https://cors.example.org/".into()),
                TRACK,
                network(&format!("https://cors.example.org/{TRACK}"), true),
            ),
            (Target::Spotify, Relay::Direct, TRACK, network(TRACK, false)),
            (
                Target::Sandbox,
                relay.clone(),
                "https://example.com/?secret=x",
                Err(RouteError::NotSpotify {
                    url: "https://example.com/".into(),
                }),
            ),
            (
                Target::Spotify,
                relay.clone(),
                "http://api.spotify.com/v1/tracks/x",
                Err(RouteError::NotSpotify {
                    url: "http://api.spotify.com/v1/tracks/x".into(),
                }),
            ),
            (
                Target::Spotify,
                relay,
                "https://api.spotify.com.evil.example/v1",
                Err(RouteError::NotSpotify {
                    url: "https://api.spotify.com.evil.example/v1".into(),
                }),
            ),
        ];
        for (target, relay, url, want) in cases {
            assert_eq!(
                route(target, &relay, url),
                want,
                "{target:?} {relay:?} {url}"
            );
        }
    }

    #[test]
    fn relay_settings() {
        let ok = |text: &str, want: Relay| assert_eq!(Relay::parse(text), Ok(want), "{text}");
        ok("direct", Relay::Direct);
        ok("/relay/", Relay::Prefix("/relay/".into()));
        ok(
            " https://r.example/ ",
            Relay::Prefix("https://r.example/".into()),
        );
        ok(
            "http://127.0.0.1:9000/relay/",
            Relay::Prefix("http://127.0.0.1:9000/relay/".into()),
        );
        for bad in [
            "",
            "  ",
            "relay",
            "//evil.example/",
            "ftp://x/",
            "/re lay/",
            "/relay/#x",
            "https:///x",
        ] {
            let err = Relay::parse(bad).expect_err(bad);
            assert!(
                err.contains("/relay/"),
                "{bad}: message says what to enter: {err}"
            );
        }
    }

    #[test]
    fn target_params() {
        for target in [Target::Sandbox, Target::Spotify] {
            assert_eq!(Target::from_param(target.as_param()), Some(target));
        }
        assert_eq!(Target::from_param("Sandbox"), None);
    }
}

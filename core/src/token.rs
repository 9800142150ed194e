//! The saved access token, its expiry states and countdown text (pure; time is passed in).

use serde::{Deserialize, Serialize};

use crate::routing::Target;

/// "Expires soon" margin in seconds, as spotipy uses.
pub const EXPIRES_SOON_MARGIN: u64 = 60;

/// A token the learner saved, with its absolute expiry: stored as JSON with these names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedToken {
    pub access_token: String,
    pub token_type: String,
    /// Seconds since the Unix epoch.
    pub expires_at: u64,
    /// A token only works on the target that issued it.
    pub target: Target,
}

/// Where a saved token stands at some moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenState {
    Valid { seconds_left: u64 },
    ExpiresSoon { seconds_left: u64 },
    Expired,
}

impl SavedToken {
    /// The token's state at `now` (seconds).
    pub fn state(&self, now: u64) -> TokenState {
        match self.expires_at.checked_sub(now) {
            None | Some(0) => TokenState::Expired,
            Some(left) if left <= EXPIRES_SOON_MARGIN => {
                TokenState::ExpiresSoon { seconds_left: left }
            }
            Some(left) => TokenState::Valid { seconds_left: left },
        }
    }
}

/// `mm:ss`, with minutes growing past 59 (a fresh token shows `60:00`).
pub fn mm_ss(seconds: u64) -> String {
    format!("{:02}:{:02}", seconds / 60, seconds % 60)
}

/// "59 minutes 58 seconds", for sentences.
pub fn long_duration(seconds: u64) -> String {
    let (m, s) = (seconds / 60, seconds % 60);
    let unit = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (m, s) {
        (0, s) => unit(s, "second"),
        (m, 0) => unit(m, "minute"),
        (m, s) => format!("{} {}", unit(m, "minute"), unit(s, "second")),
    }
}

/// A token shown masked: its first four characters, then dots, then its length.
pub fn masked(token: &str) -> String {
    let head: String = token.chars().take(4).collect();
    format!(
        "{head}•••••••• ({} characters, hidden)",
        token.chars().count()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(expires_at: u64) -> SavedToken {
        SavedToken {
            access_token: "BQx".into(),
            token_type: "Bearer".into(),
            expires_at,
            target: Target::Sandbox,
        }
    }

    #[test]
    fn states_around_the_margin() {
        let t = saved(1000);
        let cases = [
            (0, TokenState::Valid { seconds_left: 1000 }),
            (939, TokenState::Valid { seconds_left: 61 }),
            (940, TokenState::ExpiresSoon { seconds_left: 60 }),
            (999, TokenState::ExpiresSoon { seconds_left: 1 }),
            (1000, TokenState::Expired),
            (5000, TokenState::Expired),
        ];
        for (now, want) in cases {
            assert_eq!(t.state(now), want, "now={now}");
        }
    }

    #[test]
    fn formatting() {
        assert_eq!(mm_ss(3600), "60:00");
        assert_eq!(mm_ss(3598), "59:58");
        assert_eq!(mm_ss(5), "00:05");
        assert_eq!(long_duration(3598), "59 minutes 58 seconds");
        assert_eq!(long_duration(60), "1 minute");
        assert_eq!(long_duration(1), "1 second");
        let m = masked("BQDabcdefghijkl");
        assert!(m.starts_with("BQDa••••"));
        assert!(!m.contains("bcdefghijkl"), "the rest is hidden");
        assert!(m.contains("15 characters"));
    }

    #[test]
    fn storage_form_round_trips() {
        let t = saved(42);
        let text = serde_json::to_string(&t).expect("JSON");
        assert_eq!(serde_json::from_str::<SavedToken>(&text).ok(), Some(t));
        // What earlier releases stored reads back, so a saved token survives an update.
        let stored =
            r#"{"access_token":"BQx","token_type":"Bearer","expires_at":42,"target":"spotify"}"#;
        let read: SavedToken = serde_json::from_str(stored).expect("the stored form");
        assert_eq!((read.target, read.expires_at), (Target::Spotify, 42));
        for bad in [
            r#"{"access_token":"x"}"#,
            r#"{"access_token":"x","token_type":"Bearer","expires_at":1,"target":"mars"}"#,
            "not json",
        ] {
            assert!(serde_json::from_str::<SavedToken>(bad).is_err(), "{bad}");
        }
    }
}

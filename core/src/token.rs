//! The saved access token, its expiry states and countdown text (pure; time is passed in).

use wire::json::Value;

/// "Expires soon" margin in seconds, as spotipy uses.
pub const EXPIRES_SOON_MARGIN: u64 = 60;

/// A token the learner saved, with its absolute expiry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedToken {
    pub access_token: String,
    pub token_type: String,
    /// Seconds since the Unix epoch.
    pub expires_at: u64,
    /// `sandbox` or `spotify`: a token only works on the target that issued it.
    pub target: String,
}

/// Where a saved token stands at some moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenState {
    Valid { seconds_left: u64 },
    ExpiresSoon { seconds_left: u64 },
    Expired,
}

impl SavedToken {
    /// The JSON kept in storage.
    pub fn to_json(&self) -> String {
        Value::object([
            ("access_token", (&self.access_token).into()),
            ("token_type", (&self.token_type).into()),
            ("expires_at", self.expires_at.into()),
            ("target", (&self.target).into()),
        ])
        .to_string()
    }

    /// Reads the stored JSON back; `None` for anything incomplete.
    pub fn from_json(text: &str) -> Option<SavedToken> {
        let value = Value::parse(text).ok()?;
        let text = |name: &str| value.get(name)?.as_str().map(str::to_owned);
        Some(SavedToken {
            access_token: text("access_token")?,
            token_type: text("token_type")?,
            expires_at: value.get("expires_at")?.as_u64()?,
            target: text("target")?,
        })
    }

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
            target: "sandbox".into(),
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
        assert_eq!(SavedToken::from_json(&t.to_json()), Some(t));
        assert_eq!(SavedToken::from_json(r#"{"access_token":"x"}"#), None);
        assert_eq!(SavedToken::from_json("not json"), None);
    }
}

//! The page's URL parameters, parsed once at start-up (pure).

use sandbox::http::parse_form;

use crate::routing::{Relay, Target};

/// Longest sandbox token lifetime accepted from the URL: a day.
const MAX_SANDBOX_LIFETIME: u64 = 86_400;

/// Settings chosen through the page's URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageParams {
    /// `?target=`; `None` when absent, so the page can fall back to its default.
    pub target: Option<Target>,
    /// `?relay=`; overrides the stored setting for this visit.
    pub relay: Option<Relay>,
    /// `?sandbox_token_lifetime=` in seconds.
    pub sandbox_token_lifetime: Option<u64>,
    /// Visible, non-fatal notices about parameters that were ignored.
    pub notices: Vec<String>,
}

/// Parses `location.search` (with or without the leading `?`).
pub fn parse(search: &str) -> PageParams {
    let mut params = PageParams {
        target: None,
        relay: None,
        sandbox_token_lifetime: None,
        notices: Vec::new(),
    };
    for (name, value) in parse_form(search.trim_start_matches('?')) {
        match name.as_str() {
            "target" => match Target::from_param(&value) {
                Some(t) => params.target = Some(t),
                None => params.notices.push(format!(
                    "Ignored target={value}: use target=sandbox or target=spotify."
                )),
            },
            "relay" => match Relay::parse(&value) {
                Ok(r) => params.relay = Some(r),
                Err(message) => params
                    .notices
                    .push(format!("Ignored the relay parameter. {message}")),
            },
            "sandbox_token_lifetime" => match value.parse::<u64>() {
                Ok(s) if (1..=MAX_SANDBOX_LIFETIME).contains(&s) => {
                    params.sandbox_token_lifetime = Some(s)
                }
                _ => params.notices.push(format!(
                    "Ignored sandbox_token_lifetime={value}: use a whole number of seconds from 1 to {MAX_SANDBOX_LIFETIME}."
                )),
            },
            other => params
                .notices
                .push(format!("Ignored the unknown parameter \"{other}\".")),
        }
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_parameters() {
        let p = parse("?target=sandbox&sandbox_token_lifetime=5&relay=direct");
        assert_eq!(p.target, Some(Target::Sandbox));
        assert_eq!(p.sandbox_token_lifetime, Some(5));
        assert_eq!(p.relay, Some(Relay::Direct));
        assert!(p.notices.is_empty());
        let p = parse("relay=%2Frelay%2F");
        assert_eq!(p.relay, Some(Relay::Prefix("/relay/".into())));
        assert_eq!(parse("").target, None);
    }

    #[test]
    fn bad_parameters_become_notices() {
        let cases = [
            ("target=prod", "target=sandbox"),
            ("sandbox_token_lifetime=0", "from 1 to"),
            ("sandbox_token_lifetime=abc", "whole number"),
            ("sandbox_token_lifetime=999999", "from 1 to"),
            ("relay=ftp%3A%2F%2Fx", "relay"),
            ("colour=red", "unknown parameter \"colour\""),
        ];
        for (query, needle) in cases {
            let p = parse(query);
            assert_eq!(p.notices.len(), 1, "{query}");
            assert!(p.notices[0].contains(needle), "{query}: {}", p.notices[0]);
            assert_eq!(
                (p.target, p.sandbox_token_lifetime),
                (None, None),
                "{query}"
            );
        }
    }
}

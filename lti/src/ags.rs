//! Sending a score (Assignment and Grade Services 2.0): the tool's client assertion for the
//! platform's token endpoint (Security Framework §4.1, a JWT signed with the tool's key), the
//! token request's form, and the score itself. The server does the I/O and keeps the outbox.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::launch::SCORE_SCOPE;

/// The score's media type, which the platform checks.
pub const SCORE_CONTENT_TYPE: &str = "application/vnd.ims.lis.v1.score+json";

/// How long a client assertion is valid, in seconds.
const ASSERTION_LIFETIME: u64 = 300;

/// The claims of the JWT the tool signs to ask for an access token: the tool is both issuer
/// and subject, under its client id; the audience is the platform's token endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientAssertion {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
    /// Unique per assertion, so that a platform can refuse a replay.
    pub jti: String,
}

impl ClientAssertion {
    pub fn new(client_id: &str, token_url: &str, now: u64, jti: String) -> Self {
        Self {
            iss: client_id.to_owned(),
            sub: client_id.to_owned(),
            aud: token_url.to_owned(),
            iat: now,
            exp: now + ASSERTION_LIFETIME,
            jti,
        }
    }
}

/// The token request's form fields (RFC 6749 §4.4 with RFC 7523's client assertion), asking
/// for the score scope only.
pub fn token_request_form(assertion: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "client_credentials".to_owned()),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
        ),
        ("client_assertion", assertion.to_owned()),
        ("scope", SCORE_SCOPE.to_owned()),
    ]
}

/// The platform's answer to the token request.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AccessToken {
    pub access_token: String,
    /// Seconds; an hour when the platform does not say.
    #[serde(default = "an_hour")]
    pub expires_in: u64,
}

fn an_hour() -> u64 {
    3600
}

/// A score: the learner completed the lesson, and it is graded in full.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    /// The launch's `sub`.
    pub user_id: String,
    pub score_given: f64,
    pub score_maximum: f64,
    pub activity_progress: String,
    pub grading_progress: String,
    /// When the lesson was completed: ISO 8601 in UTC, with milliseconds unless zero.
    pub timestamp: String,
}

impl Score {
    /// Full marks for `user_id`, completed at `unix_millis`.
    pub fn completed(user_id: &str, unix_millis: u64) -> Self {
        Self {
            user_id: user_id.to_owned(),
            score_given: 1.0,
            score_maximum: 1.0,
            activity_progress: "Completed".to_owned(),
            grading_progress: "FullyGraded".to_owned(),
            timestamp: timestamp(unix_millis),
        }
    }
}

/// `unix_millis` as ISO 8601 (RFC 3339) in UTC, with milliseconds unless zero.
pub fn timestamp(unix_millis: u64) -> String {
    let nanos = i128::from(unix_millis) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Where scores for `lineitem` go: `/scores` added to its path, before any query string.
pub fn scores_url(lineitem: &str) -> String {
    let (path, query) = match lineitem.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (lineitem, None),
    };
    let path = path.trim_end_matches('/');
    match query {
        Some(query) => format!("{path}/scores?{query}"),
        None => format!("{path}/scores"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_go_under_the_line_item_before_its_query() {
        for (lineitem, want) in [
            (
                "https://lms.example/api/lti/courses/1/line_items/7",
                "https://lms.example/api/lti/courses/1/line_items/7/scores",
            ),
            (
                "https://lms.example/mod/lti/services.php/2/lineitems/9/lineitem?type_id=1",
                "https://lms.example/mod/lti/services.php/2/lineitems/9/lineitem/scores?type_id=1",
            ),
            (
                "https://lms.example/items/7/",
                "https://lms.example/items/7/scores",
            ),
        ] {
            assert_eq!(scores_url(lineitem), want, "{lineitem}");
        }
    }

    #[test]
    fn timestamps_are_iso_8601_in_utc_with_milliseconds() {
        for (millis, want) in [
            (0, "1970-01-01T00:00:00Z"),
            (1_765_100_000_123, "2025-12-07T09:33:20.123Z"),
            (1_765_100_000_000, "2025-12-07T09:33:20Z"),
        ] {
            assert_eq!(timestamp(millis), want, "{millis}");
        }
    }

    #[test]
    fn a_completed_score_is_full_marks() {
        let score = serde_json::to_value(Score::completed("learner-1", 1_000)).unwrap();
        assert_eq!(
            score,
            serde_json::json!({
                "userId": "learner-1", "scoreGiven": 1.0, "scoreMaximum": 1.0,
                "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                "timestamp": "1970-01-01T00:00:01Z"
            })
        );
    }

    #[test]
    fn the_assertion_names_the_tool_and_the_token_endpoint() {
        let a = ClientAssertion::new("tool-1", "https://lms.example/token", 100, "j".into());
        assert_eq!((a.iss.as_str(), a.sub.as_str()), ("tool-1", "tool-1"));
        assert_eq!(a.aud, "https://lms.example/token");
        assert_eq!((a.iat, a.exp), (100, 400));
        let form = token_request_form("x.y.z");
        assert!(form.contains(&("scope", SCORE_SCOPE.to_owned())));
        assert!(form.contains(&("client_assertion", "x.y.z".to_owned())));
    }
}

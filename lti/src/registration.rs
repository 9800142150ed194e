//! The platforms the operator registers, read from a file the operator writes.

use serde::{Deserialize, Serialize};

/// One platform registration: what the platform's administrator tells the operator.
///
/// Hosted Canvas uses one issuer (`https://canvas.instructure.com`) for every school, so a
/// registration is found by issuer and client id together, never by issuer alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// The platform's issuer (`iss`), exactly as its tokens carry it.
    pub issuer: String,
    /// The client id the platform gave this tool; its tokens name it in `aud`.
    pub client_id: String,
    /// The deployments of the tool on this platform that may launch it.
    pub deployment_ids: Vec<String>,
    /// The platform's OIDC authorization endpoint (where the login step sends the browser).
    pub auth_url: String,
    /// The platform's OAuth 2 token endpoint (for scores).
    pub token_url: String,
    /// The platform's public keys (JWKS).
    pub jwks_url: String,
    /// Audiences besides `client_id` that this platform's tokens may also name. Empty unless
    /// the platform's administrator says otherwise: any other audience is refused.
    #[serde(default)]
    pub trusted_audiences: Vec<String>,
    /// The origins whose pages frame the tool's lessons (a school's own Canvas domain, for
    /// example). Empty: the issuer's origin.
    #[serde(default)]
    pub frame_origins: Vec<String>,
}

impl Registration {
    /// The origins that may frame a lesson this platform launches.
    pub fn frame_origins(&self) -> Vec<String> {
        if self.frame_origins.is_empty() {
            vec![origin_of(&self.issuer)]
        } else {
            self.frame_origins.iter().map(|o| origin_of(o)).collect()
        }
    }
}

/// `scheme://host[:port]` of a URL, lowercased.
pub fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!("{scheme}://{host}").to_ascii_lowercase()
}

/// Every registration, checked when the file is read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Registrations(Vec<Registration>);

/// Why a registrations file was not taken; the message says what to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationError(pub String);

impl std::fmt::Display for RegistrationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RegistrationError {}

/// The file's shape: `{"platforms": [ … ]}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    platforms: Vec<Registration>,
}

impl Registrations {
    /// Reads the operator's registrations file (JSON). Refused, with the platform and the
    /// member named: an empty member, a URL that is not `https` (or `http` on loopback, for
    /// tests), a registration without a deployment, and two registrations of one
    /// (issuer, client id).
    pub fn parse(text: &str) -> Result<Self, RegistrationError> {
        let file: File = serde_json::from_str(text).map_err(|e| {
            RegistrationError(format!(
                "The LTI registrations file is not in the expected form ({e}). It holds \
                 {{\"platforms\": [{{\"issuer\", \"client_id\", \"deployment_ids\", \"auth_url\", \
                 \"token_url\", \"jwks_url\"}}]}}: see docs/lti.md."
            ))
        })?;
        for (i, r) in file.platforms.iter().enumerate() {
            let name = format!("platform {} ({})", i + 1, r.issuer);
            for (member, value) in [
                ("issuer", &r.issuer),
                ("client_id", &r.client_id),
                ("auth_url", &r.auth_url),
                ("token_url", &r.token_url),
                ("jwks_url", &r.jwks_url),
            ] {
                if value.trim().is_empty() {
                    return Err(RegistrationError(format!("{name}: {member} is empty.")));
                }
            }
            let origins = r.frame_origins.iter().map(|o| ("frame_origins", o));
            for (member, value) in [
                ("auth_url", &r.auth_url),
                ("token_url", &r.token_url),
                ("jwks_url", &r.jwks_url),
                ("issuer", &r.issuer),
            ]
            .into_iter()
            .chain(origins)
            {
                if !secure_url(value) {
                    return Err(RegistrationError(format!(
                        "{name}: {member} must be an https URL (http only on 127.0.0.1 or localhost), not {value}."
                    )));
                }
            }
            if r.deployment_ids.is_empty() || r.deployment_ids.iter().any(|d| d.is_empty()) {
                return Err(RegistrationError(format!(
                    "{name}: deployment_ids must list the deployment ids the platform shows for this tool."
                )));
            }
            if file.platforms[..i]
                .iter()
                .any(|o| o.issuer == r.issuer && o.client_id == r.client_id)
            {
                return Err(RegistrationError(format!(
                    "{name}: client_id {} is registered twice for this issuer; keep one entry and list every deployment in it.",
                    r.client_id
                )));
            }
        }
        Ok(Self(file.platforms))
    }

    /// The registration of this issuer that holds one of these client ids.
    pub fn find(&self, issuer: &str, client_ids: &[&str]) -> Option<&Registration> {
        self.0
            .iter()
            .find(|r| r.issuer == issuer && client_ids.contains(&r.client_id.as_str()))
    }

    /// Whether any registration names this issuer.
    pub fn knows_issuer(&self, issuer: &str) -> bool {
        self.0.iter().any(|r| r.issuer == issuer)
    }

    /// Every registration, in the file's order.
    pub fn all(&self) -> &[Registration] {
        &self.0
    }
}

/// `https://…`, or `http://` to a loopback host (the tests' platform).
fn secure_url(url: &str) -> bool {
    if let Some(rest) = url.strip_prefix("https://") {
        return !rest.is_empty();
    }
    url.strip_prefix("http://").is_some_and(|rest| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        // The host without its port; an IPv6 host is bracketed.
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => authority.split(':').next().unwrap_or(""),
        };
        matches!(host, "127.0.0.1" | "localhost" | "::1")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(issuer: &str, client_id: &str) -> String {
        format!(
            r#"{{"issuer":"{issuer}","client_id":"{client_id}","deployment_ids":["d1"],
            "auth_url":"https://lms.example/auth","token_url":"https://lms.example/token",
            "jwks_url":"https://lms.example/jwks"}}"#
        )
    }

    #[test]
    fn registrations_are_checked_when_read() {
        let good = platform("https://canvas.instructure.com", "10");
        let other_school = platform("https://canvas.instructure.com", "20");
        let cases: [(String, Option<&str>); 8] = [
            (format!(r#"{{"platforms":[{good},{other_school}]}}"#), None),
            (r#"{"platforms":[]}"#.into(), None),
            (
                format!(r#"{{"platforms":[{good},{good}]}}"#),
                Some("registered twice"),
            ),
            (
                good.replace("\"10\"", "\"\""),
                Some("not in the expected form"),
            ),
            (
                format!(r#"{{"platforms":[{}]}}"#, good.replace("\"10\"", "\"\"")),
                Some("client_id is empty"),
            ),
            (
                format!(
                    r#"{{"platforms":[{}]}}"#,
                    good.replace("https://lms.example/jwks", "http://lms.example/jwks")
                ),
                Some("jwks_url must be an https URL"),
            ),
            (
                format!(r#"{{"platforms":[{}]}}"#, good.replace(r#"["d1"]"#, "[]")),
                Some("deployment_ids must list"),
            ),
            (
                format!(
                    r#"{{"platforms":[{}]}}"#,
                    good.replace("\"client_id\"", "\"clientId\"")
                ),
                Some("not in the expected form"),
            ),
        ];
        for (text, refusal) in cases {
            match (Registrations::parse(&text), refusal) {
                (Ok(_), None) => {}
                (Err(e), Some(needle)) => assert!(e.0.contains(needle), "{needle} in {e}"),
                (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
            }
        }
        let read =
            Registrations::parse(&format!(r#"{{"platforms":[{good},{other_school}]}}"#)).unwrap();
        assert_eq!(
            read.all()[0].frame_origins(),
            vec!["https://canvas.instructure.com".to_owned()]
        );
        let with_domain = good.replace(
            r#""deployment_ids""#,
            r#""frame_origins":["https://Canvas.School.edu/"],"deployment_ids""#,
        );
        let school = Registrations::parse(&format!(r#"{{"platforms":[{with_domain}]}}"#)).unwrap();
        assert_eq!(
            school.all()[0].frame_origins(),
            vec!["https://canvas.school.edu".to_owned()]
        );
        let found = read.find("https://canvas.instructure.com", &["x", "20"]);
        assert_eq!(found.map(|r| r.client_id.as_str()), Some("20"));
        assert_eq!(read.find("https://canvas.instructure.com", &["30"]), None);
        assert!(read.knows_issuer("https://canvas.instructure.com"));
        assert!(!read.knows_issuer("https://canvas.instructure.com/"));
    }

    #[test]
    fn only_https_or_loopback_http() {
        let cases = [
            ("https://lms.example/jwks", true),
            ("http://127.0.0.1:9000/jwks", true),
            ("http://localhost/jwks", true),
            ("http://[::1]:80/x", true),
            ("http://[::1]/x", true),
            ("http://[::2]/x", false),
            ("http://localhost.evil.example/x", false),
            ("http://lms.example/jwks", false),
            ("http://127.0.0.1.evil.example/jwks", false),
            ("https://", false),
            ("ftp://lms.example", false),
        ];
        for (url, ok) in cases {
            assert_eq!(secure_url(url), ok, "{url}");
        }
    }
}

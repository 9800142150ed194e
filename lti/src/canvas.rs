//! The tool's configuration for Canvas, which an administrator gives Canvas by its URL
//! (Developer Keys → LTI Key → "Enter URL"): where to log in, launch, find the keys, and the
//! two placements where an instructor picks lessons (deep linking), and the one service it
//! uses (sending scores).

use serde::Serialize;

#[derive(Serialize)]
struct Configuration {
    title: &'static str,
    description: &'static str,
    oidc_initiation_url: String,
    target_link_uri: String,
    public_jwk_url: String,
    /// The services the tool uses: sending scores (AGS), and nothing else. With it, Canvas
    /// puts the line item in the launches of graded assignments.
    scopes: Vec<&'static str>,
    extensions: Vec<Extension>,
}

#[derive(Serialize)]
struct Extension {
    platform: &'static str,
    /// Canvas gives the tool an opaque user id (`sub`), not names or e-mail addresses.
    privacy_level: &'static str,
    domain: String,
    settings: Settings,
}

#[derive(Serialize)]
struct Settings {
    text: &'static str,
    placements: Vec<Placement>,
}

#[derive(Serialize)]
struct Placement {
    placement: &'static str,
    message_type: &'static str,
    target_link_uri: String,
    text: &'static str,
}

/// The configuration for a tool whose public origin is `public_url` (no trailing slash).
pub fn canvas_configuration(public_url: &str) -> serde_json::Value {
    let home = format!("{public_url}/");
    let placement = |placement| Placement {
        placement,
        message_type: "LtiDeepLinkingRequest",
        target_link_uri: home.clone(),
        text: "Spotify Web API lessons",
    };
    let configuration = Configuration {
        title: "Spotify Web API playground",
        description: "Lessons of the Spotify Web API course, with code cells that run in the browser against a sandbox of Spotify.",
        oidc_initiation_url: format!("{public_url}/lti/login"),
        target_link_uri: home.clone(),
        public_jwk_url: format!("{public_url}/lti/jwks.json"),
        scopes: vec![crate::launch::SCORE_SCOPE],
        extensions: vec![Extension {
            platform: "canvas.instructure.com",
            privacy_level: "anonymous",
            domain: public_url
                .split_once("://")
                .map_or(public_url, |(_, host)| host)
                .to_owned(),
            settings: Settings {
                text: "Spotify Web API lessons",
                placements: vec![placement("link_selection"), placement("assignment_selection")],
            },
        }],
    };
    serde_json::to_value(configuration).expect("the configuration serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canvas_is_told_where_to_log_in_find_the_keys_and_pick_lessons() {
        let c = canvas_configuration("https://playground.example");
        assert_eq!(
            c["oidc_initiation_url"],
            "https://playground.example/lti/login"
        );
        assert_eq!(c["target_link_uri"], "https://playground.example/");
        assert_eq!(
            c["public_jwk_url"],
            "https://playground.example/lti/jwks.json"
        );
        assert_eq!(
            c["scopes"],
            serde_json::json!(["https://purl.imsglobal.org/spec/lti-ags/scope/score"])
        );
        let canvas = &c["extensions"][0];
        assert_eq!(canvas["platform"], "canvas.instructure.com");
        assert_eq!(canvas["domain"], "playground.example");
        let placements: Vec<(&str, &str)> = canvas["settings"]["placements"]
            .as_array()
            .expect("placements")
            .iter()
            .map(|p| {
                assert_eq!(p["target_link_uri"], "https://playground.example/");
                (
                    p["placement"].as_str().unwrap_or(""),
                    p["message_type"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            placements,
            [
                ("link_selection", "LtiDeepLinkingRequest"),
                ("assignment_selection", "LtiDeepLinkingRequest")
            ]
        );
    }
}

//! The tool's answer to a deep-linking request (Deep Linking 2.0): the lessons an instructor
//! chose, each as a resource link with a line item, in a JWT the tool signs.

use serde::Serialize;

use crate::launch::DeepLinking;

/// One chosen lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chosen {
    pub id: String,
    pub title: String,
    /// The lesson's page, where the link's launch opens it.
    pub url: String,
}

/// A line item for a resource link: graded out of 1.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LineItem<'a> {
    score_maximum: u32,
    label: &'a str,
    resource_id: &'a str,
}

#[derive(Serialize)]
struct ContentItem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    url: &'a str,
    #[serde(rename = "lineItem")]
    line_item: LineItem<'a>,
}

/// The response's claims.
#[derive(Serialize)]
struct Response<'a> {
    iss: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    nonce: &'a str,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/deployment_id")]
    deployment_id: &'a str,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/message_type")]
    message_type: &'static str,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/version")]
    version: &'static str,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items")]
    content_items: Vec<ContentItem<'a>>,
    #[serde(
        rename = "https://purl.imsglobal.org/spec/lti-dl/claim/data",
        skip_serializing_if = "Option::is_none"
    )]
    data: Option<&'a serde_json::Value>,
}

/// Why a choice cannot be answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChoiceError {
    Nothing,
    OnlyOne,
    NotLinks,
}

impl std::fmt::Display for ChoiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChoiceError::Nothing => "Choose at least one lesson.",
            ChoiceError::OnlyOne => "The course takes one link here: choose one lesson.",
            ChoiceError::NotLinks => {
                "The course does not take LTI links here (ltiResourceLink), so no lesson can be added."
            }
        })
    }
}

/// The claims of the answer to `request` with `chosen`, from the tool (`client_id`) to the
/// platform (`issuer`), issued at `now` for 5 minutes, with a fresh `nonce` and the
/// request's `data` as it came.
pub fn response_claims(
    request: &DeepLinking,
    issuer: &str,
    client_id: &str,
    deployment_id: &str,
    chosen: &[Chosen],
    now: u64,
    nonce: &str,
) -> Result<serde_json::Value, ChoiceError> {
    if chosen.is_empty() {
        return Err(ChoiceError::Nothing);
    }
    if chosen.len() > 1 && !request.accept_multiple {
        return Err(ChoiceError::OnlyOne);
    }
    if !request.accept_types.is_empty()
        && !request.accept_types.iter().any(|t| t == "ltiResourceLink")
    {
        return Err(ChoiceError::NotLinks);
    }
    let response = Response {
        iss: client_id,
        aud: issuer,
        iat: now,
        exp: now + 300,
        nonce,
        deployment_id,
        message_type: "LtiDeepLinkingResponse",
        version: "1.3.0",
        content_items: chosen
            .iter()
            .map(|c| ContentItem {
                kind: "ltiResourceLink",
                title: &c.title,
                url: &c.url,
                line_item: LineItem {
                    score_maximum: 1,
                    label: &c.title,
                    resource_id: &c.id,
                },
            })
            .collect(),
        data: request.data.as_ref(),
    };
    Ok(serde_json::to_value(&response).expect("claims serialize"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(accept_multiple: bool, types: &[&str]) -> DeepLinking {
        DeepLinking {
            return_url: "https://lms.example/dl".into(),
            accept_types: types.iter().map(|t| (*t).to_owned()).collect(),
            accept_multiple,
            data: Some(json!({"course": 7})),
        }
    }

    fn lesson(id: &str) -> Chosen {
        Chosen {
            id: id.into(),
            title: format!("Lesson {id}"),
            url: format!("https://tool.example/{id}.html"),
        }
    }

    #[test]
    fn the_answer_holds_one_link_with_a_line_item_per_lesson() {
        let claims = response_claims(
            &request(true, &["ltiResourceLink", "link"]),
            "https://lms.example",
            "client-1",
            "d1",
            &[lesson("search"), lesson("artist")],
            1_000,
            "n",
        )
        .expect("an answer");
        assert_eq!(claims["iss"], "client-1");
        assert_eq!(claims["aud"], "https://lms.example");
        assert_eq!(claims["exp"], 1_300);
        assert_eq!(
            claims["https://purl.imsglobal.org/spec/lti/claim/message_type"],
            "LtiDeepLinkingResponse"
        );
        assert_eq!(
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"],
            json!({"course": 7})
        );
        let items = &claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"];
        assert_eq!(
            items[1],
            json!({"type": "ltiResourceLink", "title": "Lesson artist", "url": "https://tool.example/artist.html",
                   "lineItem": {"scoreMaximum": 1, "label": "Lesson artist", "resourceId": "artist"}})
        );
    }

    #[test]
    fn choices_the_request_does_not_take_are_refused() {
        let cases = [
            (request(true, &[]), vec![], Some(ChoiceError::Nothing)),
            (
                request(false, &[]),
                vec![lesson("a"), lesson("b")],
                Some(ChoiceError::OnlyOne),
            ),
            (request(false, &[]), vec![lesson("a")], None),
            (
                request(true, &["html", "link"]),
                vec![lesson("a")],
                Some(ChoiceError::NotLinks),
            ),
        ];
        for (request, chosen, want) in cases {
            let got = response_claims(&request, "i", "c", "d", &chosen, 0, "n").err();
            assert_eq!(got, want, "{chosen:?}");
        }
    }
}

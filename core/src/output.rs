//! Text for a cell's output log, in the format of the lesson's `printResponse`/`printError` (pure).

use serde_json::Value;
use wire::HttpResponse;

use crate::token::masked;

/// The standard reason phrase for the statuses the lesson can meet.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// Longest non-JSON body echoed into the log.
const MAX_TEXT: usize = 2000;

/// `printResponse(response)`: the status line, then the JSON body pretty-printed as
/// `JSON.stringify(body, null, 2)` prints it, members in the answer's order (serde_json's
/// `preserve_order`, set in crate `wire`). An `access_token` is masked: the Save dialog
/// offers to reveal it, the log never shows it.
pub fn print_response(response: &HttpResponse) -> String {
    let status = format!("Status: {} {}", response.status, reason(response.status));
    let body = match serde_json::from_str::<Value>(&response.body) {
        Ok(mut json) => {
            if let Some(token) = json.get_mut("access_token") {
                if let Some(text) = token.as_str() {
                    *token = Value::String(masked(text));
                }
            }
            serde_json::to_string_pretty(&json).unwrap_or_default()
        }
        Err(_) => {
            let mut text: String = response.body.chars().take(MAX_TEXT).collect();
            if text.len() < response.body.len() {
                text.push_str("\n… (truncated)");
            }
            text
        }
    };
    format!("{status}\n{}", body.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JSON literal, for test bodies.
    fn json(text: &str) -> Value {
        serde_json::from_str::<Value>(text).expect("test JSON")
    }

    #[test]
    fn pretty_prints_with_status_and_masks_the_token() {
        let text = print_response(&HttpResponse::json(
            200,
            &json(r#"{"access_token":"BQDsecretsecret","token_type":"Bearer","expires_in":3600}"#),
        ));
        assert!(text.starts_with("Status: 200 OK\n{\n"), "{text}");
        assert!(text.contains("\"token_type\": \"Bearer\""), "{text}");
        assert!(text.contains("\"expires_in\": 3600"), "{text}");
        assert!(!text.contains("secretsecret"), "token is masked: {text}");
    }

    #[test]
    fn members_keep_the_answers_order_as_json_stringify_prints_them() {
        // Spotify's order, which is not alphabetical: a printed answer must not sort it.
        let body = r#"{"tracks":{"href":"h","items":[{"name":"n","album":{"z":1,"a":[]},"id":"x"}],"limit":5,"next":null,"offset":0,"previous":null,"total":1},"empty":{},"float":0.5}"#;
        let text = print_response(&HttpResponse::json_text(200, body.into()));
        let expected = r#"Status: 200 OK
{
  "tracks": {
    "href": "h",
    "items": [
      {
        "name": "n",
        "album": {
          "z": 1,
          "a": []
        },
        "id": "x"
      }
    ],
    "limit": 5,
    "next": null,
    "offset": 0,
    "previous": null,
    "total": 1
  },
  "empty": {},
  "float": 0.5
}"#;
        assert_eq!(text, expected);
    }

    #[test]
    fn errors_and_text_bodies() {
        let text = print_response(&HttpResponse::json(
            400,
            &json(r#"{"error":"invalid_client"}"#),
        ));
        assert_eq!(
            text,
            "Status: 400 Bad Request\n{\n  \"error\": \"invalid_client\"\n}"
        );
        let long = HttpResponse {
            status: 502,
            headers: vec![],
            body: "x".repeat(5000),
        };
        let text = print_response(&long);
        assert!(text.ends_with("… (truncated)"));
        assert!(text.len() < 2100);
    }
}

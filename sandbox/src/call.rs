//! What every Web API endpoint of the sandbox shares: the request's parameters as the
//! endpoints read them (limits, offsets, markets, the paging URLs' tail), ids, and the error
//! body.

use crate::catalog::Catalog;
use crate::UnixMillis;
use serde_json::json;
use wire::http::HttpResponse;

/// One routed request: the parameters and what the endpoints need to know about it.
pub struct Call<'a> {
    pub catalog: &'a Catalog,
    pub params: Vec<(String, String)>,
    /// `Accept-Language`, echoed as `locale=` in paging URLs.
    pub accept_language: Option<&'a str>,
    pub now: UnixMillis,
}

impl Call<'_> {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `market`, checked: `Ok(true)` when a valid market was named.
    pub fn market(&self) -> Result<bool, HttpResponse> {
        let Some(market) = self.param("market") else {
            return Ok(false);
        };
        if market == "from_token" {
            return Err(api_error(403, "Insufficient client scope"));
        }
        if !(market.len() == 2 && market.bytes().all(|b| b.is_ascii_uppercase())) {
            return Err(api_error(400, "Invalid market code"));
        }
        // Countries where Spotify has not launched (a choice: the protocol notes name RU).
        if ["BY", "CN", "CU", "IR", "KP", "RU", "SY"].contains(&market) {
            return Err(api_error(400, "Unlaunched market"));
        }
        Ok(true)
    }

    /// `limit` with its default and maximum, and `offset`.
    pub fn window(&self, default: usize, max: usize) -> Result<(usize, usize), HttpResponse> {
        let limit = match self.param("limit") {
            None => default,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => return Err(api_error(400, "Invalid limit")),
            },
        };
        let offset = match self.param("offset") {
            None => 0,
            Some(text) => text
                .parse::<usize>()
                .map_err(|_| api_error(400, "Invalid offset"))?,
        };
        Ok((limit, offset))
    }

    /// The query's tail after `offset` and `limit` in paging URLs: `market`, then `locale`.
    pub fn tail(&self, market: bool) -> String {
        let mut tail = String::new();
        if market {
            if let Some(m) = self.param("market") {
                tail.push_str(&format!("&market={m}"));
            }
        }
        if let Some(language) = self.accept_language.filter(|l| !l.is_empty()) {
            tail.push_str("&locale=");
            for b in language.bytes() {
                if b.is_ascii_alphanumeric() || b"-_.~,;*".contains(&b) {
                    tail.push(b as char);
                } else {
                    tail.push_str(&format!("%{b:02X}"));
                }
            }
        }
        tail
    }
}

pub fn is_base62_id(id: &str) -> bool {
    id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The Web API's nested error body.
pub fn api_error(status: u16, message: &str) -> HttpResponse {
    HttpResponse::json(
        status,
        &json!({ "error": { "status": status, "message": message } }),
    )
}

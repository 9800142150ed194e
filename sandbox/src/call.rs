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
        if let Some(language) = self.accept_language.and_then(locale) {
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

/// The most of `Accept-Language` the paging URLs echo: BCP 47's longest language tag.
const MAX_LOCALE_BYTES: usize = 35;

/// `Accept-Language` as Spotify's paging URLs echo it, when it is a header a client could
/// mean: at most 35 bytes, and a list of language ranges (`en-GB`, `*`), each with an
/// optional `;q=` weight. Anything else is ignored, as Spotify ignores what it cannot use;
/// a long header can no longer be copied into every URL of an answer (docs/spotify-protocol.md).
fn locale(header: &str) -> Option<&str> {
    let header = header.trim();
    let range = |r: &str| {
        r == "*"
            || r.split('-').all(|subtag| {
                (1..=8).contains(&subtag.len()) && subtag.bytes().all(|b| b.is_ascii_alphanumeric())
            })
    };
    let weight = |q: &str| {
        let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
        fraction.len() <= 3
            && fraction.bytes().all(|b| b.is_ascii_digit())
            && (whole == "0" || (whole == "1" && fraction.bytes().all(|b| b == b'0')))
    };
    let valid = header.len() <= MAX_LOCALE_BYTES
        && header.split(',').all(|item| {
            let mut parts = item.trim().split(';');
            let language = parts.next().unwrap_or_default();
            let weighted = parts.all(|p| p.trim().strip_prefix("q=").is_some_and(weight));
            range(language) && weighted
        });
    (valid && !header.is_empty()).then_some(header)
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

//! Base64 (RFC 4648) in the two forms the lesson meets: the standard alphabet with padding
//! (HTTP Basic) and the URL-safe alphabet without padding (the sandbox's tokens). Decoding is
//! strict: a wrong character, padding or length is refused. (Pure; small on purpose, because
//! the page ships this code.)

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Which form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alphabet {
    /// `+/`, padded with `=`.
    Standard,
    /// `-_`, no padding.
    UrlSafeNoPad,
}

impl Alphabet {
    fn table(self) -> &'static [u8; 64] {
        match self {
            Alphabet::Standard => STANDARD,
            Alphabet::UrlSafeNoPad => URL_SAFE,
        }
    }
}

/// Encodes `bytes`.
pub fn encode(bytes: impl AsRef<[u8]>, alphabet: Alphabet) -> String {
    let table = alphabet.table();
    let bytes = bytes.as_ref();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(table[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else if alphabet == Alphabet::Standard {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes `text`; `None` unless it is exactly what [`encode`] would write for some bytes.
pub fn decode(text: &str, alphabet: Alphabet) -> Option<Vec<u8>> {
    let table = alphabet.table();
    let data = match alphabet {
        Alphabet::Standard => {
            if text.len() % 4 != 0 {
                return None;
            }
            text.strip_suffix("==")
                .or_else(|| text.strip_suffix('='))
                .unwrap_or(text)
        }
        Alphabet::UrlSafeNoPad => text,
    };
    if data.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    for chunk in data.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let value = table.iter().position(|t| t == c)? as u32;
            n |= value << (18 - 6 * i);
        }
        let bytes = chunk.len() - 1;
        // Bits past the last whole byte must be zero, or the text is not canonical.
        if n & ((1 << (24 - 8 * bytes)) - 1) != 0 {
            return None;
        }
        out.extend((0..bytes).map(|i| (n >> (16 - 8 * i)) as u8));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    #[test]
    fn rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(encode(plain, Alphabet::Standard), encoded);
            assert_eq!(
                decode(encoded, Alphabet::Standard).as_deref(),
                Some(plain.as_bytes())
            );
            let unpadded = encoded.trim_end_matches('=');
            assert_eq!(encode(plain, Alphabet::UrlSafeNoPad), unpadded);
            assert_eq!(
                decode(unpadded, Alphabet::UrlSafeNoPad).as_deref(),
                Some(plain.as_bytes())
            );
        }
    }

    #[test]
    fn refuses_what_is_not_canonical() {
        let standard = [
            "Zg",
            "Zg=",
            "Zm9v=",
            "Zh==",
            "Z===",
            "Zm9v\n",
            "Zm-_",
            "Zm9v Yg==",
            "é",
        ];
        for text in standard {
            assert_eq!(decode(text, Alphabet::Standard), None, "{text:?}");
        }
        for text in ["Zg==", "Z", "Zh", "Zm+/", "Zm9vY"] {
            assert_eq!(decode(text, Alphabet::UrlSafeNoPad), None, "{text:?}");
        }
    }

    #[test]
    fn agrees_with_the_base64_crate() {
        let crate_std = base64::engine::general_purpose::STANDARD;
        let crate_url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut bytes = Vec::new();
        for i in 0u32..600 {
            bytes.push((i.wrapping_mul(2_654_435_761) >> 13) as u8);
            let s = encode(&bytes, Alphabet::Standard);
            assert_eq!(s, crate_std.encode(&bytes));
            assert_eq!(decode(&s, Alphabet::Standard), Some(bytes.clone()));
            let u = encode(&bytes, Alphabet::UrlSafeNoPad);
            assert_eq!(u, crate_url.encode(&bytes));
            assert_eq!(decode(&u, Alphabet::UrlSafeNoPad), Some(bytes.clone()));
        }
    }
}

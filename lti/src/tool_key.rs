//! The tool's own signing keys: generated once, kept as PKCS #8 PEM by the server, published
//! as a JWKS (public halves only), each under a `kid` derived from the key itself.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// One RSA key of the tool. Its `Debug` shows the `kid` only.
pub struct ToolKey {
    kid: String,
    pem: String,
    signing: EncodingKey,
    public: Jwk,
}

impl std::fmt::Debug for ToolKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl ToolKey {
    /// A new 2048-bit RSA key.
    pub fn generate() -> Result<Self, String> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| "RSA key generation failed")?;
        let der = AsDer::<Pkcs8V1Der>::as_der(&pair).map_err(|_| "the key has no PKCS #8 form")?;
        let body = STANDARD.encode(der.as_ref());
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
            .collect();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            lines.join("\n")
        );
        Self::from_pem(&pem)
    }

    /// A key read back from its PEM text.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        let signing = EncodingKey::from_rsa_pem(pem.as_bytes())
            .map_err(|_| "not an RSA private key in PEM".to_owned())?;
        let mut public = Jwk::from_encoding_key(&signing, Algorithm::RS256)
            .map_err(|_| "no public key could be derived".to_owned())?;
        let kid = public
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|_| "no thumbprint".to_owned())?;
        public.common.key_id = Some(kid.clone());
        public.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(Self {
            kid,
            pem: pem.to_owned(),
            signing,
            public,
        })
    }

    /// The key's id: its RFC 7638 thumbprint (SHA-256).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The private key as PEM, for the server to store (never to log or serve).
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// The public half, as published.
    pub fn public(&self) -> &Jwk {
        &self.public
    }

    /// `claims` signed with RS256 under this key's `kid`.
    pub fn sign(&self, claims: &impl Serialize) -> Result<String, String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.signing).map_err(|e| e.to_string())
    }
}

/// The public halves of `keys`, as `/lti/jwks.json` serves them.
pub fn key_set(keys: &[ToolKey]) -> JwkSet {
    JwkSet {
        keys: keys.iter().map(|k| k.public.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    #[test]
    fn a_key_round_trips_and_publishes_only_its_public_half() {
        let key = ToolKey::generate().expect("a key");
        let again = ToolKey::from_pem(key.pem()).expect("the PEM reads back");
        assert_eq!(again.kid(), key.kid());
        assert!(key.pem().starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let other = ToolKey::generate().expect("a second key");
        assert_ne!(other.kid(), key.kid());
        let published = serde_json::to_value(key_set(&[key, other])).expect("JSON");
        let keys = published["keys"].as_array().expect("keys");
        assert_eq!(keys.len(), 2);
        for k in keys {
            assert_eq!(k["kty"], "RSA");
            assert_eq!(k["alg"], "RS256");
            assert_eq!(k["use"], "sig");
            assert!(k["kid"].is_string() && k["n"].is_string() && k["e"].is_string());
            // No private member of an RSA JWK (RFC 7518 §6.3.2).
            for private in ["d", "p", "q", "dp", "dq", "qi"] {
                assert!(k.get(private).is_none(), "{private} published");
            }
        }
        assert!(!format!("{again:?}").contains("PRIVATE"));
    }

    #[test]
    fn what_it_signs_verifies_with_what_it_publishes() {
        let key = ToolKey::generate().expect("a key");
        let token = key
            .sign(&serde_json::json!({"iss": "tool", "exp": 4_000_000_000u64}))
            .expect("signed");
        let header = jsonwebtoken::decode_header(&token).expect("header");
        assert_eq!(header.kid.as_deref(), Some(key.kid()));
        let set = key_set(std::slice::from_ref(&key));
        let public = DecodingKey::from_jwk(set.find(key.kid()).expect("published")).expect("key");
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_required_spec_claims(&["exp"]);
        let read = jsonwebtoken::decode::<serde_json::Value>(&token, &public, &validation);
        assert!(read.is_ok(), "{read:?}");
        // The control: another key's signature does not verify.
        let other = ToolKey::generate().expect("another key");
        let forged = other
            .sign(&serde_json::json!({"iss": "tool", "exp": 4_000_000_000u64}))
            .expect("signed");
        assert!(jsonwebtoken::decode::<serde_json::Value>(&forged, &public, &validation).is_err());
    }
}

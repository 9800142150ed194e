//! LTI 1.3 for the playground's server: the platforms an operator registers, and the checks
//! that a platform's launch (its `id_token`) must pass before the tool believes a word of it.
//!
//! Pure: the caller supplies the time, the platforms' key sets ([`KeySets`]) and the record of
//! used nonces ([`Nonces`]); nothing here does I/O or reads the clock. What the checks follow
//! is written down in docs/lti.md.
//!
//! Invariant: a refusal's message never holds the token, a signature or a nonce; it names the
//! claim that failed and what the platform's administrator can do (tests `launches` below).

mod ags;
mod canvas;
mod deep_link;
mod launch;
mod registration;
mod tool_key;

pub use ags::{
    scores_url, timestamp, token_request_form, AccessToken, ClientAssertion, Score,
    SCORE_CONTENT_TYPE,
};
pub use canvas::canvas_configuration;
pub use deep_link::{response_claims, ChoiceError, Chosen};
pub use jsonwebtoken::jwk::JwkSet;
pub use launch::{
    printable, verify_launch, DeepLinking, KeySets, Launch, MessageType, Nonces, Refusal, Scores,
    LEEWAY, MAX_AGE, SCORE_SCOPE,
};
pub use registration::{origin_of, Registration, RegistrationError, Registrations};
pub use tool_key::{key_set, ToolKey};

/// A fresh random value for a login's `state` or `nonce`: 256 bits, base64url.
pub fn random_token() -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system's random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

//! The checks of a launch: the platform's `id_token`, as the 1EdTech Security Framework
//! (§5.1.3) and LTI Core 1.3 ask a tool to check it. docs/lti.md lists them in order.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::registration::{Registration, Registrations};

/// Seconds of clock difference allowed between the platform and this server.
pub const LEEWAY: u64 = 60;
/// The oldest `iat` taken, in seconds: a platform signs the token as it sends the browser on.
pub const MAX_AGE: u64 = 600;

const VERSION: &str = "https://purl.imsglobal.org/spec/lti/claim/version";
const MESSAGE_TYPE: &str = "https://purl.imsglobal.org/spec/lti/claim/message_type";
const DEPLOYMENT_ID: &str = "https://purl.imsglobal.org/spec/lti/claim/deployment_id";
const TARGET_LINK_URI: &str = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri";
const RESOURCE_LINK: &str = "https://purl.imsglobal.org/spec/lti/claim/resource_link";
const ROLES: &str = "https://purl.imsglobal.org/spec/lti/claim/roles";
const DEEP_LINKING: &str = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
/// The AGS scope a tool needs to send scores.
pub const SCORE_SCOPE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";

/// The platforms' public keys, fetched by the server.
pub trait KeySets {
    /// The key set at `jwks_url`. With `refetch`, a fresh copy, not a cached one: the tool
    /// asks for one when a token names a key it does not know, once per token.
    fn key_set(
        &mut self,
        jwks_url: &str,
        refetch: bool,
    ) -> impl std::future::Future<Output = Result<JwkSet, String>> + Send;
}

/// The record of nonces already used, kept by the server for as long as a token lives.
pub trait Nonces {
    /// Records `nonce` of `issuer` as used until `expires_at` (seconds); false when it was
    /// used already.
    fn use_once(&mut self, issuer: &str, nonce: &str, expires_at: u64) -> bool;
}

/// What a launch asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageType {
    /// A learner or an instructor opens a lesson.
    ResourceLink,
    /// An instructor picks lessons to add to a course.
    DeepLinking,
}

/// Where and how scores may be sent for a resource link (AGS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scores {
    /// The line item the score is for.
    pub lineitem: String,
}

/// What a deep-linking request asks the tool to return. Serialized as the server keeps it
/// while the instructor chooses.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct DeepLinking {
    pub return_url: String,
    pub accept_types: Vec<String>,
    pub accept_multiple: bool,
    /// Opaque; sent back unchanged. The specification's examples hold a string; some
    /// platforms send an object, which is sent back as it came.
    pub data: Option<serde_json::Value>,
}

/// A launch that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launch {
    pub issuer: String,
    pub client_id: String,
    pub deployment_id: String,
    /// The user at the platform; `None` for an anonymous launch.
    pub subject: Option<String>,
    pub message_type: MessageType,
    pub target_link_uri: String,
    /// The resource link's id (resource-link launches only).
    pub resource_link_id: Option<String>,
    pub roles: Vec<String>,
    /// Present when the platform lets this launch send scores.
    pub scores: Option<Scores>,
    pub deep_linking: Option<DeepLinking>,
    /// When the token expires (seconds).
    pub expires_at: u64,
}

/// Why a launch was refused. The message names what failed and what to do; it never holds
/// the token, a signature or a nonce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not three base64url parts with a JSON header and claims.
    Malformed(String),
    /// Signed with another algorithm than RS256 (`none` and HS256 among them).
    Algorithm(String),
    /// The header names no key.
    NoKeyId,
    /// No registration has this issuer.
    UnknownIssuer(String),
    /// The issuer is registered, but the token is for none of its client ids.
    NotForThisTool,
    /// `aud` names a party the registration does not trust.
    UntrustedAudience(String),
    /// Several audiences and no `azp`.
    MissingAuthorizedParty,
    /// `azp` is another party than this tool.
    WrongAuthorizedParty(String),
    /// The key set could not be fetched.
    KeySetUnavailable(String),
    /// Neither the key set nor a fresh copy of it holds the key.
    UnknownKey(String),
    /// The signature does not verify with the named key.
    BadSignature,
    /// `exp` has passed.
    Expired,
    /// `iat` is in the future or too old.
    IssuedAt,
    /// A required claim is missing or of the wrong type.
    Claim(String),
    /// The nonce was used before: a replay.
    Replayed,
    /// The nonce is not the one this tool sent with the login.
    NonceMismatch,
    /// `version` is not 1.3.0.
    Version(String),
    /// A message type this tool does not handle.
    MessageType(String),
    /// The deployment is not registered.
    UnknownDeployment(String),
    /// `target_link_uri` is not a page of this tool.
    ForeignTarget(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Malformed(why) => write!(f, "The launch's id_token is not a JWT ({why})."),
            Refusal::Algorithm(alg) => write!(
                f,
                "The launch is signed with {alg}; only RS256 with the platform's published key is accepted."
            ),
            Refusal::NoKeyId => f.write_str(
                "The launch's id_token names no key (kid); the platform must sign with a key of its JWKS.",
            ),
            Refusal::UnknownIssuer(iss) => write!(
                f,
                "No platform is registered with the issuer {iss}. The operator adds it to the registrations file (docs/lti.md)."
            ),
            Refusal::NotForThisTool => f.write_str(
                "The launch is not for a client id registered for this issuer (aud). Check the client id in the registrations file.",
            ),
            Refusal::UntrustedAudience(aud) => write!(
                f,
                "The launch also names the audience {aud}, which this tool does not trust."
            ),
            Refusal::MissingAuthorizedParty => f.write_str(
                "The launch names several audiences but no authorized party (azp).",
            ),
            Refusal::WrongAuthorizedParty(azp) => write!(
                f,
                "The launch's authorized party (azp) is {azp}, not this tool's client id."
            ),
            Refusal::KeySetUnavailable(why) => write!(
                f,
                "The platform's public keys could not be fetched ({why}). Try the launch again; if it persists, check jwks_url in the registrations file."
            ),
            Refusal::UnknownKey(kid) => write!(
                f,
                "The platform's key set has no key {kid}, even fetched again."
            ),
            Refusal::BadSignature => f.write_str(
                "The launch's signature does not verify with the platform's key.",
            ),
            Refusal::Expired => f.write_str(
                "The launch has expired (exp). Open the lesson again from the course.",
            ),
            Refusal::IssuedAt => f.write_str(
                "The launch's issue time (iat) is in the future or too old. Check the clocks, then open the lesson again.",
            ),
            Refusal::Claim(name) => write!(f, "The launch's claim {name} is missing or malformed."),
            Refusal::Replayed => f.write_str(
                "This launch was used already. Open the lesson again from the course.",
            ),
            Refusal::NonceMismatch => f.write_str(
                "The launch does not answer this browser's login (nonce). Open the lesson again from the course.",
            ),
            Refusal::Version(v) => write!(f, "The launch is LTI version {v}; this tool speaks 1.3.0."),
            Refusal::MessageType(t) => write!(
                f,
                "The launch's message type {t} is not one this tool handles (LtiResourceLinkRequest, LtiDeepLinkingRequest)."
            ),
            Refusal::UnknownDeployment(d) => write!(
                f,
                "The deployment {d} is not registered for this platform. The operator adds it to deployment_ids."
            ),
            Refusal::ForeignTarget(t) => write!(f, "The launch's target {t} is not a page of this tool."),
        }
    }
}

impl std::error::Error for Refusal {}

/// The header members read before any verification.
#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    kid: Option<String>,
}

/// `aud`: one string or several.
#[derive(Clone, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn list(&self) -> Vec<&str> {
        match self {
            Audience::One(a) => vec![a.as_str()],
            Audience::Many(all) => all.iter().map(String::as_str).collect(),
        }
    }
}

/// What is read of the claims before the signature is checked: only to find the keys.
#[derive(Deserialize)]
struct Addressed {
    iss: String,
    aud: Audience,
}

#[derive(Deserialize)]
struct ResourceLink {
    id: String,
}

#[derive(Deserialize)]
struct AgsEndpoint {
    lineitem: Option<String>,
    #[serde(default)]
    scope: Vec<String>,
}

#[derive(Deserialize)]
struct DeepLinkingSettings {
    deep_link_return_url: String,
    #[serde(default)]
    accept_types: Vec<String>,
    #[serde(default)]
    accept_multiple: bool,
    data: Option<serde_json::Value>,
}

/// The claims of a verified token.
#[derive(Deserialize)]
struct Claims {
    aud: Audience,
    azp: Option<String>,
    exp: u64,
    iat: Option<u64>,
    nonce: Option<String>,
    sub: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/version")]
    version: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/message_type")]
    message_type: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/deployment_id")]
    deployment_id: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri")]
    target_link_uri: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/resource_link")]
    resource_link: Option<ResourceLink>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/roles")]
    roles: Option<Vec<String>>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint")]
    ags: Option<AgsEndpoint>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings")]
    deep_linking: Option<DeepLinkingSettings>,
}

/// Checks a launch's `id_token`, in the Security Framework's order, then its LTI claims.
/// `tool_url` is this tool's public origin (`https://playground.example`); a launch's target
/// must be a page under it. `now` is in seconds. `expected_nonce` is the one this tool sent
/// with the login that the launch answers. The nonce is recorded as used only when
/// every other check has passed, so a forged token cannot spend a real launch's nonce.
pub async fn verify_launch(
    id_token: &str,
    registrations: &Registrations,
    keys: &mut impl KeySets,
    nonces: &mut impl Nonces,
    tool_url: &str,
    now: u64,
    expected_nonce: &str,
) -> Result<Launch, Refusal> {
    // 1. The algorithm, read before any key is chosen: RS256 only, never `none` or HS*.
    let mut parts = id_token.split('.');
    let (Some(header), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::Malformed("it has not three parts".into()));
    };
    let header: RawHeader = decode_part(header, "header")?;
    if header.alg != "RS256" {
        return Err(Refusal::Algorithm(printable(&header.alg)));
    }
    let kid = header.kid.ok_or(Refusal::NoKeyId)?;

    // 2. Whose token it claims to be, to know whose keys verify it.
    let addressed: Addressed = decode_part(payload, "claims")?;
    let registration = registrations
        .find(&addressed.iss, &addressed.aud.list())
        .ok_or_else(|| {
            if registrations.knows_issuer(&addressed.iss) {
                Refusal::NotForThisTool
            } else {
                Refusal::UnknownIssuer(printable(&addressed.iss))
            }
        })?;

    // 3. The signature, by the key the header names; one fresh fetch for an unknown key.
    let key = platform_key(keys, registration, &kid).await?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&registration.issuer]);
    validation.set_audience(&[&registration.client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    // Times are checked below against the caller's clock.
    validation.validate_exp = false;
    let claims: Claims = jsonwebtoken::decode(id_token, &key, &validation)
        .map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature => Refusal::BadSignature,
            ErrorKind::InvalidAudience => Refusal::NotForThisTool,
            ErrorKind::MissingRequiredClaim(c) | ErrorKind::InvalidClaimFormat(c) => {
                Refusal::Claim(c.clone())
            }
            other => Refusal::Malformed(format!("{other:?}")),
        })?
        .claims;

    // 4. Every audience trusted; `azp` with several, and then ours.
    let audiences = claims.aud.list();
    if let Some(other) = audiences.iter().find(|a| {
        **a != registration.client_id && !registration.trusted_audiences.iter().any(|t| t == *a)
    }) {
        return Err(Refusal::UntrustedAudience(printable(other)));
    }
    match &claims.azp {
        Some(azp) if *azp != registration.client_id => {
            return Err(Refusal::WrongAuthorizedParty(printable(azp)))
        }
        None if audiences.len() > 1 => return Err(Refusal::MissingAuthorizedParty),
        _ => {}
    }

    // 5. Times.
    if now > claims.exp + LEEWAY {
        return Err(Refusal::Expired);
    }
    let iat = claims.iat.ok_or_else(|| Refusal::Claim("iat".into()))?;
    if iat > now + LEEWAY || iat + MAX_AGE < now {
        return Err(Refusal::IssuedAt);
    }

    // 6. The LTI claims.
    let version = claims
        .version
        .ok_or_else(|| Refusal::Claim(VERSION.into()))?;
    if version != "1.3.0" {
        return Err(Refusal::Version(printable(&version)));
    }
    let message_type = match claims.message_type.as_deref() {
        Some("LtiResourceLinkRequest") => MessageType::ResourceLink,
        Some("LtiDeepLinkingRequest") => MessageType::DeepLinking,
        Some(other) => return Err(Refusal::MessageType(printable(other))),
        None => return Err(Refusal::Claim(MESSAGE_TYPE.into())),
    };
    let deployment_id = claims
        .deployment_id
        .ok_or_else(|| Refusal::Claim(DEPLOYMENT_ID.into()))?;
    if !registration.deployment_ids.contains(&deployment_id) {
        return Err(Refusal::UnknownDeployment(printable(&deployment_id)));
    }
    let target_link_uri = claims
        .target_link_uri
        .ok_or_else(|| Refusal::Claim(TARGET_LINK_URI.into()))?;
    if !is_under(&target_link_uri, tool_url) {
        return Err(Refusal::ForeignTarget(printable(&target_link_uri)));
    }
    let resource_link_id = claims.resource_link.map(|r| r.id);
    if message_type == MessageType::ResourceLink && resource_link_id.is_none() {
        return Err(Refusal::Claim(RESOURCE_LINK.into()));
    }
    let roles = claims.roles.ok_or_else(|| Refusal::Claim(ROLES.into()))?;
    let deep_linking = match (message_type, claims.deep_linking) {
        (MessageType::DeepLinking, Some(s)) => Some(DeepLinking {
            return_url: s.deep_link_return_url,
            accept_types: s.accept_types,
            accept_multiple: s.accept_multiple,
            data: s.data,
        }),
        (MessageType::DeepLinking, None) => return Err(Refusal::Claim(DEEP_LINKING.into())),
        (MessageType::ResourceLink, _) => None,
    };
    let scores = claims.ags.and_then(|ags| {
        let can_score = ags.scope.iter().any(|s| s == SCORE_SCOPE);
        ags.lineitem
            .filter(|_| can_score)
            .map(|lineitem| Scores { lineitem })
    });

    // 7. Last, the nonce: once only.
    let nonce = claims.nonce.ok_or_else(|| Refusal::Claim("nonce".into()))?;
    if nonce != expected_nonce {
        return Err(Refusal::NonceMismatch);
    }
    if !nonces.use_once(&registration.issuer, &nonce, claims.exp + LEEWAY) {
        return Err(Refusal::Replayed);
    }

    Ok(Launch {
        issuer: registration.issuer.clone(),
        client_id: registration.client_id.clone(),
        deployment_id,
        subject: claims.sub,
        message_type,
        target_link_uri,
        resource_link_id,
        roles,
        scores,
        deep_linking,
        expires_at: claims.exp,
    })
}

/// The platform's key named `kid`, from its key set, fetched again once if it is not there.
async fn platform_key(
    keys: &mut impl KeySets,
    registration: &Registration,
    kid: &str,
) -> Result<DecodingKey, Refusal> {
    for refetch in [false, true] {
        let set = keys
            .key_set(&registration.jwks_url, refetch)
            .await
            .map_err(|why| Refusal::KeySetUnavailable(printable(&why)))?;
        if let Some(jwk) = set.find(kid) {
            return DecodingKey::from_jwk(jwk).map_err(|_| Refusal::UnknownKey(printable(kid)));
        }
    }
    Err(Refusal::UnknownKey(printable(kid)))
}

/// A base64url JSON part of the token.
fn decode_part<T: serde::de::DeserializeOwned>(part: &str, name: &str) -> Result<T, Refusal> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| Refusal::Malformed(format!("its {name} is not base64url")))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| Refusal::Malformed(format!("its {name} is not the expected JSON")))
}

/// `url` is `tool` itself or a page under it (not `tool` as a prefix of another host).
fn is_under(url: &str, tool: &str) -> bool {
    let tool = tool.trim_end_matches('/');
    url.strip_prefix(tool)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
}

/// A value from a request or a token, shortened and stripped of control characters, for a
/// message or a log line.
pub fn printable(value: &str) -> String {
    let clean: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    if value.chars().count() > 120 {
        format!("{clean}…")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests;

//! Launches built and signed here, as a platform would, each with one thing wrong.

use std::collections::HashSet;
use std::future::Future as _;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{json, Value};

use super::*;

const ISSUER: &str = "https://lms.example";
const CLIENT_ID: &str = "10000000000001";
const TOOL: &str = "https://playground.example";
const NOW: u64 = 1_800_000_000;

/// A platform's signing key: the private half to sign with, the public half as a JWK.
struct PlatformKey {
    signing: EncodingKey,
    public: Jwk,
}

fn platform_key(kid: &str) -> PlatformKey {
    let pair = KeyPair::generate(KeySize::Rsa2048).expect("an RSA key");
    let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair).expect("PKCS #8");
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        STANDARD.encode(der.as_ref())
    );
    let signing = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("the PEM reads back");
    let mut public = Jwk::from_encoding_key(&signing, Algorithm::RS256).expect("a JWK");
    public.common.key_id = Some(kid.to_owned());
    PlatformKey { signing, public }
}

fn registrations() -> Registrations {
    Registrations::parse(&format!(
        r#"{{"platforms":[{{"issuer":"{ISSUER}","client_id":"{CLIENT_ID}",
        "deployment_ids":["1:abc"],"auth_url":"{ISSUER}/auth","token_url":"{ISSUER}/token",
        "jwks_url":"{ISSUER}/jwks","trusted_audiences":["https://trusted.example"]}}]}}"#
    ))
    .expect("registrations")
}

/// A resource-link launch that passes every check.
fn good_claims() -> Value {
    json!({
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "learner-7",
        "exp": NOW + 300,
        "iat": NOW - 5,
        "nonce": "n-0001",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "1:abc",
        "https://purl.imsglobal.org/spec/lti/claim/target_link_uri": format!("{TOOL}/lti/launch?lesson=search"),
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "rl-1"},
        "https://purl.imsglobal.org/spec/lti/claim/roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
            "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "lineitem": format!("{ISSUER}/courses/1/lineitems/9?type=x")
        }
    })
}

fn sign(claims: &Value, key: &PlatformKey, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key.signing).expect("signed")
}

/// A token with any header, signed (or not) by hand: what an attacker can send.
fn forged(header: &Value, claims: &Value, signature: &[u8]) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("JSON"));
    format!(
        "{}.{}.{}",
        part(header),
        part(claims),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// Key sets served in turn: the first answer, then each refetch's.
struct Served {
    answers: Vec<JwkSet>,
    fetches: usize,
    refetches: usize,
}

impl Served {
    fn new(answers: Vec<Vec<Jwk>>) -> Self {
        Self {
            answers: answers.into_iter().map(|keys| JwkSet { keys }).collect(),
            fetches: 0,
            refetches: 0,
        }
    }
}

impl KeySets for Served {
    async fn key_set(&mut self, jwks_url: &str, refetch: bool) -> Result<JwkSet, String> {
        assert_eq!(jwks_url, format!("{ISSUER}/jwks"));
        self.fetches += 1;
        if refetch {
            self.refetches += 1;
        }
        let at = self.refetches.min(self.answers.len() - 1);
        Ok(self.answers[at].clone())
    }
}

/// Runs `verify_launch` to its end: the doubles here never wait.
fn verify(
    token: &str,
    registrations: &Registrations,
    keys: &mut Served,
    nonces: &mut Used,
    tool_url: &str,
    now: u64,
) -> Result<Launch, Refusal> {
    let future = std::pin::pin!(verify_launch(
        token,
        registrations,
        keys,
        nonces,
        tool_url,
        now,
        "n-0001"
    ));
    match future.poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(result) => result,
        std::task::Poll::Pending => panic!("the doubles never wait"),
    }
}

#[derive(Default)]
struct Used(HashSet<(String, String)>);

impl Nonces for Used {
    fn use_once(&mut self, issuer: &str, nonce: &str, expires_at: u64) -> bool {
        assert!(expires_at > NOW);
        self.0.insert((issuer.to_owned(), nonce.to_owned()))
    }
}

/// Sets `path` (a claim name, or `claim/member`) to `value`; `Value::Null` removes it.
fn with(mut claims: Value, name: &str, value: Value) -> Value {
    let object = claims.as_object_mut().expect("claims");
    if value.is_null() {
        object.remove(name);
    } else {
        object.insert(name.to_owned(), value);
    }
    claims
}

const LTI: &str = "https://purl.imsglobal.org/spec/lti/claim/";

#[test]
fn launches() {
    let key = platform_key("k1");
    let other = platform_key("k1");
    let regs = registrations();
    let good = good_claims();
    let lti = |name: &str| format!("{LTI}{name}");
    // The good launch with one claim set (or, with `Value::Null`, removed), signed.
    let changed = |name: &str, value: Value| sign(&with(good.clone(), name, value), &key, "k1");
    // (what, token, the refusal expected, or None for a launch that passes)
    let cases: Vec<(&str, String, Option<Refusal>)> = vec![
        ("a good launch (the control)", sign(&good, &key, "k1"), None),
        (
            "a deep-linking request",
            sign(
                &with(
                    with(
                        with(
                            good.clone(),
                            &lti("message_type"),
                            json!("LtiDeepLinkingRequest"),
                        ),
                        &lti("resource_link"),
                        Value::Null,
                    ),
                    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings",
                    json!({"deep_link_return_url": format!("{ISSUER}/dl"), "accept_types": ["ltiResourceLink"], "accept_multiple": true, "data": "opaque"}),
                ),
                &key,
                "k1",
            ),
            None,
        ),
        (
            "a trusted second audience with azp",
            sign(
                &with(
                    with(
                        good.clone(),
                        "aud",
                        json!([CLIENT_ID, "https://trusted.example"]),
                    ),
                    "azp",
                    json!(CLIENT_ID),
                ),
                &key,
                "k1",
            ),
            None,
        ),
        (
            "a wrong aud",
            changed("aud", json!("999")),
            Some(Refusal::NotForThisTool),
        ),
        (
            "an extra, untrusted aud",
            sign(
                &with(
                    with(
                        good.clone(),
                        "aud",
                        json!([CLIENT_ID, "https://evil.example"]),
                    ),
                    "azp",
                    json!(CLIENT_ID),
                ),
                &key,
                "k1",
            ),
            Some(Refusal::UntrustedAudience("https://evil.example".into())),
        ),
        (
            "several audiences without azp",
            changed("aud", json!([CLIENT_ID, "https://trusted.example"])),
            Some(Refusal::MissingAuthorizedParty),
        ),
        (
            "azp of another party",
            changed("azp", json!("https://trusted.example")),
            Some(Refusal::WrongAuthorizedParty(
                "https://trusted.example".into(),
            )),
        ),
        (
            "an unknown issuer",
            changed("iss", json!("https://other.example")),
            Some(Refusal::UnknownIssuer("https://other.example".into())),
        ),
        (
            "an unknown deployment",
            changed(&lti("deployment_id"), json!("2:zzz")),
            Some(Refusal::UnknownDeployment("2:zzz".into())),
        ),
        (
            "a bad version",
            changed(&lti("version"), json!("1.1")),
            Some(Refusal::Version("1.1".into())),
        ),
        (
            "another message type",
            changed(&lti("message_type"), json!("LtiSubmissionReviewRequest")),
            Some(Refusal::MessageType("LtiSubmissionReviewRequest".into())),
        ),
        (
            "an expired exp",
            sign(
                &with(
                    with(good.clone(), "exp", json!(NOW - LEEWAY - 1)),
                    "iat",
                    json!(NOW - 400),
                ),
                &key,
                "k1",
            ),
            Some(Refusal::Expired),
        ),
        (
            "an iat in the future",
            changed("iat", json!(NOW + LEEWAY + 5)),
            Some(Refusal::IssuedAt),
        ),
        (
            "an iat too old",
            changed("iat", json!(NOW - MAX_AGE - 1)),
            Some(Refusal::IssuedAt),
        ),
        (
            "a target that is not ours",
            changed(
                &lti("target_link_uri"),
                json!("https://playground.example.evil.example/x"),
            ),
            Some(Refusal::ForeignTarget(
                "https://playground.example.evil.example/x".into(),
            )),
        ),
        (
            "no resource link",
            changed(&lti("resource_link"), Value::Null),
            Some(Refusal::Claim(lti("resource_link"))),
        ),
        (
            "no roles",
            changed(&lti("roles"), Value::Null),
            Some(Refusal::Claim(lti("roles"))),
        ),
        (
            "no nonce",
            changed("nonce", Value::Null),
            Some(Refusal::Claim("nonce".into())),
        ),
        (
            "signed by another key under the same kid",
            sign(&good, &other, "k1"),
            Some(Refusal::BadSignature),
        ),
        (
            "another login's nonce",
            changed("nonce", json!("n-other")),
            Some(Refusal::NonceMismatch),
        ),
        (
            "alg none",
            forged(&json!({"alg": "none", "kid": "k1"}), &good, b""),
            Some(Refusal::Algorithm("none".into())),
        ),
        (
            "HS256, keyed with the platform's public key",
            {
                let public = serde_json::to_vec(&key.public).expect("JWK");
                let hmac = EncodingKey::from_secret(&public).expect("an HMAC key");
                let mut header = Header::new(Algorithm::HS256);
                header.kid = Some("k1".into());
                jsonwebtoken::encode(&header, &good, &hmac).expect("signed")
            },
            Some(Refusal::Algorithm("HS256".into())),
        ),
        (
            "not a JWT",
            "abc.def".to_owned(),
            Some(Refusal::Malformed("it has not three parts".into())),
        ),
        (
            "no kid",
            jsonwebtoken::encode(&Header::new(Algorithm::RS256), &good, &key.signing)
                .expect("signed"),
            Some(Refusal::NoKeyId),
        ),
    ];
    for (what, token, want) in cases {
        let mut keys = Served::new(vec![vec![key.public.clone()]]);
        let mut used = Used::default();
        let got = verify(&token, &regs, &mut keys, &mut used, TOOL, NOW);
        match (&got, &want) {
            (Ok(launch), None) => {
                assert_eq!(launch.issuer, ISSUER, "{what}");
                assert_eq!(launch.deployment_id, "1:abc", "{what}");
                assert_eq!(used.0.len(), 1, "{what}: the nonce is recorded");
            }
            (Err(refusal), Some(want)) => {
                assert_eq!(refusal, want, "{what}");
                assert!(
                    used.0.is_empty(),
                    "{what}: a refused launch spends no nonce"
                );
                let message = refusal.to_string();
                for part in token.split('.').filter(|p| p.len() > 8) {
                    assert!(
                        !message.contains(part),
                        "{what}: the message holds the token"
                    );
                }
                assert!(
                    !message.contains("n-0001"),
                    "{what}: the message holds the nonce"
                );
            }
            _ => panic!("{what}: got {got:?}, want {want:?}"),
        }
        assert_eq!(keys.refetches, 0, "{what}: a known kid needs no refetch");
    }
}

#[test]
fn the_launch_says_what_the_lesson_needs() {
    let key = platform_key("k1");
    let mut keys = Served::new(vec![vec![key.public.clone()]]);
    let launch = verify(
        &sign(&good_claims(), &key, "k1"),
        &registrations(),
        &mut keys,
        &mut Used::default(),
        TOOL,
        NOW,
    )
    .expect("a good launch");
    assert_eq!(launch.subject.as_deref(), Some("learner-7"));
    assert_eq!(launch.message_type, MessageType::ResourceLink);
    assert_eq!(launch.resource_link_id.as_deref(), Some("rl-1"));
    assert_eq!(
        launch.scores,
        Some(Scores {
            lineitem: format!("{ISSUER}/courses/1/lineitems/9?type=x")
        })
    );
    // Without the score scope, no scores, though the line item is there.
    let claims = with(
        good_claims(),
        "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
        json!({"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"], "lineitem": "x"}),
    );
    let launch = verify(
        &sign(&claims, &key, "k1"),
        &registrations(),
        &mut keys,
        &mut Used::default(),
        TOOL,
        NOW,
    )
    .expect("a good launch");
    assert_eq!(launch.scores, None);
}

#[test]
fn a_replayed_nonce_is_refused() {
    let key = platform_key("k1");
    let token = sign(&good_claims(), &key, "k1");
    let mut keys = Served::new(vec![vec![key.public.clone()]]);
    let mut used = Used::default();
    let first = verify(&token, &registrations(), &mut keys, &mut used, TOOL, NOW);
    assert!(first.is_ok(), "the first use passes: {first:?}");
    let again = verify(
        &token,
        &registrations(),
        &mut keys,
        &mut used,
        TOOL,
        NOW + 1,
    );
    assert_eq!(again, Err(Refusal::Replayed));
}

#[test]
fn an_unknown_kid_fetches_the_key_set_again_exactly_once() {
    let old = platform_key("old");
    let new = platform_key("new");
    // The platform has rotated: the cached set has only the old key, a fresh one both.
    let mut keys = Served::new(vec![
        vec![old.public.clone()],
        vec![old.public.clone(), new.public.clone()],
    ]);
    let launch = verify(
        &sign(&good_claims(), &new, "new"),
        &registrations(),
        &mut keys,
        &mut Used::default(),
        TOOL,
        NOW,
    );
    assert!(
        launch.is_ok(),
        "the rotated key is found on the refetch: {launch:?}"
    );
    assert_eq!((keys.fetches, keys.refetches), (2, 1));
    // A kid the platform never published: one refetch, then a refusal.
    let stranger = platform_key("stranger");
    let mut keys = Served::new(vec![vec![old.public.clone()], vec![old.public.clone()]]);
    let refused = verify(
        &sign(&good_claims(), &stranger, "stranger"),
        &registrations(),
        &mut keys,
        &mut Used::default(),
        TOOL,
        NOW,
    );
    assert_eq!(refused, Err(Refusal::UnknownKey("stranger".into())));
    assert_eq!((keys.fetches, keys.refetches), (2, 1));
}

#[test]
fn targets_under_the_tool_only() {
    let cases = [
        ("https://playground.example", true),
        ("https://playground.example/", true),
        ("https://playground.example/lti/launch?lesson=search", true),
        ("https://playground.example?x", true),
        ("https://playground.example.evil.example/", false),
        ("https://playground.examplex/", false),
        ("http://playground.example/", false),
    ];
    for (url, ours) in cases {
        assert_eq!(is_under(url, "https://playground.example/"), ours, "{url}");
    }
}

//! CPU cost of every step a request spends outside KV and D1: configuration, bearer tokens,
//! ceremony options, state (de)serialisation and the ES256 verifications, through the crate's
//! public API. Native figures; the Worker runs the same code as wasm in V8, which is slower.
//!
//! Run with `cargo bench --bench ceremonies`. It prints tables and checks only that each
//! operation succeeds once before it is timed.

mod authenticator;
mod fixtures;
mod timing;

use serde_json::{json, Value};

use authenticator::SoftAuthenticator;
use fixtures::{AsymmetricHosts, NOW_MS, ORIGIN, RP_ID, USER_HANDLE};
use passkey_api::config::Config;
use passkey_api::token;
use passkey_api::webauthn::authentication::{self, Assertion, StoredCredential};
use passkey_api::webauthn::registration::{self, RegistrationRequest};
use passkey_api::webauthn::{self, wire, CeremonyState};
use timing::{measure, measure_call, Report, Row};
use webauthn_rs_core::WebauthnCore;

/// Timed calls per operation (after warm-up).
const ITERATIONS: usize = 2000;

const CONFIG: &str = "Config::from_lookup (1 HS256 issuer)";
const CONFIG_JWKS: &str = "Config::from_lookup (+ EdDSA, ES256 JWKs)";
const RELYING_PARTY: &str = "webauthn::relying_party";
const ISSUE_SESSION: &str = "token::issue_session (EdDSA sign)";
const BEARER_SESSION: &str = "verify_bearer: session (EdDSA)";
const BEARER_HS256: &str = "verify_bearer: host HS256";
const BEARER_EDDSA: &str = "verify_bearer: host EdDSA";
const BEARER_ES256: &str = "verify_bearer: host ES256";
const REG_OPTIONS: &str = "registration_options";
const REG_STATE_OUT: &str = "registration state → JSON";
const REG_STATE_IN: &str = "registration state ← JSON";
const REG_BODY: &str = "registration request body text → JSON value";
const REG_WIRE: &str = "wire: challenge_of + checked_credential_id";
const REG_VERIFY: &str = "verify_registration (ES256, none)";
const AUTH_OPTIONS: &str = "authentication_options";
const AUTH_STATE_OUT: &str = "authentication state → JSON";
const AUTH_STATE_IN: &str = "authentication state ← JSON";
const AUTH_BODY: &str = "sign-in request body text → JSON value";
const AUTH_PARSE: &str = "Assertion::parse (incl. wire checks)";
const AUTH_VERIFY: &str = "Assertion::verify (ES256)";

/// Each route's CPU-bound steps, in the order it runs them (KV, D1 and JS calls excluded).
const ROUTES: [(&str, &[&str]); 4] = [
    (
        "generate-register-options",
        &[
            CONFIG,
            BEARER_HS256,
            RELYING_PARTY,
            REG_OPTIONS,
            REG_STATE_OUT,
        ],
    ),
    (
        "verify-registration",
        &[
            CONFIG,
            BEARER_HS256,
            REG_BODY,
            REG_STATE_IN,
            REG_WIRE,
            RELYING_PARTY,
            REG_VERIFY,
        ],
    ),
    (
        "generate-authenticate-options",
        &[CONFIG, RELYING_PARTY, AUTH_OPTIONS, AUTH_STATE_OUT],
    ),
    (
        "verify-authentication",
        &[
            CONFIG,
            AUTH_BODY,
            AUTH_STATE_IN,
            AUTH_PARSE,
            RELYING_PARTY,
            AUTH_VERIFY,
            ISSUE_SESSION,
        ],
    ),
];

fn main() {
    let hosts = AsymmetricHosts::new();
    let config = Config::from_lookup(fixtures::settings(&hosts.issuers)).expect("valid settings");
    let rp = webauthn::relying_party(&config);
    let soft = SoftAuthenticator::new(RP_ID, ORIGIN, 7);
    let mut sizes = Vec::new();

    println!("passkey-api CPU per step, native (bench profile = release: opt-level s, LTO)");
    println!(
        "{ITERATIONS} timed calls per row after warm-up; fresh challenge and response per call"
    );
    let mut report = Report::default();
    report.add(
        "Configuration (once per request)",
        configuration(&config, &hosts),
    );
    report.add("Bearer tokens", tokens(&config, &hosts, &mut sizes));
    let (rows, public_key) = registering(&config, &rp, &soft, &mut sizes);
    report.add("Registration", rows);
    report.add(
        "Sign-in",
        signing_in(&config, &rp, &soft, public_key, &mut sizes),
    );
    report.print();

    println!("\nPer route: sum of its steps' medians (HS256 host bearer where one is needed)");
    println!("{:<44}  {:>10}", "route", "µs");
    println!("{}", "-".repeat(56));
    for (route, steps) in ROUTES {
        let total: f64 = steps.iter().map(|step| report.median_us(step)).sum();
        println!("{route:<44}  {total:>10.1}");
    }

    println!("\nSizes");
    for (what, bytes) in sizes {
        println!("{what:<44}  {bytes:>8} B");
    }
}

fn configuration(config: &Config, hosts: &AsymmetricHosts) -> Vec<Row> {
    let shipped = fixtures::settings(&[]);
    let with_jwks = fixtures::settings(&hosts.issuers);
    vec![
        measure_call(CONFIG, ITERATIONS, || Config::from_lookup(&shipped).is_ok()),
        measure_call(CONFIG_JWKS, ITERATIONS, || {
            Config::from_lookup(&with_jwks).is_ok()
        }),
        measure_call(RELYING_PARTY, ITERATIONS, || {
            webauthn::relying_party(config)
        }),
    ]
}

fn tokens(config: &Config, hosts: &AsymmetricHosts, sizes: &mut Vec<(&str, usize)>) -> Vec<Row> {
    let host = token::mint_development_token(config, "user-1", "ada@example.com", "Ada", NOW_MS)
        .ok()
        .flatten()
        .expect("an HS256 host token");
    let issue = || token::issue_session(&config.session, "user-1", "session-1", NOW_MS).ok();
    let session = issue().expect("a session token").token;
    let verifies = |bearer: &str| token::verify_bearer(bearer, config, NOW_MS + 1000).is_ok();
    for bearer in [&host, &session, &hosts.eddsa_token, &hosts.es256_token] {
        assert!(verifies(bearer), "every benchmark token verifies");
    }
    sizes.push(("session token", session.len()));
    vec![
        measure_call(ISSUE_SESSION, ITERATIONS, issue),
        measure_call(BEARER_SESSION, ITERATIONS, || verifies(&session)),
        measure_call(BEARER_HS256, ITERATIONS, || verifies(&host)),
        measure_call(BEARER_EDDSA, ITERATIONS, || verifies(&hosts.eddsa_token)),
        measure_call(BEARER_ES256, ITERATIONS, || verifies(&hosts.es256_token)),
    ]
}

/// Registration rows, and the public key the Worker would store for the credential.
fn registering(
    config: &Config,
    rp: &WebauthnCore,
    soft: &SoftAuthenticator,
    sizes: &mut Vec<(&str, usize)>,
) -> (Vec<Row>, Vec<u8>) {
    let request = RegistrationRequest {
        user_id: "user-1",
        user_handle: USER_HANDLE,
        user_name: "ada@example.com",
        display_name: "Ada Lovelace",
        attachment: None,
        existing: &[],
    };
    let options = || {
        registration::registration_options(rp, &config.rp_name, RP_ID, &request, NOW_MS)
            .expect("registration options")
    };
    let attested = || {
        let (_, challenge, state) = options();
        let CeremonyState::Registration { state, .. } = state else {
            unreachable!("registration options keep a registration state")
        };
        (soft.attest(&challenge), state)
    };
    let (response, state) = attested();
    let credential = registration::verify_registration(rp, response.clone(), &state)
        .expect("the attestation verifies");
    let (options_json, _, state) = options();
    let state_json = serde_json::to_string(&state).expect("state serialises");
    let body = json!({ "response": response, "name": "Laptop" }).to_string();
    sizes.push(("registration options JSON", options_json.to_string().len()));
    sizes.push(("registration state JSON (KV value)", state_json.len()));
    sizes.push(("registration request body", body.len()));

    let rows = vec![
        measure_call(REG_OPTIONS, ITERATIONS, options),
        measure(REG_STATE_OUT, ITERATIONS, options, |(_, _, state)| {
            serde_json::to_string(&state)
        }),
        measure_call(REG_STATE_IN, ITERATIONS, || {
            serde_json::from_str::<CeremonyState>(&state_json).is_ok()
        }),
        measure_call(REG_BODY, ITERATIONS, || {
            serde_json::from_str::<Value>(&body).is_ok()
        }),
        measure(REG_WIRE, ITERATIONS, attested, |(response, _)| {
            wire::challenge_of(&response).is_some()
                && registration::checked_credential_id(&response, &config.allowed_origins).is_ok()
        }),
        measure(REG_VERIFY, ITERATIONS, attested, |(response, state)| {
            registration::verify_registration(rp, response, &state).is_ok()
        }),
    ];
    (rows, credential.public_key)
}

/// Sign-in rows for the credential registered with `public_key`.
fn signing_in(
    config: &Config,
    rp: &WebauthnCore,
    soft: &SoftAuthenticator,
    public_key: Vec<u8>,
    sizes: &mut Vec<(&str, usize)>,
) -> Vec<Row> {
    assert_eq!(
        public_key,
        soft.cose_key(),
        "the stored key is the attested one"
    );
    let stored = StoredCredential {
        credential_id: soft.credential_id().to_vec(),
        public_key,
        counter: 0,
        backup_eligible: true,
        backed_up: true,
        user_verified: true,
    };
    let options = || {
        authentication::authentication_options(rp, RP_ID, None, NOW_MS)
            .expect("authentication options")
    };
    let asserted = || {
        let (_, challenge, state) = options();
        let CeremonyState::Authentication { state, .. } = state else {
            unreachable!("authentication options keep an authentication state")
        };
        (soft.assert(&challenge, 1, USER_HANDLE), state)
    };
    let parsed = || {
        let (response, state) = asserted();
        let assertion = Assertion::parse(response, &config.allowed_origins).expect("parses");
        (assertion, state)
    };
    let (assertion, state) = parsed();
    assertion
        .verify(rp, &state, &stored)
        .expect("the assertion verifies");
    let (_, _, state) = options();
    let state_json = serde_json::to_string(&state).expect("state serialises");
    sizes.push(("authentication state JSON (KV value)", state_json.len()));
    let body = json!({ "response": asserted().0 }).to_string();
    sizes.push(("authentication request body", body.len()));

    vec![
        measure_call(AUTH_OPTIONS, ITERATIONS, options),
        measure(AUTH_STATE_OUT, ITERATIONS, options, |(_, _, state)| {
            serde_json::to_string(&state)
        }),
        measure_call(AUTH_STATE_IN, ITERATIONS, || {
            serde_json::from_str::<CeremonyState>(&state_json).is_ok()
        }),
        measure_call(AUTH_BODY, ITERATIONS, || {
            serde_json::from_str::<Value>(&body).is_ok()
        }),
        measure(AUTH_PARSE, ITERATIONS, asserted, |(response, _)| {
            Assertion::parse(response, &config.allowed_origins).is_ok()
        }),
        measure(AUTH_VERIFY, ITERATIONS, parsed, |(assertion, state)| {
            assertion.verify(rp, &state, &stored).is_ok()
        }),
    ]
}

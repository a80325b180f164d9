//! The CPU-heavy ceremony steps as wasm exports, so that `run.mjs` can time them in V8.
//!
//! `prepare(op)` builds a fresh input for one call (untimed); `run(op)` performs the operation
//! on it and reports success. The fixtures are the native benchmark's own files.

#[path = "../ceremonies/authenticator.rs"]
mod authenticator;
#[path = "../ceremonies/fixtures.rs"]
mod fixtures;

use std::cell::RefCell;

use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use webauthn_rs_core::proto::{AuthenticationState, RegistrationState};
use webauthn_rs_core::WebauthnCore;

use authenticator::SoftAuthenticator;
use fixtures::{AsymmetricHosts, NOW_MS, ORIGIN, RP_ID, USER_HANDLE};
use passkey_api::config::Config;
use passkey_api::token;
use passkey_api::webauthn::authentication::{self, Assertion, StoredCredential};
use passkey_api::webauthn::registration::{self, RegistrationRequest};
use passkey_api::webauthn::{self, wire, CeremonyState};

/// A settings lookup, as `Config::from_lookup` takes it.
type Settings = Box<dyn Fn(&str) -> Option<String>>;

struct Bench {
    /// The shipped settings shape (one HS256 host issuer), read by the `config` step.
    settings: Settings,
    hosts: AsymmetricHosts,
    config: Config,
    rp: WebauthnCore,
    soft: SoftAuthenticator,
    stored: StoredCredential,
    host_token: String,
    session_token: String,
    /// Stored ceremony states and request bodies, as the routes read them.
    registration_json: String,
    authentication_json: String,
    registration_body: String,
    authentication_body: String,
}

/// The input `prepare` made for the next `run`.
enum Input {
    Nothing,
    Attestation(Value, RegistrationState),
    Assertion(Value),
    Parsed(Assertion, AuthenticationState),
    State(CeremonyState),
}

thread_local! {
    static BENCH: Bench = Bench::new();
    static INPUT: RefCell<Input> = const { RefCell::new(Input::Nothing) };
}

impl Bench {
    fn new() -> Self {
        let hosts = AsymmetricHosts::new();
        let config = Config::from_lookup(fixtures::settings(&hosts.issuers)).expect("settings");
        let rp = webauthn::relying_party(&config);
        let soft = SoftAuthenticator::new(RP_ID, ORIGIN, 7);
        let stored = StoredCredential {
            credential_id: soft.credential_id().to_vec(),
            public_key: soft.cose_key().to_vec(),
            counter: 0,
            backup_eligible: true,
            backed_up: true,
            user_verified: true,
        };
        let host_token = token::mint_development_token(&config, "user-1", "a@b.c", "A", NOW_MS)
            .ok()
            .flatten()
            .expect("an HS256 host token");
        let session_token = token::issue_session(&config.session, "user-1", "s-1", NOW_MS)
            .map(|issued| issued.token)
            .unwrap_or_default();
        let mut bench = Bench {
            settings: Box::new(fixtures::settings(&[])),
            hosts,
            config,
            rp,
            soft,
            stored,
            host_token,
            session_token,
            registration_json: String::new(),
            authentication_json: String::new(),
            registration_body: String::new(),
            authentication_body: String::new(),
        };
        let json = |state: Option<CeremonyState>| {
            serde_json::to_string(&state.expect("options")).expect("state serialises")
        };
        if let Input::Attestation(response, _) = bench.attestation() {
            bench.registration_body = json!({ "response": response, "name": "Laptop" }).to_string();
        }
        bench.authentication_body = json!({ "response": bench.assertion().0 }).to_string();
        bench.registration_json = json(bench.registration_options().map(|options| options.2));
        bench.authentication_json = json(bench.authentication_state());
        bench
    }

    fn authentication_state(&self) -> Option<CeremonyState> {
        authentication::authentication_options(&self.rp, RP_ID, None, NOW_MS)
            .ok()
            .map(|options| options.2)
    }

    fn registration_options(&self) -> Option<(Value, String, CeremonyState)> {
        let request = RegistrationRequest {
            user_id: "user-1",
            user_handle: USER_HANDLE,
            user_name: "ada@example.com",
            display_name: "Ada",
            attachment: None,
            existing: &[],
        };
        registration::registration_options(&self.rp, "Example", RP_ID, &request, NOW_MS).ok()
    }

    fn attestation(&self) -> Input {
        let (_, challenge, state) = self.registration_options().expect("registration options");
        let CeremonyState::Registration { state, .. } = state else {
            unreachable!("a registration state")
        };
        Input::Attestation(self.soft.attest(&challenge), state)
    }

    fn assertion(&self) -> (Value, AuthenticationState) {
        let (_, challenge, state) =
            authentication::authentication_options(&self.rp, RP_ID, None, NOW_MS)
                .expect("authentication options");
        let CeremonyState::Authentication { state, .. } = state else {
            unreachable!("an authentication state")
        };
        (self.soft.assert(&challenge, 1, USER_HANDLE), state)
    }

    fn verifies(&self, bearer: &str) -> bool {
        token::verify_bearer(bearer, &self.config, NOW_MS + 1000).is_ok()
    }
}

/// Makes the input of the next `run(op)`.
#[wasm_bindgen]
pub fn prepare(op: &str) {
    let input = BENCH.with(|bench| match op {
        "verify_registration" | "registration_wire" => bench.attestation(),
        "registration_state_out" => bench
            .registration_options()
            .map_or(Input::Nothing, |options| Input::State(options.2)),
        "authentication_state_out" => bench
            .authentication_state()
            .map_or(Input::Nothing, Input::State),
        "assertion_parse" => Input::Assertion(bench.assertion().0),
        "assertion_verify" => {
            let (response, state) = bench.assertion();
            let origins = &bench.config.allowed_origins;
            let assertion = Assertion::parse(response, origins).expect("parses");
            Input::Parsed(assertion, state)
        }
        _ => Input::Nothing,
    });
    INPUT.with(|slot| *slot.borrow_mut() = input);
}

/// Runs `op` once on the prepared input; false when it failed or is unknown.
#[wasm_bindgen]
pub fn run(op: &str) -> bool {
    let input = INPUT.with(|slot| slot.replace(Input::Nothing));
    BENCH.with(|b| match (op, input) {
        ("config", _) => Config::from_lookup(&b.settings).is_ok(),
        ("relying_party", _) => {
            std::hint::black_box(webauthn::relying_party(&b.config));
            true
        }
        ("registration_state_out" | "authentication_state_out", Input::State(state)) => {
            serde_json::to_string(&state).is_ok()
        }
        ("registration_state_in", _) => {
            serde_json::from_str::<CeremonyState>(&b.registration_json).is_ok()
        }
        ("authentication_state_in", _) => {
            serde_json::from_str::<CeremonyState>(&b.authentication_json).is_ok()
        }
        ("registration_body", _) => serde_json::from_str::<Value>(&b.registration_body).is_ok(),
        ("authentication_body", _) => serde_json::from_str::<Value>(&b.authentication_body).is_ok(),
        ("registration_wire", Input::Attestation(response, _)) => {
            wire::challenge_of(&response).is_some()
                && registration::checked_credential_id(&response, &b.config.allowed_origins).is_ok()
        }
        ("registration_options", _) => b.registration_options().is_some(),
        ("verify_registration", Input::Attestation(response, state)) => {
            registration::verify_registration(&b.rp, response, &state).is_ok()
        }
        ("authentication_options", _) => b.authentication_state().is_some(),
        ("assertion_parse", Input::Assertion(response)) => {
            Assertion::parse(response, &b.config.allowed_origins).is_ok()
        }
        ("assertion_verify", Input::Parsed(assertion, state)) => {
            assertion.verify(&b.rp, &state, &b.stored).is_ok()
        }
        ("issue_session", _) => {
            token::issue_session(&b.config.session, "user-1", "s-1", NOW_MS).is_ok()
        }
        ("verify_session", _) => b.verifies(&b.session_token),
        ("verify_hs256", _) => b.verifies(&b.host_token),
        ("verify_eddsa", _) => b.verifies(&b.hosts.eddsa_token),
        ("verify_es256", _) => b.verifies(&b.hosts.es256_token),
        _ => false,
    })
}

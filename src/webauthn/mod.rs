//! The WebAuthn ceremonies: options to send, state to keep, and verification of what comes back.
//!
//! Pure functions over plain data and an injected clock; storage and HTTP live elsewhere.
//! webauthn-rs-core does the cryptographic checks; `wire` adds the ones core leaves out.

pub mod authentication;
pub mod registration;
pub mod wire;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use webauthn_rs_core::proto::{AuthenticationState, RegistrationState};
use webauthn_rs_core::WebauthnCore;

use crate::config::Config;

/// How long a challenge may be answered (the contract's 5 minutes); also the options' `timeout`.
pub const CHALLENGE_TTL_MS: u64 = 5 * 60 * 1000;

/// The state of one outstanding ceremony, kept under its challenge until used or expired.
#[derive(Serialize, Deserialize)]
#[serde(tag = "ceremony", rename_all = "camelCase")]
pub enum CeremonyState {
    Registration {
        user_id: String,
        /// The user's WebAuthn user handle (base64url), as sent in `user.id`.
        user_handle: String,
        expires_at_ms: u64,
        state: RegistrationState,
    },
    Authentication {
        /// Set when the options were requested with a bearer: only this user's credentials count.
        user_id: Option<String>,
        expires_at_ms: u64,
        state: AuthenticationState,
    },
}

impl CeremonyState {
    /// When this challenge stops being answerable.
    pub fn expires_at_ms(&self) -> u64 {
        match self {
            CeremonyState::Registration { expires_at_ms, .. }
            | CeremonyState::Authentication { expires_at_ms, .. } => *expires_at_ms,
        }
    }
}

/// The relying party as webauthn-rs-core sees it. Origins are checked exactly by `wire` first;
/// core repeats the check on its parsed form.
pub fn relying_party(config: &Config) -> WebauthnCore {
    let origins = config
        .allowed_origins
        .iter()
        .filter_map(|origin| worker::Url::parse(origin).ok())
        .collect();
    WebauthnCore::new_unsafe_experts_only(
        &config.rp_name,
        &config.rp_id,
        origins,
        Duration::from_millis(CHALLENGE_TTL_MS),
        Some(false),
        Some(false),
    )
}

/// Accepts the browser's credential JSON as an object, or as a string holding it (the Python
/// SDK can only send a string).
pub fn credential_json(value: serde_json::Value) -> Result<serde_json::Value, String> {
    match value {
        serde_json::Value::Object(_) => Ok(value),
        serde_json::Value::String(text) => match serde_json::from_str(&text) {
            Ok(object @ serde_json::Value::Object(_)) => Ok(object),
            _ => Err("response must be a credential object or its JSON".into()),
        },
        _ => Err("response must be a credential object or its JSON".into()),
    }
}

/// The base64url text of a core challenge, as the browser echoes it in `clientDataJSON`.
fn challenge_text(challenge: &[u8]) -> String {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    URL_SAFE_NO_PAD.encode(challenge)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_credential_is_accepted_as_an_object_or_as_its_json_text() {
        let object = json!({"id": "AQID"});
        assert_eq!(credential_json(object.clone()).unwrap(), object);
        assert_eq!(credential_json(object.to_string().into()).unwrap(), object);
    }

    #[test]
    fn anything_else_is_refused() {
        for value in [
            json!(5),
            json!(null),
            json!("not json"),
            json!("[1]"),
            json!([]),
        ] {
            assert!(credential_json(value.clone()).is_err(), "{value}");
        }
    }
}

//! Sign-in: the request options sent to the browser and the verification of its assertion.
//!
//! The credential is looked up by id before verification; core then checks signature, RP ID,
//! flags and counter against the stored key. Core ignores `userHandle`, so it is checked here.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};
use webauthn_rs_core::error::WebauthnError;
use webauthn_rs_core::proto::{
    AttestationFormat, COSEKey, Credential, ParsedAttestation, PublicKeyCredential,
    RegisteredExtensions, UserVerificationPolicy,
};
use webauthn_rs_core::WebauthnCore;

use super::registration::KnownCredential;
use super::wire::{self, CeremonyType};
use super::{challenge_text, CeremonyState, CHALLENGE_TTL_MS};

/// Options for `navigator.credentials.get()`. With `bound_user`, only `allowed` may answer;
/// without, any discoverable credential may (and `allowCredentials` is omitted).
pub fn authentication_options(
    rp: &WebauthnCore,
    rp_id: &str,
    bound_user: Option<(&str, &[KnownCredential])>,
    now_ms: u64,
) -> Result<(Value, String, CeremonyState), String> {
    let builder = rp
        .new_challenge_authenticate_builder(Vec::new(), Some(UserVerificationPolicy::Preferred))
        .map_err(|e| format!("authentication options: {e:?}"))?
        // Allowed by the contract: a synced passkey may start reporting backup eligibility.
        .allow_backup_eligible_upgrade(true);
    let (request, state) = rp
        .generate_challenge_authenticate(builder)
        .map_err(|e| format!("{e:?}"))?;
    let challenge = challenge_text(request.public_key.challenge.as_ref());

    let mut options = json!({
        "challenge": challenge,
        "rpId": rp_id,
        "timeout": CHALLENGE_TTL_MS,
        "userVerification": "preferred",
    });
    if let Some((_, allowed)) = bound_user {
        options["allowCredentials"] = allowed
            .iter()
            .map(|known| json!({"id": known.id, "type": "public-key", "transports": known.transports}))
            .collect();
    }
    let state = CeremonyState::Authentication {
        user_id: bound_user.map(|(user_id, _)| user_id.to_owned()),
        expires_at_ms: now_ms + CHALLENGE_TTL_MS,
        state,
    };
    Ok((options, challenge, state))
}

/// A stored credential, as needed to verify an assertion.
pub struct StoredCredential {
    pub credential_id: Vec<u8>,
    pub public_key: Vec<u8>,
    pub counter: u32,
    pub backup_eligible: bool,
    pub backed_up: bool,
    pub user_verified: bool,
}

/// What a successful assertion changes on the stored credential.
#[derive(Debug, PartialEq)]
pub struct AssertionOutcome {
    pub counter: u32,
    pub backup_eligible: bool,
    pub backed_up: bool,
}

/// A parsed assertion: its credential id and user handle serve the lookup before verifying.
pub struct Assertion {
    credential: PublicKeyCredential,
}

impl Assertion {
    /// Checks the envelope and client data (`wire`) and parses the assertion.
    pub fn parse(response: Value, origins: &[String]) -> Result<Self, String> {
        wire::checked_challenge(&response, CeremonyType::Get, origins)?;
        let credential: PublicKeyCredential =
            serde_json::from_value(response).map_err(|e| wire::malformed("response", &e))?;
        wire::check_assertion_auth_data(&credential.response.authenticator_data)?;
        Ok(Assertion { credential })
    }

    /// The credential id, base64url.
    pub fn credential_id(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.credential.raw_id)
    }

    /// Requires the user handle, when present, to be the owner's; a discoverable sign-in
    /// (`account_bound == false`) must carry one, since nothing else names the user.
    pub fn check_user_handle(&self, owner_handle: &str, account_bound: bool) -> Result<(), String> {
        match self.credential.response.user_handle.as_deref() {
            Some(handle) if URL_SAFE_NO_PAD.encode(handle) == owner_handle => Ok(()),
            Some(_) => Err("userHandle is not the credential owner's".into()),
            None if account_bound => Ok(()),
            None => Err("a discoverable sign-in must carry a userHandle".into()),
        }
    }

    /// Verifies the assertion with webauthn-rs-core against `stored`.
    pub fn verify(
        &self,
        rp: &WebauthnCore,
        state: &webauthn_rs_core::proto::AuthenticationState,
        stored: &StoredCredential,
    ) -> Result<AssertionOutcome, String> {
        let cbor: serde_cbor_2::Value =
            serde_cbor_2::from_slice(&stored.public_key).map_err(|_| "stored key: bad CBOR")?;
        let key = COSEKey::try_from(&cbor).map_err(|e| format!("stored key: {e:?}"))?;
        let credential = Credential {
            cred_id: stored.credential_id.clone(),
            cred: key,
            counter: stored.counter,
            transports: None,
            user_verified: stored.user_verified,
            backup_eligible: stored.backup_eligible,
            backup_state: stored.backed_up,
            registration_policy: UserVerificationPolicy::Preferred,
            extensions: RegisteredExtensions::none(),
            attestation: ParsedAttestation::default(),
            attestation_format: AttestationFormat::None,
        };
        let result = rp
            .authenticate_single_credential(&self.credential, state, &credential)
            .map_err(|error| match error {
                WebauthnError::CredentialPossibleCompromise => {
                    "possible cloned authenticator: the signature counter did not increase".into()
                }
                other => format!("webauthn-rs-core: {other:?}"),
            })?;
        Ok(AssertionOutcome {
            counter: result.counter(),
            // Eligibility may only be gained (core refuses a loss), never dropped.
            backup_eligible: stored.backup_eligible || result.backup_eligible(),
            backed_up: result.backup_state(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assertion(user_handle: Option<&str>) -> Assertion {
        let credential = serde_json::from_value(json!({
            "id": "AQID", "rawId": "AQID", "type": "public-key",
            "response": {
                "authenticatorData": "AAAA", "clientDataJSON": "e30", "signature": "AAAA",
                "userHandle": user_handle,
            },
        }))
        .unwrap();
        Assertion { credential }
    }

    #[test]
    fn the_owners_user_handle_is_accepted() {
        assert!(assertion(Some("aGFuZGxl"))
            .check_user_handle("aGFuZGxl", false)
            .is_ok());
        assert!(assertion(Some("aGFuZGxl"))
            .check_user_handle("aGFuZGxl", true)
            .is_ok());
    }

    #[test]
    fn another_users_handle_is_refused_even_on_an_account_bound_challenge() {
        assert!(assertion(Some("b3RoZXI"))
            .check_user_handle("aGFuZGxl", false)
            .is_err());
        assert!(assertion(Some("b3RoZXI"))
            .check_user_handle("aGFuZGxl", true)
            .is_err());
    }

    #[test]
    fn a_missing_handle_is_refused_only_when_nothing_else_names_the_user() {
        assert!(assertion(None)
            .check_user_handle("aGFuZGxl", false)
            .is_err());
        assert!(assertion(None).check_user_handle("aGFuZGxl", true).is_ok());
    }

    #[test]
    fn the_credential_id_is_reported_as_base64url() {
        assert_eq!(assertion(None).credential_id(), "AQID");
    }
}

//! Registration: the creation options sent to the browser and the verification of its
//! attestation, by webauthn-rs-core's complete checks.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};
use webauthn_rs_core::proto::{
    AttestationConveyancePreference, AuthenticatorAttachment, COSEAlgorithm,
    RegisterPublicKeyCredential, RegistrationState, UserVerificationPolicy,
};
use webauthn_rs_core::WebauthnCore;

use super::wire::{self, flags, CeremonyType};
use super::{challenge_text, CeremonyState, CHALLENGE_TTL_MS};

/// Algorithms offered, in order of preference. webauthn-rs-core 0.6 cannot verify Ed25519
/// credential keys, so EdDSA (-8) is not offered.
const ALGORITHMS: [COSEAlgorithm; 2] = [COSEAlgorithm::ES256, COSEAlgorithm::RS256];

/// Transports are hints echoed back in `excludeCredentials`/`allowCredentials`; keep few, short.
const MAX_TRANSPORTS: usize = 8;

/// A passkey the user already has, as listed in `excludeCredentials`.
pub struct KnownCredential {
    /// base64url credential id.
    pub id: String,
    pub transports: Vec<String>,
}

/// Who is registering, and how.
pub struct RegistrationRequest<'a> {
    pub user_id: &'a str,
    /// The user's WebAuthn user handle, base64url.
    pub user_handle: &'a str,
    pub user_name: &'a str,
    pub display_name: &'a str,
    pub attachment: Option<AuthenticatorAttachment>,
    pub existing: &'a [KnownCredential],
}

/// Options for `navigator.credentials.create()`, the challenge, and the state to keep under it.
pub fn registration_options(
    rp: &WebauthnCore,
    rp_name: &str,
    rp_id: &str,
    request: &RegistrationRequest<'_>,
    now_ms: u64,
) -> Result<(Value, String, CeremonyState), String> {
    let handle = URL_SAFE_NO_PAD
        .decode(request.user_handle)
        .map_err(|e| e.to_string())?;
    let exclude = request
        .existing
        .iter()
        .filter_map(|known| URL_SAFE_NO_PAD.decode(&known.id).ok())
        .collect::<Vec<_>>();
    let builder = rp
        .new_challenge_register_builder(&handle, request.user_name, request.display_name)
        .map_err(|e| format!("registration options: {e:?}"))?
        .attestation(AttestationConveyancePreference::None)
        .user_verification_policy(UserVerificationPolicy::Preferred)
        .credential_algorithms(ALGORITHMS.to_vec())
        .exclude_credentials(Some(exclude))
        .authenticator_attachment(request.attachment);
    let (creation, state) = rp
        .generate_challenge_register(builder)
        .map_err(|e| format!("registration: {e:?}"))?;
    let challenge = challenge_text(creation.public_key.challenge.as_ref());

    let mut selection = json!({
        "residentKey": "preferred",
        "userVerification": "preferred",
        "requireResidentKey": false,
    });
    if let Some(attachment) = request.attachment {
        selection["authenticatorAttachment"] = serde_json::to_value(attachment).unwrap_or_default();
    }
    let options = json!({
        "challenge": challenge,
        "rp": { "name": rp_name, "id": rp_id },
        "user": {
            "id": request.user_handle,
            "name": request.user_name,
            "displayName": request.display_name,
        },
        "pubKeyCredParams": ALGORITHMS
            .iter()
            .map(|alg| json!({ "alg": *alg as i64, "type": "public-key" }))
            .collect::<Vec<_>>(),
        "timeout": CHALLENGE_TTL_MS,
        "attestation": "none",
        "excludeCredentials": request
            .existing
            .iter()
            .map(|known| json!({
                "id": known.id, "type": "public-key", "transports": known.transports,
            }))
            .collect::<Vec<_>>(),
        "authenticatorSelection": selection,
        "extensions": { "credProps": true },
        "hints": [],
    });
    let state = CeremonyState::Registration {
        user_id: request.user_id.to_owned(),
        user_handle: request.user_handle.to_owned(),
        expires_at_ms: now_ms + CHALLENGE_TTL_MS,
        state,
    };
    Ok((options, challenge, state))
}

/// A verified new credential, ready to store.
#[derive(Debug)]
pub struct NewCredential {
    /// base64url credential id.
    pub credential_id: String,
    /// The COSE key bytes as the authenticator sent them.
    pub public_key: Vec<u8>,
    pub counter: u32,
    pub backup_eligible: bool,
    pub backed_up: bool,
    pub user_verified: bool,
    pub transports: Vec<String>,
    pub aaguid: String,
}

/// Verifies a registration response (already through `wire::checked_challenge`) against its
/// state. The error text is for the log only.
pub fn verify_registration(
    rp: &WebauthnCore,
    response: Value,
    state: &RegistrationState,
) -> Result<NewCredential, String> {
    let transports = transports(&response);
    let credential: RegisterPublicKeyCredential =
        serde_json::from_value(response).map_err(|e| wire::malformed("response", &e))?;
    let attested = wire::attested_credential(&credential.response.attestation_object)?;
    if attested.credential_id != credential.raw_id {
        return Err("rawId differs from the attested credential id".into());
    }
    let verified = rp
        .register_credential(&credential, state, None)
        .map_err(|e| format!("webauthn-rs-core: {e:?}"))?;
    Ok(NewCredential {
        credential_id: URL_SAFE_NO_PAD.encode(&attested.credential_id),
        public_key: attested.cose_key,
        counter: verified.counter,
        backup_eligible: attested.flags & flags::BACKUP_ELIGIBLE != 0,
        backed_up: attested.flags & flags::BACKUP_STATE != 0,
        user_verified: verified.user_verified,
        transports,
        aaguid: wire::format_aaguid(&attested.aaguid),
    })
}

/// `response.transports` as sent, keeping only well-formed tokens (core drops them for
/// attestation `none`, and would map unknown ones to a placeholder).
fn transports(response: &Value) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    let listed = response["response"]["transports"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for transport in listed.iter().filter_map(Value::as_str) {
        let well_formed = !transport.is_empty()
            && transport.len() <= 16
            && transport
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-');
        if well_formed && !kept.iter().any(|t| t == transport) && kept.len() < MAX_TRANSPORTS {
            kept.push(transport.to_owned());
        }
    }
    kept
}

/// Checks that a passkey name is 1 to 255 characters once trimmed, and returns it trimmed.
pub fn passkey_name(name: &str) -> Result<String, String> {
    let trimmed = name.trim();
    let length = trimmed.chars().count();
    if (1..=255).contains(&length) {
        Ok(trimmed.to_owned())
    } else {
        Err("name must be 1 to 255 characters".into())
    }
}

/// The `wire` checks for registration. Returns the credential id (base64url, as `rawId`).
pub fn checked_credential_id(response: &Value, origins: &[String]) -> Result<String, String> {
    wire::checked_challenge(response, CeremonyType::Create, origins)?;
    let raw_id = response["rawId"]
        .as_str()
        .and_then(wire::decode_b64url)
        .unwrap_or_default();
    Ok(URL_SAFE_NO_PAD.encode(raw_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passkey_name_is_trimmed_and_bounded_in_characters() {
        assert_eq!(passkey_name("  Laptop \n").unwrap(), "Laptop");
        assert_eq!(passkey_name(&"é".repeat(255)).unwrap().chars().count(), 255);
        assert!(passkey_name(&"é".repeat(256)).is_err());
        assert!(passkey_name("   ").is_err());
        assert!(passkey_name("").is_err());
    }

    #[test]
    fn transports_keep_well_formed_distinct_tokens_only() {
        let response = json!({"response": {"transports":
            ["internal", "hybrid", "internal", "Smart Card", "", 7, "smart-card"]}});
        assert_eq!(transports(&response), ["internal", "hybrid", "smart-card"]);
        assert!(transports(&json!({"response": {}})).is_empty());
    }
}

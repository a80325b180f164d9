//! Reading the browser's credential JSON, and the checks webauthn-rs-core leaves to its caller.
//!
//! Everything here runs before the library sees a response: it finds the ceremony's challenge,
//! and refuses what core would let through (an inexact origin, `crossOrigin: true` at sign-in,
//! `id` unequal to `rawId`, a `type` other than `public-key`, trailing bytes after the
//! authenticator data).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::Deserialize;

/// Authenticator data flags (WebAuthn §6.1).
pub mod flags {
    pub const USER_PRESENT: u8 = 0x01;
    pub const BACKUP_ELIGIBLE: u8 = 0x08;
    pub const BACKUP_STATE: u8 = 0x10;
    pub const ATTESTED_CREDENTIAL_DATA: u8 = 0x40;
    pub const EXTENSION_DATA: u8 = 0x80;
}

/// rpIdHash (32) + flags (1) + signCount (4).
const AUTH_DATA_HEADER_LEN: usize = 37;
/// The spec's bound on credential ids (WebAuthn §5.8.3); core allows up to 4096.
pub const MAX_CREDENTIAL_ID_LEN: usize = 1023;

/// Which ceremony a `clientDataJSON` belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CeremonyType {
    Create,
    Get,
}

impl CeremonyType {
    fn as_str(self) -> &'static str {
        match self {
            CeremonyType::Create => "webauthn.create",
            CeremonyType::Get => "webauthn.get",
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientData {
    #[serde(rename = "type")]
    type_: String,
    challenge: String,
    origin: String,
    #[serde(default)]
    cross_origin: Option<bool>,
}

/// The parts of a credential response that the wire checks need.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    id: String,
    raw_id: String,
    #[serde(rename = "type")]
    type_: String,
    response: EnvelopeResponse,
}

#[derive(Deserialize)]
struct EnvelopeResponse {
    #[serde(rename = "clientDataJSON")]
    client_data_json: String,
}

/// Why a response was refused before verification. Each maps to the ceremony's failure code.
pub type WireError = String;

/// The challenge a response claims to answer, read without any check: it only finds the
/// ceremony state, which `checked_challenge` then holds the response to.
pub fn challenge_of(response: &serde_json::Value) -> Option<String> {
    let encoded = response.get("response")?.get("clientDataJSON")?.as_str()?;
    let client_data: ClientData = serde_json::from_slice(&decode_b64url(encoded)?).ok()?;
    Some(client_data.challenge)
}

/// Checks the credential envelope and its client data, and returns the challenge it answers.
pub fn checked_challenge(
    response: &serde_json::Value,
    ceremony: CeremonyType,
    allowed_origins: &[String],
) -> Result<String, WireError> {
    let envelope = Envelope::deserialize(response).map_err(|e| malformed("response", &e))?;
    if envelope.type_ != "public-key" {
        return Err("credential type is not public-key".into());
    }
    if envelope.id != envelope.raw_id || envelope.id.is_empty() {
        return Err("credential id differs from rawId".into());
    }
    let client_data_bytes = decode_b64url(&envelope.response.client_data_json)
        .ok_or("clientDataJSON is not base64url")?;
    let client_data: ClientData =
        serde_json::from_slice(&client_data_bytes).map_err(|e| malformed("clientDataJSON", &e))?;
    if client_data.type_ != ceremony.as_str() {
        return Err(format!("clientDataJSON type is {}", client_data.type_));
    }
    if !allowed_origins.contains(&client_data.origin) {
        return Err("origin is not allowed".into());
    }
    if client_data.cross_origin == Some(true) {
        return Err("cross-origin ceremonies are not allowed".into());
    }
    Ok(client_data.challenge)
}

/// Describes malformed client JSON for the log without quoting it: serde's messages can echo
/// the client's values, and client data is never logged.
pub fn malformed(what: &str, error: &serde_json::Error) -> WireError {
    format!(
        "{what}: malformed ({:?} error at column {})",
        error.classify(),
        error.column()
    )
}

/// Decodes base64url, tolerating padding (some clients send it).
pub fn decode_b64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

/// What registration keeps from the attested authenticator data.
#[derive(Debug, PartialEq)]
pub struct AttestedCredential {
    pub flags: u8,
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    /// The credential public key exactly as the authenticator encoded it (COSE_Key CBOR).
    pub cose_key: Vec<u8>,
}

/// Parses an attestation object: `fmt: none` must carry an empty statement, and the
/// authenticator data must hold exactly one attested credential and nothing unaccounted for.
pub fn attested_credential(attestation_object: &[u8]) -> Result<AttestedCredential, WireError> {
    use serde_cbor_2::Value;
    let object: Value =
        serde_cbor_2::from_slice(attestation_object).map_err(|_| "attestationObject: bad CBOR")?;
    let Value::Map(map) = object else {
        return Err("attestationObject is not a map".into());
    };
    let field = |name: &str| map.get(&Value::Text(name.into()));
    let auth_data = match field("authData") {
        Some(Value::Bytes(bytes)) => bytes,
        _ => return Err("attestationObject has no authData".into()),
    };
    if let (Some(Value::Text(fmt)), Some(Value::Map(statement))) = (field("fmt"), field("attStmt"))
    {
        if fmt == "none" && !statement.is_empty() {
            return Err("fmt none with a non-empty attestation statement".into());
        }
    }

    let flags = *auth_data.get(32).ok_or("authData too short")?;
    if flags & flags::ATTESTED_CREDENTIAL_DATA == 0 {
        return Err("authData has no attested credential".into());
    }
    let rest = &auth_data[AUTH_DATA_HEADER_LEN..];
    let aaguid: [u8; 16] = rest
        .get(..16)
        .and_then(|b| b.try_into().ok())
        .ok_or("no AAGUID")?;
    let id_len = rest
        .get(16..18)
        .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize);
    let id_len = id_len.ok_or("no credential id length")?;
    if id_len == 0 || id_len > MAX_CREDENTIAL_ID_LEN {
        return Err("credential id length out of range".into());
    }
    let credential_id = rest
        .get(18..18 + id_len)
        .ok_or("credential id truncated")?
        .to_vec();
    let key_and_extensions = &rest[18 + id_len..];
    let key_len = cbor_item_len(key_and_extensions).ok_or("credential public key: bad CBOR")?;
    let after_key = &key_and_extensions[key_len..];
    check_extensions(flags, after_key)?;
    Ok(AttestedCredential {
        flags,
        aaguid,
        credential_id,
        cose_key: key_and_extensions[..key_len].to_vec(),
    })
}

/// Checks assertion authenticator data: no attested credential, and nothing after the header
/// but the extensions the ED flag announces.
pub fn check_assertion_auth_data(auth_data: &[u8]) -> Result<(), WireError> {
    let flags = *auth_data.get(32).ok_or("authData too short")?;
    if flags & flags::ATTESTED_CREDENTIAL_DATA != 0 {
        return Err("assertion carries attested credential data".into());
    }
    check_extensions(
        flags,
        auth_data
            .get(AUTH_DATA_HEADER_LEN..)
            .ok_or("authData too short")?,
    )
}

/// `tail` follows everything else in the authenticator data: it must be exactly one CBOR map
/// when the ED flag is set, and empty otherwise.
fn check_extensions(flags: u8, tail: &[u8]) -> Result<(), WireError> {
    let consumed = if flags & flags::EXTENSION_DATA != 0 {
        cbor_item_len(tail).ok_or("extensions: bad CBOR")?
    } else {
        0
    };
    if consumed != tail.len() {
        return Err("trailing bytes after authenticator data".into());
    }
    Ok(())
}

/// The length of the one CBOR item at the start of `bytes`.
fn cbor_item_len(bytes: &[u8]) -> Option<usize> {
    let mut deserializer = serde_cbor_2::Deserializer::from_slice(bytes);
    serde_cbor_2::Value::deserialize(&mut deserializer).ok()?;
    Some(deserializer.byte_offset())
}

/// Formats an AAGUID as a UUID with dashes.
pub fn format_aaguid(aaguid: &[u8; 16]) -> String {
    let hex: String = aaguid.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests;

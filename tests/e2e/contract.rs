//! The contract's JSON bodies as structs: decoding into them checks field names and JSON types;
//! exact key sets and encodings are checked in `shapes`.

use serde::Deserialize;
use serde_json::Value;

/// A credential descriptor in options (`excludeCredentials`, `allowCredentials`).
#[derive(Debug, Deserialize)]
pub struct Descriptor {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub transports: Option<Vec<String>>,
}

/// The answer of `generate-register-options`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationOptions {
    pub challenge: String,
    pub rp: RpEntity,
    pub user: UserEntity,
    pub pub_key_cred_params: Vec<CredParam>,
    pub timeout: u64,
    pub attestation: String,
    pub exclude_credentials: Vec<Descriptor>,
    pub authenticator_selection: Value,
    pub extensions: Value,
    pub hints: Vec<Value>,
}

#[derive(Debug, Deserialize)]
pub struct RpEntity {
    pub name: String,
    pub id: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserEntity {
    pub id: String,
    pub name: String,
    pub display_name: String,
}

#[derive(Debug, Deserialize)]
pub struct CredParam {
    pub alg: i64,
    #[serde(rename = "type")]
    pub kind: String,
}

/// The answer of `generate-authenticate-options`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationOptions {
    pub challenge: String,
    pub rp_id: String,
    pub timeout: u64,
    pub user_verification: String,
    pub allow_credentials: Option<Vec<Descriptor>>,
}

/// The contract's Passkey object.
#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Passkey {
    pub id: String,
    pub name: Option<String>,
    pub public_key: String,
    pub user_id: String,
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    pub counter: u64,
    pub device_type: String,
    pub backed_up: bool,
    pub transports: String,
    pub created_at: String,
    pub aaguid: String,
}

/// The answer of `update-passkey`.
#[derive(Debug, Deserialize)]
pub struct Updated {
    pub passkey: Passkey,
}

/// The answer of `verify-authentication`.
#[derive(Debug, Deserialize)]
pub struct SignIn {
    pub session: Session,
    pub user: User,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub id: String,
    pub token: String,
    pub user_id: String,
    pub expires_at: String,
    pub created_at: String,
    pub updated_at: String,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
    pub email_verified: bool,
    pub image: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

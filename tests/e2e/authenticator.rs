//! A software authenticator holding one credential, driven the way a browser would drive it:
//! the test writes the `clientDataJSON` itself (so origin, type, challenge and `crossOrigin` are
//! the test's choice), the authenticator signs its hash with a real key, and the result is
//! packed into the browser's `RegistrationResponseJSON` / `AuthenticationResponseJSON`.

use anyhow::{anyhow, Context, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use passkey_authenticator::{Authenticator, UiHint, UserCheck, UserValidationMethod};
use passkey_crypto::coset::iana;
use passkey_crypto::rust_crypto::RustCryptoBackend;
use passkey_types::ctap2::{get_assertion, make_credential, Aaguid, Ctap2Error};
use passkey_types::webauthn::{
    PublicKeyCredentialParameters, PublicKeyCredentialType, PublicKeyCredentialUserEntity,
};
use passkey_types::Passkey;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::contract::{RegistrationOptions, UserEntity};
use crate::tokens::random_bytes;

/// The origin the Worker allows by default, and its RP ID.
pub const ORIGIN: &str = "http://localhost:8787";
pub const RP_ID: &str = "localhost";
/// The transports the authenticator reports at registration.
pub const TRANSPORTS: [&str; 2] = ["internal", "hybrid"];

/// The collected client data a browser would hash and send.
#[derive(Debug, Clone, Serialize)]
pub struct ClientData {
    #[serde(rename = "type")]
    pub kind: String,
    pub challenge: String,
    pub origin: String,
    #[serde(rename = "crossOrigin")]
    pub cross_origin: bool,
}

impl ClientData {
    /// Client data of a registration (`webauthn.create`) on the default origin.
    pub fn create(challenge: &str) -> Self {
        Self::new("webauthn.create", challenge)
    }

    /// Client data of a sign-in (`webauthn.get`) on the default origin.
    pub fn get(challenge: &str) -> Self {
        Self::new("webauthn.get", challenge)
    }

    fn new(kind: &str, challenge: &str) -> Self {
        ClientData {
            kind: kind.into(),
            challenge: challenge.into(),
            origin: ORIGIN.into(),
            cross_origin: false,
        }
    }

    pub fn origin(mut self, origin: &str) -> Self {
        self.origin = origin.into();
        self
    }

    pub fn cross_origin(mut self) -> Self {
        self.cross_origin = true;
        self
    }

    fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("client data serialises")
    }
}

/// A user who always consents and verifies.
struct AlwaysVerified;

#[async_trait::async_trait]
impl UserValidationMethod for AlwaysVerified {
    type PasskeyItem = Passkey;

    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, Passkey>,
        presence: bool,
        verification: bool,
    ) -> Result<UserCheck, Ctap2Error> {
        Ok(UserCheck {
            presence,
            verification,
        })
    }

    fn is_presence_enabled(&self) -> bool {
        true
    }

    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }
}

/// What a registration produced: the browser's JSON and the facts the server must store.
pub struct Registration {
    pub response: Value,
    pub credential_id: String,
    /// The credential's COSE public key, exactly as in the attested credential data.
    pub cose_key: Vec<u8>,
}

impl Registration {
    /// The same attestation presented with other client data: format `none` signs nothing, so
    /// this is what a client replaying a credential under a fresh challenge would send.
    pub fn with_client_data(&self, client: &ClientData) -> Value {
        let mut response = self.response.clone();
        response["response"]["clientDataJSON"] = json!(B64URL.encode(client.to_json()));
        response
    }
}

/// One authenticator holding (at most) one discoverable credential.
pub struct SoftKey {
    inner: Authenticator<Option<Passkey>, AlwaysVerified, RustCryptoBackend>,
    pub aaguid: [u8; 16],
}

impl SoftKey {
    /// A fresh authenticator with a random AAGUID whose credentials count signatures.
    pub fn new() -> Self {
        let aaguid = random_bytes::<16>();
        let mut inner = Authenticator::new(
            Aaguid::from(aaguid),
            None,
            AlwaysVerified,
            RustCryptoBackend,
        );
        inner.set_make_credentials_with_signature_counter(true);
        SoftKey { inner, aaguid }
    }

    /// A fresh authenticator whose credentials keep their counter at zero (as synced passkeys).
    pub fn without_counter() -> Self {
        let mut key = Self::new();
        key.inner.set_make_credentials_with_signature_counter(false);
        key
    }

    /// Makes a credential for `options`, signing `client` data, scoped to `rp_id`.
    pub async fn register_as(
        &mut self,
        options: &RegistrationOptions,
        client: &ClientData,
        rp_id: &str,
    ) -> Result<Registration> {
        let client_data_json = client.to_json();
        let request = make_credential::Request {
            client_data_hash: Sha256::digest(&client_data_json).to_vec().into(),
            rp: make_credential::PublicKeyCredentialRpEntity {
                id: rp_id.into(),
                name: Some(options.rp.name.clone()),
            },
            user: user_entity(&options.user)?,
            pub_key_cred_params: credential_params(options),
            exclude_list: None,
            extensions: None,
            options: make_credential::Options {
                rk: true,
                up: true,
                uv: true,
            },
            pin_auth: None,
            pin_protocol: None,
        };
        let made = self
            .inner
            .make_credential(request)
            .await
            .map_err(|e| anyhow!("{e:?}"))?;
        let auth_data = made.auth_data.to_vec();
        let attested = made
            .auth_data
            .attested_credential_data
            .as_ref()
            .context("no credential")?;
        let credential_id = B64URL.encode(attested.credential_id());
        // Flags, counter, AAGUID, id length, id; the COSE key is the rest (no extensions asked).
        let cose_key = auth_data[37 + 16 + 2 + attested.credential_id().len()..].to_vec();

        let mut attestation_object = vec![];
        let cbor = ciborium::Value::Map(vec![
            ("fmt".into(), "none".into()),
            ("attStmt".into(), ciborium::Value::Map(vec![])),
            ("authData".into(), ciborium::Value::Bytes(auth_data.clone())),
        ]);
        ciborium::into_writer(&cbor, &mut attestation_object)?;

        let response = json!({
            "id": credential_id, "rawId": credential_id, "type": "public-key",
            "response": {
                "clientDataJSON": B64URL.encode(&client_data_json),
                "attestationObject": B64URL.encode(&attestation_object),
                "authenticatorData": B64URL.encode(&auth_data),
                "transports": TRANSPORTS,
                "publicKeyAlgorithm": -7,
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {"credProps": {"rk": true}},
        });
        Ok(Registration {
            response,
            credential_id,
            cose_key,
        })
    }

    /// Registers on the default origin and RP ID.
    pub async fn register(&mut self, options: &RegistrationOptions) -> Result<Registration> {
        let client = ClientData::create(&options.challenge);
        self.register_as(options, &client, RP_ID).await
    }

    /// Signs `client` data with the held credential for `rp_id`, as a browser's
    /// `AuthenticationResponseJSON` (with the `userHandle` the authenticator returns).
    pub async fn assert_as(&mut self, client: &ClientData, rp_id: &str) -> Result<Value> {
        let client_data_json = client.to_json();
        let request = get_assertion::Request {
            rp_id: rp_id.into(),
            client_data_hash: Sha256::digest(&client_data_json).to_vec().into(),
            allow_list: None,
            extensions: None,
            options: get_assertion::Options { up: true, uv: true },
            pin_auth: None,
            pin_protocol: None,
        };
        let signed = self
            .inner
            .get_assertion(request)
            .await
            .map_err(|e| anyhow!("{e:?}"))?;
        let id = B64URL.encode(&*signed.credential.context("no credential in assertion")?.id);
        let mut response = json!({
            "clientDataJSON": B64URL.encode(&client_data_json),
            "authenticatorData": B64URL.encode(signed.auth_data.to_vec()),
            "signature": B64URL.encode(&*signed.signature),
        });
        if let Some(user) = signed.user {
            response["userHandle"] = json!(B64URL.encode(&*user.id));
        }
        Ok(json!({
            "id": id, "rawId": id, "type": "public-key", "response": response,
            "authenticatorAttachment": "platform", "clientExtensionResults": {},
        }))
    }

    /// Signs a sign-in for `challenge` on the default origin and RP ID.
    pub async fn assert(&mut self, challenge: &str) -> Result<Value> {
        self.assert_as(&ClientData::get(challenge), RP_ID).await
    }

    /// The signature counter the held credential will report next time minus one.
    pub fn counter(&self) -> Option<u32> {
        self.inner.store().as_ref().and_then(|p| p.counter)
    }

    /// Rewinds (or advances) the held credential's counter, as a cloned authenticator would.
    pub fn set_counter(&mut self, counter: u32) {
        if let Some(passkey) = self.inner.store_mut().as_mut() {
            passkey.counter = Some(counter);
        }
    }

    /// The held credential's id (base64url), if any.
    pub fn credential_id(&self) -> Option<String> {
        self.inner
            .store()
            .as_ref()
            .map(|p| B64URL.encode(&*p.credential_id))
    }
}

fn user_entity(user: &UserEntity) -> Result<PublicKeyCredentialUserEntity> {
    Ok(PublicKeyCredentialUserEntity {
        id: B64URL
            .decode(&user.id)
            .context("user.id is base64url")?
            .into(),
        display_name: user.display_name.clone(),
        name: user.name.clone(),
    })
}

/// The server's offered algorithms in its order, as far as this authenticator knows them.
fn credential_params(options: &RegistrationOptions) -> Vec<PublicKeyCredentialParameters> {
    let known = |alg: i64| match alg {
        -7 => Some(iana::Algorithm::ES256),
        -8 => Some(iana::Algorithm::EdDSA),
        _ => None,
    };
    options
        .pub_key_cred_params
        .iter()
        .filter_map(|p| known(p.alg))
        .map(|alg| PublicKeyCredentialParameters {
            ty: PublicKeyCredentialType::PublicKey,
            alg,
        })
        .collect()
}

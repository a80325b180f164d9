//! A minimal ES256 authenticator for the benchmarks: it builds the browser's registration and
//! sign-in JSON byte by byte (authenticator data, COSE key, `none` attestation, ECDSA signature)
//! so every response is one webauthn-rs-core accepts, with no async runtime in the timed code.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use p256::ecdsa::{signature::Signer, Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Authenticator data flags: user present, user verified, backup eligible, backed up.
const FLAGS_ASSERTION: u8 = 0x01 | 0x04 | 0x08 | 0x10;
/// The same plus attested credential data.
const FLAGS_REGISTRATION: u8 = FLAGS_ASSERTION | 0x40;

/// One credential: a fixed P-256 key and id, scoped to an RP ID and an origin.
pub struct SoftAuthenticator {
    key: SigningKey,
    credential_id: Vec<u8>,
    cose_key: Vec<u8>,
    rp_id_hash: [u8; 32],
    origin: String,
}

impl SoftAuthenticator {
    /// A credential whose key and id are derived from `seed`, so runs are repeatable.
    pub fn new(rp_id: &str, origin: &str, seed: u8) -> Self {
        let key = SigningKey::from_slice(&[seed.max(1); 32]).expect("a valid P-256 scalar");
        let point = key.verifying_key().to_encoded_point(false);
        let coordinate = |bytes: Option<&p256::FieldBytes>| {
            ciborium::Value::Bytes(bytes.expect("an uncompressed point").to_vec())
        };
        // COSE_Key (RFC 9053): kty EC2, alg ES256, crv P-256, x, y.
        let cose = ciborium::Value::Map(vec![
            (1.into(), 2.into()),
            (3.into(), (-7).into()),
            ((-1).into(), 1.into()),
            ((-2).into(), coordinate(point.x())),
            ((-3).into(), coordinate(point.y())),
        ]);
        let mut cose_key = Vec::new();
        ciborium::into_writer(&cose, &mut cose_key).expect("CBOR encodes");
        SoftAuthenticator {
            key,
            credential_id: vec![seed; 32],
            cose_key,
            rp_id_hash: Sha256::digest(rp_id.as_bytes()).into(),
            origin: origin.to_owned(),
        }
    }

    /// The credential id, raw.
    pub fn credential_id(&self) -> &[u8] {
        &self.credential_id
    }

    /// The credential public key as stored after registration.
    pub fn cose_key(&self) -> &[u8] {
        &self.cose_key
    }

    /// A `RegistrationResponseJSON` answering `challenge` with attestation `none`.
    pub fn attest(&self, challenge: &str) -> Value {
        let client_data = self.client_data("webauthn.create", challenge);
        let mut auth_data = self.auth_data_header(FLAGS_REGISTRATION, 0);
        auth_data.extend_from_slice(&[0; 16]); // AAGUID
        auth_data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        auth_data.extend_from_slice(&self.cose_key);
        let object = ciborium::Value::Map(vec![
            ("fmt".into(), "none".into()),
            ("attStmt".into(), ciborium::Value::Map(Vec::new())),
            ("authData".into(), ciborium::Value::Bytes(auth_data.clone())),
        ]);
        let mut attestation_object = Vec::new();
        ciborium::into_writer(&object, &mut attestation_object).expect("CBOR encodes");
        let id = B64URL.encode(&self.credential_id);
        json!({
            "id": id, "rawId": id, "type": "public-key",
            "response": {
                "clientDataJSON": B64URL.encode(&client_data),
                "attestationObject": B64URL.encode(&attestation_object),
                "authenticatorData": B64URL.encode(&auth_data),
                "transports": ["internal", "hybrid"],
                "publicKeyAlgorithm": -7,
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {"credProps": {"rk": true}},
        })
    }

    /// An `AuthenticationResponseJSON` answering `challenge`, signed with signature `counter`.
    pub fn assert(&self, challenge: &str, counter: u32, user_handle: &str) -> Value {
        let client_data = self.client_data("webauthn.get", challenge);
        let auth_data = self.auth_data_header(FLAGS_ASSERTION, counter);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        let id = B64URL.encode(&self.credential_id);
        json!({
            "id": id, "rawId": id, "type": "public-key",
            "response": {
                "clientDataJSON": B64URL.encode(&client_data),
                "authenticatorData": B64URL.encode(&auth_data),
                "signature": B64URL.encode(signature.to_der().as_bytes()),
                "userHandle": user_handle,
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        })
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        let data = json!({
            "type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false,
        });
        serde_json::to_vec(&data).expect("JSON encodes")
    }

    /// rpIdHash, flags, signCount (WebAuthn §6.1).
    fn auth_data_header(&self, flags: u8, counter: u32) -> Vec<u8> {
        let mut data = self.rp_id_hash.to_vec();
        data.push(flags);
        data.extend_from_slice(&counter.to_be_bytes());
        data
    }
}

//! A command-line software authenticator, for trying the passkey API with `curl` (README, "Try
//! it with curl"). It plays a browser and a platform authenticator together: it reads the JSON
//! an options route answered on stdin and prints the JSON body of the matching verify route.
//!
//! ```sh
//! curl -s -H "Authorization: Bearer $TOKEN" "$API/passkey/generate-register-options" \
//!   | cargo run -q --example soft_authenticator -- register --name Laptop \
//!   | curl -s -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
//!       -d @- "$API/passkey/verify-registration"
//! ```
//!
//! Credentials are discoverable ES256 (P-256) keys with attestation `none`, a signature counter
//! that grows by one per sign-in, and the registration's `user.id` returned as `userHandle`.
//! They live in a JSON file that holds the private keys in clear: development only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::{env, fs, io};

use anyhow::{bail, Context, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const USAGE: &str = "\
usage: soft_authenticator <register | sign-in> [--origin URL] [--store FILE] [--name NAME]

  register  reads generate-register-options JSON on stdin, makes a credential, and prints the
            verify-registration body {\"response\": ..., \"name\": ...}
  sign-in   reads generate-authenticate-options JSON on stdin, signs with the newest stored
            credential for its rpId (among allowCredentials, if listed), and prints the
            verify-authentication body {\"response\": ...}

  --origin URL  origin written into clientDataJSON (default http://localhost:8787)
  --store FILE  credential file (default $SOFT_AUTHENTICATOR_STORE, else
                target/soft-authenticator.json)
  --name NAME   the passkey's name (register only)

The credential file holds PRIVATE KEYS in clear text: use it for local development only.";

const DEFAULT_ORIGIN: &str = "http://localhost:8787";
const DEFAULT_STORE: &str = "target/soft-authenticator.json";
/// COSE algorithm identifier of ES256 (RFC 9053).
const ES256: i64 = -7;
/// Authenticator data flags (WebAuthn Level 3, section 6.1): user present, user verified,
/// attested credential data included.
const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_AT: u8 = 0x40;

fn main() -> ExitCode {
    if env::args().any(|arg| arg == "-h" || arg == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match Args::parse(env::args().skip(1)) {
        Ok(args) => args,
        Err(problem) => {
            eprintln!("{problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(body) => {
            println!("{body}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("soft_authenticator: {error:#}");
            ExitCode::FAILURE
        }
    }
}

enum Ceremony {
    Register,
    SignIn,
}

/// The command line, parsed.
struct Args {
    ceremony: Ceremony,
    origin: String,
    store: PathBuf,
    name: Option<String>,
}

impl Args {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut ceremony = None;
        let mut origin = DEFAULT_ORIGIN.to_string();
        let mut store =
            env::var_os("SOFT_AUTHENTICATOR_STORE").map_or(DEFAULT_STORE.into(), PathBuf::from);
        let mut name = None;
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or(format!("{arg} needs a value"));
            match arg.as_str() {
                "register" => ceremony = Some(Ceremony::Register),
                "sign-in" => ceremony = Some(Ceremony::SignIn),
                "--origin" => origin = value()?,
                "--store" => store = value()?.into(),
                "--name" => name = Some(value()?),
                _ => return Err(format!("unknown argument {arg:?}")),
            }
        }
        let ceremony = ceremony.ok_or("say `register` or `sign-in`")?;
        Ok(Args {
            ceremony,
            origin,
            store,
            name,
        })
    }
}

fn run(args: &Args) -> Result<Value> {
    let options: Value = serde_json::from_reader(io::stdin().lock())
        .context("stdin is not JSON: pipe in the options route's answer")?;
    if let Some(message) = options.get("message").and_then(Value::as_str) {
        bail!("the server answered an error instead of options: {message}");
    }
    let mut store = Store::load(&args.store)?;
    let body = match args.ceremony {
        Ceremony::Register => {
            let options = serde_json::from_value(options).context("not registration options")?;
            let response = register(&mut store, &options, &args.origin)?;
            match &args.name {
                Some(name) => json!({ "response": response, "name": name }),
                None => json!({ "response": response }),
            }
        }
        Ceremony::SignIn => {
            let options = serde_json::from_value(options).context("not authentication options")?;
            json!({ "response": sign_in(&mut store, &options, &args.origin)? })
        }
    };
    store.save(&args.store)?;
    Ok(body)
}

/// The parts of `generate-register-options` an authenticator uses.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegistrationOptions {
    challenge: String,
    rp: Entity,
    user: Entity,
    pub_key_cred_params: Vec<Parameter>,
    #[serde(default)]
    exclude_credentials: Vec<Descriptor>,
}

/// The parts of `generate-authenticate-options` an authenticator uses.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthenticationOptions {
    challenge: String,
    rp_id: String,
    #[serde(default)]
    allow_credentials: Vec<Descriptor>,
}

/// The relying party or the user: an id and a name.
#[derive(Deserialize)]
struct Entity {
    id: String,
    name: String,
}

/// An offered algorithm.
#[derive(Deserialize)]
struct Parameter {
    alg: i64,
}

/// A credential named by the server (excluded at registration, allowed at sign-in).
#[derive(Deserialize)]
struct Descriptor {
    id: String,
}

/// One discoverable credential, as kept in the store file.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Credential {
    /// Base64url, as the server's `credentialID`.
    id: String,
    rp_id: String,
    /// Base64url, exactly the registration options' `user.id`.
    user_handle: String,
    user_name: String,
    /// Base64url of the P-256 private scalar.
    private_key: String,
    sign_count: u32,
}

/// The credential file: every credential this authenticator made, oldest first.
#[derive(Default, Serialize, Deserialize)]
struct Store {
    credentials: Vec<Credential>,
}

impl Store {
    fn load(path: &Path) -> Result<Store> {
        match fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a credential file", path.display())),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Store::default()),
            Err(error) => Err(error).with_context(|| format!("reading {}", path.display())),
        }
    }

    fn save(&self, path: &Path) -> Result<()> {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(folder)?;
        }
        let text = serde_json::to_string_pretty(self)?;
        fs::write(path, text).with_context(|| format!("writing {}", path.display()))
    }
}

/// Makes a credential for `options` and returns the browser's RegistrationResponseJSON.
fn register(store: &mut Store, options: &RegistrationOptions, origin: &str) -> Result<Value> {
    if !options.pub_key_cred_params.iter().any(|p| p.alg == ES256) {
        bail!("the server does not offer ES256, the only algorithm this authenticator has");
    }
    // What an authenticator does with excludeCredentials: refuse a second passkey per account.
    let excluded = |c: &Credential| options.exclude_credentials.iter().any(|e| e.id == c.id);
    if store
        .credentials
        .iter()
        .any(|c| c.rp_id == options.rp.id && excluded(c))
    {
        bail!(
            "this authenticator already holds a passkey for this account (excludeCredentials); \
             use another --store to play a second device"
        );
    }

    let credential_id: [u8; 16] = random_bytes()?;
    let key = new_signing_key()?;
    let mut auth_data = authenticator_data(&options.rp.id, FLAG_UP | FLAG_UV | FLAG_AT, 0);
    auth_data.extend_from_slice(&[0; 16]); // AAGUID: none, as for a software authenticator
    auth_data.extend_from_slice(&(credential_id.len() as u16).to_be_bytes());
    auth_data.extend_from_slice(&credential_id);
    auth_data.extend_from_slice(&cose_public_key(&key)?);

    let attestation_object = cbor(&ciborium::Value::Map(vec![
        ("fmt".into(), "none".into()),
        ("attStmt".into(), ciborium::Value::Map(vec![])),
        ("authData".into(), ciborium::Value::Bytes(auth_data.clone())),
    ]))?;
    let client_data = client_data("webauthn.create", &options.challenge, origin)?;

    let id = B64URL.encode(credential_id);
    store.credentials.push(Credential {
        id: id.clone(),
        rp_id: options.rp.id.clone(),
        user_handle: options.user.id.clone(),
        user_name: options.user.name.clone(),
        private_key: B64URL.encode(key.to_bytes()),
        sign_count: 0,
    });
    Ok(json!({
        "id": id, "rawId": id, "type": "public-key",
        "response": {
            "clientDataJSON": B64URL.encode(client_data),
            "attestationObject": B64URL.encode(attestation_object),
            "authenticatorData": B64URL.encode(&auth_data),
            "transports": ["internal"],
            "publicKeyAlgorithm": ES256,
        },
        "authenticatorAttachment": "platform",
        "clientExtensionResults": { "credProps": { "rk": true } },
    }))
}

/// Signs `options`' challenge with a stored credential; returns AuthenticationResponseJSON.
fn sign_in(store: &mut Store, options: &AuthenticationOptions, origin: &str) -> Result<Value> {
    let allowed = |c: &Credential| {
        options.allow_credentials.is_empty()
            || options.allow_credentials.iter().any(|a| a.id == c.id)
    };
    let rp_id = &options.rp_id;
    let Some(credential) = store
        .credentials
        .iter_mut()
        .rev()
        .find(|c| &c.rp_id == rp_id && allowed(c))
    else {
        bail!("no stored credential for RP ID {rp_id:?} may answer");
    };
    credential.sign_count += 1;

    let key = SigningKey::from_slice(&B64URL.decode(&credential.private_key)?)
        .context("a stored private key is not a P-256 scalar")?;
    let auth_data = authenticator_data(&credential.rp_id, FLAG_UP | FLAG_UV, credential.sign_count);
    let client_data = client_data("webauthn.get", &options.challenge, origin)?;
    let signed = [auth_data.as_slice(), &Sha256::digest(&client_data)].concat();
    let signature: Signature = key.sign(&signed);
    let Credential { user_name, id, .. } = &credential;
    eprintln!("signing in as {user_name} with passkey {id}");

    Ok(json!({
        "id": credential.id, "rawId": credential.id, "type": "public-key",
        "response": {
            "clientDataJSON": B64URL.encode(client_data),
            "authenticatorData": B64URL.encode(&auth_data),
            "signature": B64URL.encode(signature.to_der()),
            "userHandle": credential.user_handle,
        },
        "authenticatorAttachment": "platform",
        "clientExtensionResults": {},
    }))
}

/// The fixed head of authenticator data: RP ID hash, flags, signature counter.
fn authenticator_data(rp_id: &str, flags: u8, sign_count: u32) -> Vec<u8> {
    let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
    data.push(flags);
    data.extend_from_slice(&sign_count.to_be_bytes());
    data
}

/// The CollectedClientData a browser would hash and send (its key order does not matter).
fn client_data(kind: &str, challenge: &str, origin: &str) -> Result<Vec<u8>> {
    let data =
        json!({ "type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false });
    Ok(serde_json::to_vec(&data)?)
}

/// The COSE_Key of an ES256 public key (RFC 9053 EC2 on P-256), in CTAP2 canonical key order.
fn cose_public_key(key: &SigningKey) -> Result<Vec<u8>> {
    let point = key.verifying_key().to_encoded_point(false);
    let (x, y) = point
        .x()
        .zip(point.y())
        .context("an uncompressed point has x and y")?;
    let int = |n: i64| ciborium::Value::Integer(n.into());
    cbor(&ciborium::Value::Map(vec![
        (int(1), int(2)),     // kty: EC2
        (int(3), int(ES256)), // alg
        (int(-1), int(1)),    // crv: P-256
        (int(-2), ciborium::Value::Bytes(x.to_vec())),
        (int(-3), ciborium::Value::Bytes(y.to_vec())),
    ]))
}

fn cbor(value: &ciborium::Value) -> Result<Vec<u8>> {
    let mut bytes = vec![];
    ciborium::into_writer(value, &mut bytes)?;
    Ok(bytes)
}

fn new_signing_key() -> Result<SigningKey> {
    // A random 32-byte string is a valid scalar except with negligible probability; retry then.
    loop {
        if let Ok(key) = SigningKey::from_slice(&random_bytes::<32>()?) {
            return Ok(key);
        }
    }
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0; N];
    os_random::getrandom(&mut bytes).context("the OS gave no randomness")?;
    Ok(bytes)
}

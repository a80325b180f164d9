//! What every test starts from: the run's context, a fresh user of its own, and the whole
//! ceremonies (register a passkey, sign in with it) as single calls that assert they worked.

use std::sync::Arc;

use anyhow::{ensure, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

use crate::api::Api;
use crate::authenticator::{Registration, SoftKey, TRANSPORTS};
use crate::contract::{AuthenticationOptions, Passkey, RegistrationOptions, SignIn};
use crate::shapes;
use crate::tokens::{host_claims, random_hex, HostAlg, RunKeys};

/// Shared by every test of the run.
#[derive(Clone)]
pub struct Ctx {
    pub api: Api,
    pub keys: Arc<RunKeys>,
    /// An `android:apk-key-hash:` origin added to `ALLOWED_ORIGINS` for this run.
    pub android_origin: String,
}

/// A user of the host application, unique to one test.
pub struct TestUser {
    pub sub: String,
    pub email: String,
    pub name: String,
    /// A valid host token for this user.
    pub token: String,
}

impl Ctx {
    /// A new user with an HS256 host token.
    pub fn new_user(&self) -> TestUser {
        self.new_user_signed_by(HostAlg::Hs256)
    }

    /// A new user whose host token is signed by the issuer configured for `alg`.
    pub fn new_user_signed_by(&self, alg: HostAlg) -> TestUser {
        let id = random_hex::<8>();
        let sub = format!("host-user-{id}");
        let email = format!("{id}@e2e.example");
        let name = format!("Test User {id}");
        let token = self.keys.host_token(alg, &host_claims(&sub, &email, &name));
        TestUser {
            sub,
            email,
            name,
            token,
        }
    }

    /// Registration options for `user`, asserted to be a 200.
    pub async fn registration_options(&self, user: &TestUser) -> Result<RegistrationOptions> {
        self.api
            .register_options(Some(&user.token), &[])
            .await
            .expect_ok()
    }

    /// Sign-in options, account-bound when `token` is given.
    pub async fn authentication_options(
        &self,
        token: Option<&str>,
    ) -> Result<AuthenticationOptions> {
        self.api.authenticate_options(token).await.expect_ok()
    }

    /// A full registration of a new credential on `key` for `user`, named `name`; checks the
    /// returned Passkey against what the authenticator made.
    pub async fn register(
        &self,
        user: &TestUser,
        key: &mut SoftKey,
        name: &str,
    ) -> Result<Passkey> {
        let options = self.registration_options(user).await?;
        let registration = key.register(&options).await?;
        let body = json!({"response": registration.response, "name": name});
        let reply = self.api.verify_registration(Some(&user.token), &body).await;
        let passkey: Passkey = reply.expect_ok()?;
        shapes::passkey_object(&reply.json)?;
        expect_registered(&passkey, &registration, key)?;
        ensure!(
            passkey.name.as_deref() == Some(name),
            "name not kept: {}",
            reply.text
        );
        Ok(passkey)
    }

    /// A discoverable sign-in (no bearer) with the credential on `key`.
    pub async fn sign_in(&self, key: &mut SoftKey) -> Result<SignIn> {
        let options = self.authentication_options(None).await?;
        let response = key.assert(&options.challenge).await?;
        self.api
            .verify_authentication(&json!({"response": response}))
            .await
            .expect_ok()
    }

    /// The caller's passkeys, asserted to be a 200 list of Passkey objects.
    pub async fn list(&self, token: &str) -> Result<Vec<Passkey>> {
        let reply = self.api.list_passkeys(Some(token)).await;
        let list: Vec<Passkey> = reply.expect_ok()?;
        for item in reply.json.as_array().into_iter().flatten() {
            shapes::passkey_object(item)?;
        }
        Ok(list)
    }
}

/// The stored passkey matches the credential the authenticator made, field by field.
pub fn expect_registered(passkey: &Passkey, made: &Registration, key: &SoftKey) -> Result<()> {
    ensure!(
        passkey.credential_id == made.credential_id,
        "credentialID {passkey:?}"
    );
    ensure!(
        passkey.public_key == STANDARD.encode(&made.cose_key),
        "publicKey {passkey:?}"
    );
    shapes::standard_base64(&passkey.public_key)?;
    shapes::base64url(&passkey.credential_id)?;
    ensure!(
        passkey.counter == u64::from(key.counter().unwrap_or(0)),
        "counter {passkey:?}"
    );
    // The software authenticator sets the backup-eligible and backup-state flags.
    ensure!(
        passkey.device_type == "multiDevice" && passkey.backed_up,
        "flags {passkey:?}"
    );
    let mut sent: Vec<String> = TRANSPORTS.iter().map(|t| t.to_string()).collect();
    sent.sort();
    ensure!(
        shapes::transport_set(&passkey.transports) == sent,
        "transports {passkey:?}"
    );
    ensure!(
        passkey.aaguid == shapes::uuid(&key.aaguid),
        "aaguid {passkey:?}"
    );
    shapes::recent_iso(&passkey.created_at)?;
    ensure!(
        !passkey.id.is_empty() && !passkey.user_id.is_empty(),
        "ids {passkey:?}"
    );
    Ok(())
}

//! Users and passkeys in D1. SQL never leaves this file.
//!
//! Every verify route makes one read and then one batch; a batch is a transaction, and its
//! first write claims the challenge in `consumed_challenges`, so of two requests answering the
//! same challenge only one changes anything. The read also reports a challenge already
//! consumed, so a late duplicate is told `CHALLENGE_NOT_FOUND`, not a counter or duplicate
//! error it only met because the first one won.

use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

use super::rows::{PasskeyRow, UserRow};
use crate::error::{ApiError, ApiResult};
use crate::token::Principal;

const UPSERT_USER: &str = "INSERT INTO users (id, email, name, user_handle, created_at, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?5)
     ON CONFLICT (id) DO UPDATE SET
       email = COALESCE(excluded.email, users.email),
       name = COALESCE(excluded.name, users.name),
       updated_at = excluded.updated_at
     WHERE COALESCE(excluded.email, users.email) IS NOT users.email
        OR COALESCE(excluded.name, users.name) IS NOT users.name";
const SELECT_USER: &str = "SELECT * FROM users WHERE id = ?1";
const SELECT_PASSKEYS_OF_USER: &str =
    "SELECT * FROM passkeys WHERE user_id = ?1 ORDER BY created_at, id";
const REGISTRATION_LOOKUP: &str = "SELECT
       EXISTS (SELECT 1 FROM consumed_challenges WHERE challenge = ?1) AS challenge_used,
       EXISTS (SELECT 1 FROM passkeys WHERE credential_id = ?2) AS credential_taken";
const CHALLENGE_USED: &str =
    "SELECT EXISTS (SELECT 1 FROM consumed_challenges WHERE challenge = ?1) AS challenge_used";
const SELECT_FOR_SIGN_IN: &str = "SELECT p.*, u.email AS owner_email, u.name AS owner_name,
       u.user_handle AS owner_handle, u.created_at AS owner_created_at,
       u.updated_at AS owner_updated_at
     FROM passkeys p JOIN users u ON u.id = p.user_id WHERE p.credential_id = ?1";
const PRUNE_CONSUMED: &str = "DELETE FROM consumed_challenges WHERE expires_at_ms < ?1";
const CONSUME_CHALLENGE: &str =
    "INSERT INTO consumed_challenges (challenge, consumed_by, expires_at_ms) VALUES (?1, ?2, ?3)
     ON CONFLICT (challenge) DO NOTHING";
/// Inserts only for the request that consumed the challenge (?1, ?2).
const INSERT_PASSKEY: &str = "INSERT INTO passkeys (id, user_id, credential_id, public_key,
       counter, backup_eligible, backed_up, user_verified, transports, aaguid, name, created_at)
     SELECT ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14
     WHERE EXISTS (SELECT 1 FROM consumed_challenges WHERE challenge = ?1 AND consumed_by = ?2)
     ON CONFLICT (credential_id) DO NOTHING";
/// Updates only for the request that consumed the challenge (?1, ?2), and only if the counter
/// is still the one verified against (?4): two sign-ins racing cannot both move it.
const RECORD_SIGN_IN: &str = "UPDATE passkeys
     SET counter = ?5, backup_eligible = ?6, backed_up = ?7, last_used_at = ?8
     WHERE id = ?3 AND counter = ?4
       AND EXISTS (SELECT 1 FROM consumed_challenges WHERE challenge = ?1 AND consumed_by = ?2)";
const RENAME_PASSKEY: &str =
    "UPDATE passkeys SET name = ?3 WHERE id = ?1 AND user_id = ?2 RETURNING *";
const DELETE_PASSKEY: &str = "DELETE FROM passkeys WHERE id = ?1 AND user_id = ?2";

/// A challenge being consumed: which, by whom, until when the guard row must live.
pub struct Claim<'a> {
    pub challenge: &'a str,
    pub request_nonce: &'a str,
    pub expires_at_ms: u64,
    pub now_ms: u64,
}

/// What registration must know before it verifies. SQLite booleans arrive as 0/1 numbers.
#[derive(serde::Deserialize)]
pub struct RegistrationLookup {
    challenge_used: f64,
    credential_taken: f64,
}

impl RegistrationLookup {
    /// Another request already consumed the challenge.
    pub fn challenge_used(&self) -> bool {
        self.challenge_used != 0.0
    }

    /// The credential id is registered already (to anyone).
    pub fn credential_taken(&self) -> bool {
        self.credential_taken != 0.0
    }
}

#[derive(serde::Deserialize)]
struct ChallengeUsed {
    challenge_used: f64,
}

impl ChallengeUsed {
    fn used(&self) -> bool {
        self.challenge_used != 0.0
    }
}

/// How a guarded write ended.
#[derive(Debug, PartialEq)]
pub enum Guarded {
    Done,
    /// Another request consumed the challenge first.
    ChallengeUsed,
    /// The challenge was ours, but the write's own condition failed (duplicate, counter race).
    Conflict,
}

/// The database of users and passkeys.
pub struct Db {
    d1: D1Database,
}

impl Db {
    pub fn new(d1: D1Database) -> Self {
        Db { d1 }
    }

    /// Creates or refreshes the caller's user row from token claims and returns it with the
    /// user's passkeys, in one batch. `new_handle` is used only if the user is new.
    pub async fn upsert_user_with_passkeys(
        &self,
        principal: &Principal,
        new_handle: &str,
        now: &str,
    ) -> ApiResult<(UserRow, Vec<PasskeyRow>)> {
        let results = self
            .d1
            .batch(vec![
                self.statement(
                    UPSERT_USER,
                    &[
                        principal.user_id.as_str().into(),
                        opt(&principal.email),
                        opt(&principal.name),
                        new_handle.into(),
                        now.into(),
                    ],
                )?,
                self.statement(SELECT_USER, &[principal.user_id.as_str().into()])?,
                self.statement(
                    SELECT_PASSKEYS_OF_USER,
                    &[principal.user_id.as_str().into()],
                )?,
            ])
            .await
            .map_err(|e| ApiError::internal("d1 upsert user", e))?;
        let user = rows::<UserRow>(&results[1])?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::internal("d1 upsert user", "row missing after upsert"))?;
        Ok((user, rows(&results[2])?))
    }

    /// The user's passkeys, oldest first.
    pub async fn passkeys_of(&self, user_id: &str) -> ApiResult<Vec<PasskeyRow>> {
        let result = self
            .statement(SELECT_PASSKEYS_OF_USER, &[user_id.into()])?
            .all()
            .await;
        rows(&result.map_err(|e| ApiError::internal("d1 list passkeys", e))?)
    }

    /// Before verifying a registration, in one read: whether the challenge is already used, and
    /// whether any user has registered this credential id.
    pub async fn registration_lookup(
        &self,
        challenge: &str,
        credential_id: &str,
    ) -> ApiResult<RegistrationLookup> {
        let statement = self.statement(
            REGISTRATION_LOOKUP,
            &[challenge.into(), credential_id.into()],
        )?;
        let found = statement.first::<RegistrationLookup>(None).await;
        found
            .map_err(|e| ApiError::internal("d1 registration lookup", e))?
            .ok_or_else(|| ApiError::internal("d1 registration lookup", "no row"))
    }

    /// Before verifying a sign-in, in one batch of reads: whether the challenge is already used,
    /// and the passkey with this credential id with its owner.
    pub async fn sign_in_lookup(
        &self,
        challenge: &str,
        credential_id: &str,
    ) -> ApiResult<(bool, Option<PasskeyRow>)> {
        let results = self
            .d1
            .batch(vec![
                self.statement(CHALLENGE_USED, &[challenge.into()])?,
                self.statement(SELECT_FOR_SIGN_IN, &[credential_id.into()])?,
            ])
            .await
            .map_err(|e| ApiError::internal("d1 sign-in lookup", e))?;
        let used = rows::<ChallengeUsed>(&results[0])?
            .first()
            .is_some_and(|row| row.used());
        Ok((used, rows::<PasskeyRow>(&results[1])?.into_iter().next()))
    }

    /// Consumes the challenge and stores the new passkey, atomically.
    pub async fn consume_and_register(
        &self,
        claim: &Claim<'_>,
        row: &PasskeyRow,
    ) -> ApiResult<Guarded> {
        let insert = self.statement(
            INSERT_PASSKEY,
            &[
                claim.challenge.into(),
                claim.request_nonce.into(),
                row.id.as_str().into(),
                row.user_id.as_str().into(),
                row.credential_id.as_str().into(),
                worker::js_sys::Uint8Array::from(row.public_key.as_slice()).into(),
                row.counter.into(),
                row.backup_eligible.into(),
                row.backed_up.into(),
                row.user_verified.into(),
                row.transports.as_str().into(),
                row.aaguid.as_str().into(),
                opt(&row.name),
                row.created_at.as_str().into(),
            ],
        )?;
        self.guarded_batch(claim, insert).await
    }

    /// Consumes the challenge and records a sign-in's counter and backup flags, atomically.
    pub async fn consume_and_record_sign_in(
        &self,
        claim: &Claim<'_>,
        passkey: &PasskeyRow,
        counter: u32,
        backup_eligible: bool,
        backed_up: bool,
        now: &str,
    ) -> ApiResult<Guarded> {
        let update = self.statement(
            RECORD_SIGN_IN,
            &[
                claim.challenge.into(),
                claim.request_nonce.into(),
                passkey.id.as_str().into(),
                passkey.counter.into(),
                f64::from(counter).into(),
                f64::from(u8::from(backup_eligible)).into(),
                f64::from(u8::from(backed_up)).into(),
                now.into(),
            ],
        )?;
        self.guarded_batch(claim, update).await
    }

    /// Renames the caller's passkey; `None` when it is not found or not theirs.
    pub async fn rename_passkey(
        &self,
        id: &str,
        user_id: &str,
        name: &str,
    ) -> ApiResult<Option<PasskeyRow>> {
        let statement =
            self.statement(RENAME_PASSKEY, &[id.into(), user_id.into(), name.into()])?;
        let renamed = statement.first::<PasskeyRow>(None).await;
        renamed.map_err(|e| ApiError::internal("d1 rename passkey", e))
    }

    /// Deletes the caller's passkey; `false` when it is not found or not theirs.
    pub async fn delete_passkey(&self, id: &str, user_id: &str) -> ApiResult<bool> {
        let result = self
            .statement(DELETE_PASSKEY, &[id.into(), user_id.into()])?
            .run()
            .await;
        Ok(changes(&result.map_err(|e| ApiError::internal("d1 delete passkey", e))?)? == 1)
    }

    /// Runs [prune, consume, effect] as one transaction and reports who won.
    async fn guarded_batch(
        &self,
        claim: &Claim<'_>,
        effect: D1PreparedStatement,
    ) -> ApiResult<Guarded> {
        let results = self
            .d1
            .batch(vec![
                self.statement(PRUNE_CONSUMED, &[(claim.now_ms as f64).into()])?,
                self.statement(
                    CONSUME_CHALLENGE,
                    &[
                        claim.challenge.into(),
                        claim.request_nonce.into(),
                        (claim.expires_at_ms as f64).into(),
                    ],
                )?,
                effect,
            ])
            .await
            .map_err(|e| ApiError::internal("d1 guarded batch", e))?;
        Ok(match (changes(&results[1])?, changes(&results[2])?) {
            (1, 1) => Guarded::Done,
            (0, _) => Guarded::ChallengeUsed,
            _ => Guarded::Conflict,
        })
    }

    fn statement(&self, sql: &str, values: &[JsValue]) -> ApiResult<D1PreparedStatement> {
        self.d1
            .prepare(sql)
            .bind(values)
            .map_err(|e| ApiError::internal("d1 bind", e))
    }
}

fn opt(value: &Option<String>) -> JsValue {
    value.as_deref().map_or(JsValue::NULL, JsValue::from)
}

fn rows<T: serde::de::DeserializeOwned>(result: &D1Result) -> ApiResult<Vec<T>> {
    result
        .results()
        .map_err(|e| ApiError::internal("d1 rows", e))
}

fn changes(result: &D1Result) -> ApiResult<usize> {
    let meta = result
        .meta()
        .map_err(|e| ApiError::internal("d1 meta", e))?;
    Ok(meta.and_then(|meta| meta.changes).unwrap_or(0))
}

//! Ceremony state in Workers KV, keyed by the challenge itself.
//!
//! KV is eventually consistent and cannot delete atomically, so a found state proves nothing
//! about single use: that is decided by `Db::consume_*` in D1. Deleting here only tidies up.

use worker::kv::KvStore;

use crate::error::{ApiError, ApiResult};
use crate::webauthn::CeremonyState;

/// KV's minimum TTL is 60 s; the state also carries its own 5-minute expiry, checked on read.
const STATE_TTL_SECS: u64 = 300;
/// A challenge is 32 bytes, base64url without padding.
const CHALLENGE_LEN: usize = 43;

/// Outstanding ceremonies.
pub struct Challenges {
    kv: KvStore,
}

impl Challenges {
    pub fn new(kv: KvStore) -> Self {
        Challenges { kv }
    }

    /// Stores a new ceremony under its challenge (one KV write).
    pub async fn save(&self, challenge: &str, state: &CeremonyState) -> ApiResult<()> {
        let value = serde_json::to_string(state).map_err(|e| ApiError::internal("state", e))?;
        self.kv
            .put(&key(challenge), value)
            .map_err(|e| ApiError::internal("kv put", e))?
            .expiration_ttl(STATE_TTL_SECS)
            .execute()
            .await
            .map_err(|e| ApiError::internal("kv put", e))
    }

    /// The ceremony this challenge belongs to, unless it is malformed, unknown or expired.
    pub async fn find(&self, challenge: &str, now_ms: u64) -> ApiResult<Option<CeremonyState>> {
        if !is_well_formed(challenge) {
            return Ok(None);
        }
        let stored = self.kv.get(&key(challenge)).text().await;
        let Some(text) = stored.map_err(|e| ApiError::internal("kv get", e))? else {
            return Ok(None);
        };
        let state: CeremonyState =
            serde_json::from_str(&text).map_err(|e| ApiError::internal("stored state", e))?;
        Ok((state.expires_at_ms() > now_ms).then_some(state))
    }

    /// Removes a used ceremony. Best effort: D1 already refuses its reuse, and the entry
    /// expires by itself, so a failed delete must not fail a ceremony that succeeded.
    pub async fn forget(&self, challenge: &str) {
        let _ = self.kv.delete(&key(challenge)).await;
    }
}

fn key(challenge: &str) -> String {
    format!("challenge:{challenge}")
}

fn is_well_formed(challenge: &str) -> bool {
    challenge.len() == CHALLENGE_LEN
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_32_byte_base64url_challenge_is_looked_up() {
        assert!(is_well_formed(&"A".repeat(43)));
        assert!(!is_well_formed(&"A".repeat(44)));
        assert!(!is_well_formed(&format!("{}/", "A".repeat(42))));
        assert!(!is_well_formed(""));
    }
}

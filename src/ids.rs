//! Random identifiers and timestamps, the two things every route mints.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::error::{ApiError, ApiResult};

/// `bytes` random bytes from the platform's CSPRNG (Web Crypto in a Worker), base64url.
pub fn random_id(bytes: usize) -> ApiResult<String> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|e| ApiError::internal("randomness", e))?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

/// ISO-8601 UTC with milliseconds, as the contract writes dates: `2026-12-03T15:54:45.796Z`.
pub fn iso_time(ms: u64) -> String {
    crate::token::instant(ms).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso_8601_utc_with_milliseconds() {
        assert_eq!(iso_time(1_796_313_285_796), "2026-12-03T15:54:45.796Z");
        assert_eq!(iso_time(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn random_ids_are_base64url_of_the_requested_length_and_differ() {
        let a = random_id(32).unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_id(32).unwrap());
    }
}

//! Checks of the contract's encodings and exact JSON shapes, each failing with the offending value.

use anyhow::{bail, ensure, Context, Result};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64URL};
use base64::Engine;
use serde_json::Value;

use crate::tokens::now_secs;

/// Decodes base64url without padding, refusing any other alphabet or padding.
pub fn base64url(value: &str) -> Result<Vec<u8>> {
    ensure!(
        value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{value:?} is not base64url without padding"
    );
    B64URL
        .decode(value)
        .with_context(|| format!("{value:?} does not decode as base64url"))
}

/// Decodes standard base64 with its `=` padding.
pub fn standard_base64(value: &str) -> Result<Vec<u8>> {
    ensure!(
        value.len().is_multiple_of(4),
        "{value:?} is not padded standard base64"
    );
    STANDARD
        .decode(value)
        .with_context(|| format!("{value:?} is not standard base64"))
}

/// A challenge is 32 random bytes in base64url.
pub fn challenge(value: &str) -> Result<()> {
    let bytes = base64url(value)?;
    ensure!(
        bytes.len() == 32,
        "challenge {value:?} has {} bytes, not 32",
        bytes.len()
    );
    Ok(())
}

/// Parses `YYYY-MM-DDTHH:MM:SS.mmmZ` into milliseconds since the epoch.
pub fn iso_millis(value: &str) -> Result<i64> {
    let b = value.as_bytes();
    let shape_ok = b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        });
    ensure!(shape_ok, "{value:?} is not ISO-8601 UTC with milliseconds");
    let n = |range: std::ops::Range<usize>| value[range].parse::<i64>().expect("digits");
    let (year, month, day) = (n(0..4), n(5..7), n(8..10));
    ensure!(
        (1..=12).contains(&month) && (1..=31).contains(&day),
        "{value:?} is no date"
    );
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19);
    Ok(secs * 1000 + n(20..23))
}

/// An ISO timestamp that is "now" give or take ten minutes (server and test share a clock).
pub fn recent_iso(value: &str) -> Result<i64> {
    let ms = iso_millis(value)?;
    let skew = (ms / 1000 - now_secs()).abs();
    ensure!(skew < 600, "{value:?} is {skew} s away from now");
    Ok(ms)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The UUID text (lowercase, with dashes) of 16 bytes.
pub fn uuid(bytes: &[u8; 16]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Asserts `value` is an object holding every key in `required`, and nothing outside
/// `required` and `optional` unless `open` (the contract allows extra fields on some objects).
pub fn keys(value: &Value, required: &[&str], optional: &[&str], open: bool) -> Result<()> {
    let Some(object) = value.as_object() else {
        bail!("not an object: {value}")
    };
    for key in required {
        ensure!(object.contains_key(*key), "missing {key:?} in {value}");
    }
    if !open {
        for key in object.keys() {
            let known = required.contains(&key.as_str()) || optional.contains(&key.as_str());
            ensure!(known, "unexpected field {key:?} in {value}");
        }
    }
    Ok(())
}

/// The Passkey object's fields, with exactly these JSON types.
pub fn passkey_object(value: &Value) -> Result<()> {
    let required = [
        "id",
        "publicKey",
        "userId",
        "credentialID",
        "counter",
        "deviceType",
        "backedUp",
        "transports",
        "createdAt",
        "aaguid",
    ];
    keys(value, &required, &["name"], true)?;
    for key in [
        "id",
        "publicKey",
        "userId",
        "credentialID",
        "deviceType",
        "transports",
    ] {
        ensure!(value[key].is_string(), "{key} is not a string in {value}");
    }
    ensure!(
        value["counter"].is_u64(),
        "counter is not a number in {value}"
    );
    ensure!(
        value["backedUp"].is_boolean(),
        "backedUp is not a boolean in {value}"
    );
    ensure!(
        value["aaguid"].is_string() && value["createdAt"].is_string(),
        "{value}"
    );
    if let Some(name) = value.get("name") {
        ensure!(
            name.is_string(),
            "name is present but not a string in {value}"
        );
    }
    Ok(())
}

/// The transports string as a sorted list (order is not part of the contract).
pub fn transport_set(transports: &str) -> Vec<String> {
    let mut list: Vec<String> = transports
        .split(',')
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect();
    list.sort();
    list
}

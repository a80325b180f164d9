//! Rows as D1 returns them, and their contract (wire) shapes.
//!
//! D1 hands numbers to Rust as JavaScript numbers, so integer columns are `f64` here and
//! converted at the edge; booleans are stored as 0/1.

use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::webauthn::registration::NewCredential;

/// A row of `users`.
#[derive(Debug, Clone, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub user_handle: String,
    pub created_at: String,
    pub updated_at: String,
}

impl UserRow {
    /// The contract's `user` object. `name` and `email` are always strings.
    pub fn to_wire(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name.clone().unwrap_or_default(),
            "email": self.email.clone().unwrap_or_default(),
            "emailVerified": false,
            "image": null,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        })
    }
}

/// A row of `passkeys`; the `owner_*` columns are filled only by the sign-in lookup.
#[derive(Debug, Clone, Deserialize)]
pub struct PasskeyRow {
    pub id: String,
    pub user_id: String,
    pub credential_id: String,
    pub public_key: Vec<u8>,
    pub counter: f64,
    pub backup_eligible: f64,
    pub backed_up: f64,
    pub user_verified: f64,
    pub transports: String,
    pub aaguid: String,
    pub name: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub last_used_at: Option<String>,
    #[serde(default)]
    pub owner_email: Option<String>,
    #[serde(default)]
    pub owner_name: Option<String>,
    #[serde(default)]
    pub owner_handle: Option<String>,
    #[serde(default)]
    pub owner_created_at: Option<String>,
    #[serde(default)]
    pub owner_updated_at: Option<String>,
}

impl PasskeyRow {
    /// The row of a newly registered passkey.
    pub fn registered(
        id: String,
        user_id: String,
        credential: NewCredential,
        name: Option<String>,
        created_at: String,
    ) -> Self {
        let flag = |set: bool| f64::from(u8::from(set));
        PasskeyRow {
            id,
            user_id,
            credential_id: credential.credential_id,
            public_key: credential.public_key,
            counter: f64::from(credential.counter),
            backup_eligible: flag(credential.backup_eligible),
            backed_up: flag(credential.backed_up),
            user_verified: flag(credential.user_verified),
            transports: credential.transports.join(","),
            aaguid: credential.aaguid,
            name,
            created_at,
            last_used_at: None,
            owner_email: None,
            owner_name: None,
            owner_handle: None,
            owner_created_at: None,
            owner_updated_at: None,
        }
    }

    /// The contract's Passkey object. `name` is absent when unset.
    pub fn to_wire(&self) -> Value {
        let mut passkey = json!({
            "id": self.id,
            "publicKey": STANDARD.encode(&self.public_key),
            "userId": self.user_id,
            "credentialID": self.credential_id,
            "counter": self.counter as u64,
            "deviceType": if self.backup_eligible != 0.0 { "multiDevice" } else { "singleDevice" },
            "backedUp": self.backed_up != 0.0,
            "transports": self.transports,
            "createdAt": self.created_at,
            "aaguid": self.aaguid,
        });
        if let Some(name) = &self.name {
            passkey["name"] = name.as_str().into();
        }
        passkey
    }

    /// The transports as a list, for `excludeCredentials` and `allowCredentials`.
    pub fn transport_list(&self) -> Vec<String> {
        self.transports
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The owner, from the sign-in lookup's joined columns.
    pub fn owner(&self) -> Option<UserRow> {
        Some(UserRow {
            id: self.user_id.clone(),
            email: self.owner_email.clone(),
            name: self.owner_name.clone(),
            user_handle: self.owner_handle.clone()?,
            created_at: self.owner_created_at.clone()?,
            updated_at: self.owner_updated_at.clone()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> PasskeyRow {
        let credential = NewCredential {
            credential_id: "fHRSXR-Sw71De1Bo_IphMQ".into(),
            public_key: vec![0xa5, 0x01, 0x02, 0xff],
            counter: 7,
            backup_eligible: true,
            backed_up: false,
            user_verified: true,
            transports: vec!["internal".into(), "hybrid".into()],
            aaguid: "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4".into(),
        };
        let created_at = "2026-12-03T15:54:45.796Z".to_owned();
        PasskeyRow::registered("pk_1".into(), "u_1".into(), credential, None, created_at)
    }

    #[test]
    fn a_passkey_has_the_contract_shape_and_encodings() {
        let wire = row().to_wire();
        assert_eq!(
            wire["publicKey"], "pQEC/w==",
            "standard base64 with padding"
        );
        assert_eq!(wire["credentialID"], "fHRSXR-Sw71De1Bo_IphMQ");
        assert_eq!(wire["counter"], 7);
        assert_eq!(wire["deviceType"], "multiDevice");
        assert_eq!(wire["backedUp"], false);
        assert_eq!(wire["transports"], "internal,hybrid");
        assert!(wire.get("name").is_none(), "name is absent when unset");
    }

    #[test]
    fn a_named_single_device_passkey_says_so() {
        let mut row = row();
        row.name = Some("Laptop".into());
        row.backup_eligible = 0.0;
        let wire = row.to_wire();
        assert_eq!(wire["name"], "Laptop");
        assert_eq!(wire["deviceType"], "singleDevice");
    }

    #[test]
    fn transports_split_into_a_list_and_empty_means_none() {
        assert_eq!(row().transport_list(), ["internal", "hybrid"]);
        let mut row = row();
        row.transports = String::new();
        assert!(row.transport_list().is_empty());
    }

    #[test]
    fn a_user_without_name_or_email_still_has_strings() {
        let user = UserRow {
            id: "u".into(),
            email: None,
            name: None,
            user_handle: "h".into(),
            created_at: "c".into(),
            updated_at: "u".into(),
        };
        assert_eq!(user.to_wire()["name"], "");
        assert_eq!(user.to_wire()["email"], "");
    }
}

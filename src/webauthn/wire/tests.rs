use super::*;
use serde_cbor_2::Value as Cbor;
use std::collections::BTreeMap;

const ORIGINS: [&str; 2] = ["https://example.com", "android:apk-key-hash:abc"];

fn origins() -> Vec<String> {
    ORIGINS.iter().map(|o| o.to_string()).collect()
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn response_with(client_data: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "id": "AAEC", "rawId": "AAEC", "type": "public-key",
        "response": { "clientDataJSON": b64(client_data.to_string().as_bytes()) }
    })
}

fn client_data(type_: &str, origin: &str) -> serde_json::Value {
    serde_json::json!({ "type": type_, "challenge": "abc", "origin": origin })
}

#[test]
fn a_well_formed_response_yields_its_challenge() {
    let response = response_with(client_data("webauthn.get", "https://example.com"));
    assert_eq!(
        checked_challenge(&response, CeremonyType::Get, &origins()).unwrap(),
        "abc"
    );
    assert_eq!(challenge_of(&response).as_deref(), Some("abc"));
}

#[test]
fn an_android_app_origin_is_accepted_when_configured() {
    let response = response_with(client_data("webauthn.create", "android:apk-key-hash:abc"));
    assert!(checked_challenge(&response, CeremonyType::Create, &origins()).is_ok());
}

#[test]
fn an_origin_is_compared_exactly() {
    for origin in [
        "https://example.com/",
        "https://example.com:443",
        "https://evil.example.com",
    ] {
        let response = response_with(client_data("webauthn.get", origin));
        assert!(
            checked_challenge(&response, CeremonyType::Get, &origins()).is_err(),
            "{origin}"
        );
    }
}

#[test]
fn the_other_ceremony_type_is_refused() {
    let response = response_with(client_data("webauthn.create", "https://example.com"));
    assert!(checked_challenge(&response, CeremonyType::Get, &origins()).is_err());
}

#[test]
fn a_cross_origin_ceremony_is_refused() {
    let mut data = client_data("webauthn.get", "https://example.com");
    data["crossOrigin"] = true.into();
    assert!(checked_challenge(&response_with(data), CeremonyType::Get, &origins()).is_err());
}

#[test]
fn id_must_equal_raw_id_and_type_must_be_public_key() {
    let mut response = response_with(client_data("webauthn.get", "https://example.com"));
    response["id"] = "AAED".into();
    assert!(checked_challenge(&response, CeremonyType::Get, &origins()).is_err());
    let mut response = response_with(client_data("webauthn.get", "https://example.com"));
    response["type"] = "password".into();
    assert!(checked_challenge(&response, CeremonyType::Get, &origins()).is_err());
}

fn cose_key() -> Vec<u8> {
    let mut key = BTreeMap::new();
    key.insert(Cbor::Integer(1), Cbor::Integer(2));
    key.insert(Cbor::Integer(3), Cbor::Integer(-7));
    key.insert(Cbor::Integer(-1), Cbor::Integer(1));
    key.insert(Cbor::Integer(-2), Cbor::Bytes(vec![1; 32]));
    key.insert(Cbor::Integer(-3), Cbor::Bytes(vec![2; 32]));
    serde_cbor_2::to_vec(&Cbor::Map(key)).unwrap()
}

fn auth_data(flags: u8, credential_id: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut data = vec![0u8; 32];
    data.push(flags);
    data.extend_from_slice(&[0, 0, 0, 5]);
    data.extend_from_slice(&[0xab; 16]);
    data.extend_from_slice(&(credential_id.len() as u16).to_be_bytes());
    data.extend_from_slice(credential_id);
    data.extend_from_slice(&cose_key());
    data.extend_from_slice(tail);
    data
}

fn attestation(fmt: &str, statement: BTreeMap<Cbor, Cbor>, auth_data: Vec<u8>) -> Vec<u8> {
    let mut map = BTreeMap::new();
    map.insert(Cbor::Text("fmt".into()), Cbor::Text(fmt.into()));
    map.insert(Cbor::Text("attStmt".into()), Cbor::Map(statement));
    map.insert(Cbor::Text("authData".into()), Cbor::Bytes(auth_data));
    serde_cbor_2::to_vec(&Cbor::Map(map)).unwrap()
}

const ATTESTED: u8 = flags::USER_PRESENT | flags::ATTESTED_CREDENTIAL_DATA;

#[test]
fn an_attested_credential_yields_its_exact_cose_key_and_aaguid() {
    let object = attestation("none", BTreeMap::new(), auth_data(ATTESTED, &[7; 16], &[]));
    let credential = attested_credential(&object).unwrap();
    assert_eq!(credential.cose_key, cose_key());
    assert_eq!(credential.credential_id, vec![7; 16]);
    assert_eq!(
        format_aaguid(&credential.aaguid),
        "abababab-abab-abab-abab-abababababab"
    );
}

#[test]
fn extensions_are_accepted_only_when_announced() {
    let extensions = serde_cbor_2::to_vec(&Cbor::Map(BTreeMap::new())).unwrap();
    let announced = auth_data(ATTESTED | flags::EXTENSION_DATA, &[7; 16], &extensions);
    assert!(attested_credential(&attestation("none", BTreeMap::new(), announced)).is_ok());
    let unannounced = auth_data(ATTESTED, &[7; 16], &extensions);
    assert!(attested_credential(&attestation("none", BTreeMap::new(), unannounced)).is_err());
}

#[test]
fn fmt_none_with_a_statement_is_refused() {
    let mut statement = BTreeMap::new();
    statement.insert(Cbor::Text("sig".into()), Cbor::Bytes(vec![1]));
    let object = attestation("none", statement, auth_data(ATTESTED, &[7; 16], &[]));
    assert!(attested_credential(&object).is_err());
}

#[test]
fn credential_ids_of_length_zero_or_over_1023_are_refused() {
    for id in [vec![], vec![1u8; 1024]] {
        let object = attestation("none", BTreeMap::new(), auth_data(ATTESTED, &id, &[]));
        assert!(attested_credential(&object).is_err(), "{}", id.len());
    }
}

#[test]
fn assertion_auth_data_with_trailing_bytes_is_refused() {
    let mut data = vec![0u8; 32];
    data.push(flags::USER_PRESENT);
    data.extend_from_slice(&[0, 0, 0, 9]);
    assert!(check_assertion_auth_data(&data).is_ok());
    data.push(0);
    assert!(check_assertion_auth_data(&data).is_err());
}

#[test]
fn assertion_auth_data_must_not_carry_an_attested_credential() {
    let data = auth_data(ATTESTED, &[7; 16], &[]);
    assert!(check_assertion_auth_data(&data).is_err());
}

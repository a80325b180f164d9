//! Registration that must work: the options' exact shape, the new Passkey's exact shape, the
//! response as an object or a JSON string, excluded credentials, every configured origin kind.

use anyhow::{ensure, Result};
use serde_json::{json, Value};

use crate::authenticator::{ClientData, SoftKey, RP_ID};
use crate::contract::{Passkey, RegistrationOptions};
use crate::fixtures::{expect_registered, Ctx};
use crate::shapes;

crate::cases![
    registration_options_have_the_contract_shape,
    the_name_query_names_the_user_and_the_attachment_is_echoed,
    the_user_handle_is_stable_random_and_not_an_identifier,
    a_passkey_registers_and_comes_back_in_the_contract_shape,
    a_registration_response_sent_as_a_json_string_is_accepted,
    a_passkey_registered_without_a_name_has_no_name_field,
    registration_options_exclude_the_users_existing_passkeys,
    a_registration_from_a_configured_android_origin_is_accepted,
];

async fn registration_options_have_the_contract_shape(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let reply = ctx.api.register_options(Some(&user.token), &[]).await;
    let options: RegistrationOptions = reply.expect_ok()?;
    let required = [
        "challenge",
        "rp",
        "user",
        "pubKeyCredParams",
        "timeout",
        "attestation",
        "excludeCredentials",
        "authenticatorSelection",
        "extensions",
        "hints",
    ];
    shapes::keys(&reply.json, &required, &[], true)?;
    shapes::challenge(&options.challenge)?;
    ensure!(
        options.rp.id == RP_ID && !options.rp.name.is_empty(),
        "rp: {}",
        reply.json["rp"]
    );
    shapes::keys(
        &reply.json["user"],
        &["id", "name", "displayName"],
        &[],
        false,
    )?;
    ensure!(
        options.user.name == user.email,
        "user.name defaults to the email: {}",
        reply.text
    );
    ensure!(
        options.user.display_name == user.name,
        "displayName is the name: {}",
        reply.text
    );
    let algs: Vec<i64> = options.pub_key_cred_params.iter().map(|p| p.alg).collect();
    ensure!(
        algs.contains(&-7) && algs.contains(&-257),
        "ES256 and RS256 offered: {algs:?}"
    );
    ensure!(
        options
            .pub_key_cred_params
            .iter()
            .all(|p| p.kind == "public-key"),
        "param types"
    );
    ensure!(
        options.timeout > 0 && options.attestation == "none",
        "{}",
        reply.text
    );
    ensure!(
        options.exclude_credentials.is_empty(),
        "a new user excludes nothing"
    );
    let selection = json!({"residentKey": "preferred", "userVerification": "preferred",
                           "requireResidentKey": false});
    ensure!(
        options.authenticator_selection == selection,
        "{}",
        options.authenticator_selection
    );
    ensure!(
        options.extensions == json!({"credProps": true}),
        "{}",
        options.extensions
    );
    ensure!(options.hints.is_empty(), "hints: {:?}", options.hints);
    Ok(())
}

async fn the_name_query_names_the_user_and_the_attachment_is_echoed(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    for attachment in ["platform", "cross-platform"] {
        let query = [
            ("authenticatorAttachment", attachment),
            ("name", "alice work"),
        ];
        let options: RegistrationOptions = ctx
            .api
            .register_options(Some(&user.token), &query)
            .await
            .expect_ok()?;
        ensure!(
            options.user.name == "alice work",
            "user.name {:?}",
            options.user.name
        );
        let selection = &options.authenticator_selection;
        ensure!(
            selection["authenticatorAttachment"] == attachment,
            "{selection}"
        );
        ensure!(selection["residentKey"] == "preferred", "{selection}");
    }
    Ok(())
}

async fn the_user_handle_is_stable_random_and_not_an_identifier(ctx: Ctx) -> Result<()> {
    let (alice, bob) = (ctx.new_user(), ctx.new_user());
    let first = ctx.registration_options(&alice).await?;
    let again = ctx.registration_options(&alice).await?;
    let other = ctx.registration_options(&bob).await?;
    ensure!(
        first.user.id == again.user.id,
        "the handle changed between calls"
    );
    ensure!(first.user.id != other.user.id, "two users share a handle");
    ensure!(first.challenge != again.challenge, "a challenge was reused");
    let handle = shapes::base64url(&first.user.id)?;
    ensure!(
        (16..=64).contains(&handle.len()),
        "handle of {} bytes",
        handle.len()
    );
    let text = String::from_utf8_lossy(&handle);
    ensure!(
        !text.contains(&alice.sub) && !text.contains(&alice.email),
        "handle leaks: {text}"
    );
    ensure!(first.user.id != alice.sub, "the handle is the account id");
    Ok(())
}

async fn a_passkey_registers_and_comes_back_in_the_contract_shape(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    let passkey = ctx.register(&user, &mut key, "Laptop").await?;
    let listed = ctx.list(&user.token).await?;
    ensure!(listed.len() == 1, "one passkey listed, got {listed:?}");
    same_passkey(&listed[0], &passkey)
}

async fn a_registration_response_sent_as_a_json_string_is_accepted(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    let options = ctx.registration_options(&user).await?;
    let made = key.register(&options).await?;
    let body = json!({"response": made.response.to_string(), "name": "From Python"});
    let reply = ctx.api.verify_registration(Some(&user.token), &body).await;
    let passkey: Passkey = reply.expect_ok()?;
    shapes::passkey_object(&reply.json)?;
    expect_registered(&passkey, &made, &key)?;
    ensure!(
        passkey.name.as_deref() == Some("From Python"),
        "{}",
        reply.text
    );
    Ok(())
}

async fn a_passkey_registered_without_a_name_has_no_name_field(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    let options = ctx.registration_options(&user).await?;
    let made = key.register(&options).await?;
    let reply = ctx
        .api
        .verify_registration(Some(&user.token), &json!({"response": made.response}))
        .await;
    let passkey: Passkey = reply.expect_ok()?;
    expect_registered(&passkey, &made, &key)?;
    ensure!(
        reply.json.get("name").is_none_or(Value::is_null),
        "name set: {}",
        reply.text
    );
    let listed = ctx.list(&user.token).await?;
    ensure!(
        listed.len() == 1 && listed[0].name.is_none(),
        "listed: {listed:?}"
    );
    Ok(())
}

async fn registration_options_exclude_the_users_existing_passkeys(ctx: Ctx) -> Result<()> {
    let (user, stranger) = (ctx.new_user(), ctx.new_user());
    let first = ctx.register(&user, &mut SoftKey::new(), "One").await?;
    let second = ctx.register(&user, &mut SoftKey::new(), "Two").await?;
    ctx.register(&stranger, &mut SoftKey::new(), "Not yours")
        .await?;
    let options = ctx.registration_options(&user).await?;
    let mut excluded: Vec<&str> = options
        .exclude_credentials
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    excluded.sort();
    let mut expected = vec![first.credential_id.as_str(), second.credential_id.as_str()];
    expected.sort();
    ensure!(
        excluded == expected,
        "excluded {excluded:?}, expected {expected:?}"
    );
    for descriptor in &options.exclude_credentials {
        ensure!(
            descriptor.kind == "public-key",
            "descriptor type {descriptor:?}"
        );
        let transports = descriptor.transports.clone().unwrap_or_default();
        let mut sorted = transports.clone();
        sorted.sort();
        ensure!(
            sorted == ["hybrid", "internal"],
            "descriptor transports {transports:?}"
        );
    }
    Ok(())
}

async fn a_registration_from_a_configured_android_origin_is_accepted(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    let options = ctx.registration_options(&user).await?;
    let client = ClientData::create(&options.challenge).origin(&ctx.android_origin);
    let made = key.register_as(&options, &client, RP_ID).await?;
    let reply = ctx
        .api
        .verify_registration(Some(&user.token), &json!({"response": made.response}))
        .await;
    let passkey: Passkey = reply.expect_ok()?;
    expect_registered(&passkey, &made, &key)
}

/// Two Passkey objects describe the same stored passkey.
fn same_passkey(a: &Passkey, b: &Passkey) -> Result<()> {
    let same = a.id == b.id
        && a.credential_id == b.credential_id
        && a.public_key == b.public_key
        && a.user_id == b.user_id
        && a.counter == b.counter
        && a.name == b.name
        && a.created_at == b.created_at
        && a.aaguid == b.aaguid
        && a.transports == b.transports
        && (a.device_type.as_str(), a.backed_up) == (b.device_type.as_str(), b.backed_up);
    ensure!(same, "listed {a:?} differs from registered {b:?}");
    Ok(())
}

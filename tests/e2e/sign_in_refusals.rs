//! Sign-ins that must be refused, including under concurrency, without moving the stored counter.

use anyhow::{ensure, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use serde_json::{json, Value};

use crate::api::Reply;
use crate::authenticator::{ClientData, SoftKey, RP_ID};
use crate::fixtures::{Ctx, TestUser};
use crate::tokens::random_bytes;

crate::cases![
    a_counter_that_goes_backwards_is_refused,
    a_user_handle_of_another_user_is_refused,
    a_discoverable_sign_in_without_a_user_handle_is_refused,
    a_registration_challenge_cannot_be_used_to_sign_in,
    an_unknown_challenge_cannot_be_used_to_sign_in,
    replaying_an_assertion_is_refused,
    twenty_concurrent_replays_yield_exactly_one_session,
    an_unknown_credential_is_passkey_not_found,
    a_cross_origin_assertion_is_refused,
    an_assertion_from_an_unlisted_origin_or_for_another_rp_id_is_refused,
    a_credential_of_one_user_cannot_answer_a_challenge_bound_to_another,
    a_bad_signature_or_registration_client_data_is_refused,
    a_response_whose_id_differs_from_its_raw_id_or_type_is_refused,
];

async fn a_counter_that_goes_backwards_is_refused(ctx: Ctx) -> Result<()> {
    let (user, mut key) = registered(&ctx).await?;
    ctx.sign_in(&mut key).await?;
    ctx.sign_in(&mut key).await?;
    for rewound in [0, 1] {
        key.set_counter(rewound); // a clone: it will report rewound + 1 <= 2
        expect_failed(&sign(&ctx, &mut key, None).await?)?;
    }
    expect_counter(&ctx, &user, 2).await?;
    key.set_counter(6);
    ctx.sign_in(&mut key).await?;
    expect_counter(&ctx, &user, 7).await
}

async fn a_user_handle_of_another_user_is_refused(ctx: Ctx) -> Result<()> {
    let (user, mut key) = registered(&ctx).await?;
    let other = ctx.new_user();
    let other_handle = ctx.registration_options(&other).await?.user.id;
    let options = ctx.authentication_options(None).await?;
    let mut assertion = key.assert(&options.challenge).await?;
    assertion["response"]["userHandle"] = json!(other_handle);
    expect_failed(
        &ctx.api
            .verify_authentication(&json!({"response": assertion}))
            .await,
    )?;
    expect_counter(&ctx, &user, 0).await
}

async fn a_discoverable_sign_in_without_a_user_handle_is_refused(ctx: Ctx) -> Result<()> {
    let (user, mut key) = registered(&ctx).await?;
    let options = ctx.authentication_options(None).await?;
    let mut assertion = key.assert(&options.challenge).await?;
    assertion["response"]
        .as_object_mut()
        .map(|r| r.remove("userHandle"));
    expect_failed(
        &ctx.api
            .verify_authentication(&json!({"response": assertion}))
            .await,
    )?;
    expect_counter(&ctx, &user, 0).await
}

async fn a_registration_challenge_cannot_be_used_to_sign_in(ctx: Ctx) -> Result<()> {
    let (user, mut key) = registered(&ctx).await?;
    let options = ctx.registration_options(&user).await?;
    let reply = sign_with(&ctx, &mut key, ClientData::get(&options.challenge), RP_ID).await?;
    reply.expect_error(400, "CHALLENGE_NOT_FOUND")?;
    expect_counter(&ctx, &user, 0).await
}

async fn an_unknown_challenge_cannot_be_used_to_sign_in(ctx: Ctx) -> Result<()> {
    let (user, mut key) = registered(&ctx).await?;
    let challenge = B64URL.encode(random_bytes::<32>());
    let reply = sign_with(&ctx, &mut key, ClientData::get(&challenge), RP_ID).await?;
    reply.expect_error(400, "CHALLENGE_NOT_FOUND")?;
    expect_counter(&ctx, &user, 0).await
}

async fn replaying_an_assertion_is_refused(ctx: Ctx) -> Result<()> {
    let (user, mut key) = registered(&ctx).await?;
    let options = ctx.authentication_options(None).await?;
    let body = json!({"response": key.assert(&options.challenge).await?});
    ctx.api
        .verify_authentication(&body)
        .await
        .expect_ok::<Value>()?;
    let replay = ctx.api.verify_authentication(&body).await;
    replay.expect_error(400, "CHALLENGE_NOT_FOUND")?;
    ensure!(
        replay.header("set-auth-token").is_none(),
        "a replay got a session token"
    );
    expect_counter(&ctx, &user, 1).await
}

async fn twenty_concurrent_replays_yield_exactly_one_session(ctx: Ctx) -> Result<()> {
    let (user, mut key) = registered(&ctx).await?;
    let options = ctx.authentication_options(None).await?;
    let body = json!({"response": key.assert(&options.challenge).await?});
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (api, body) = (ctx.api.clone(), body.clone());
        requests.spawn(async move { api.verify_authentication(&body).await });
    }
    let replies = requests.join_all().await;
    let winners = replies.iter().filter(|r| r.status == 200).count();
    ensure!(winners == 1, "{winners} of 20 concurrent replays succeeded");
    for reply in replies.iter().filter(|r| r.status != 200) {
        reply.expect_error(400, "CHALLENGE_NOT_FOUND")?;
    }
    expect_counter(&ctx, &user, 1).await
}

async fn an_unknown_credential_is_passkey_not_found(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    // Made by the authenticator, never sent to the server.
    key.register(&ctx.registration_options(&user).await?)
        .await?;
    let reply = sign(&ctx, &mut key, None).await?;
    reply.expect_error(401, "PASSKEY_NOT_FOUND")
}

async fn a_cross_origin_assertion_is_refused(ctx: Ctx) -> Result<()> {
    let (user, mut key) = registered(&ctx).await?;
    let options = ctx.authentication_options(None).await?;
    let client = ClientData::get(&options.challenge).cross_origin();
    expect_failed(&sign_with(&ctx, &mut key, client, RP_ID).await?)?;
    expect_counter(&ctx, &user, 0).await
}

async fn an_assertion_from_an_unlisted_origin_or_for_another_rp_id_is_refused(
    ctx: Ctx,
) -> Result<()> {
    let (user, mut key) = registered(&ctx).await?;
    let options = ctx.authentication_options(None).await?;
    let client = ClientData::get(&options.challenge).origin("https://evil.example");
    expect_failed(&sign_with(&ctx, &mut key, client, RP_ID).await?)?;
    let options = ctx.authentication_options(None).await?;
    let client = ClientData::get(&options.challenge);
    expect_failed(&sign_with(&ctx, &mut key, client, "evil.example").await?)?;
    expect_counter(&ctx, &user, 0).await
}

async fn a_credential_of_one_user_cannot_answer_a_challenge_bound_to_another(
    ctx: Ctx,
) -> Result<()> {
    let (alice, mut alice_key) = registered(&ctx).await?;
    let (bob, _) = registered(&ctx).await?;
    let reply = sign(&ctx, &mut alice_key, Some(&bob.token)).await?;
    expect_failed(&reply)?;
    expect_counter(&ctx, &alice, 0).await
}

async fn a_bad_signature_or_registration_client_data_is_refused(ctx: Ctx) -> Result<()> {
    let (user, mut key) = registered(&ctx).await?;
    let options = ctx.authentication_options(None).await?;
    let mut assertion = key.assert(&options.challenge).await?;
    let signature = assertion["response"]["signature"]
        .as_str()
        .unwrap_or_default();
    let mut bytes = B64URL.decode(signature)?;
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    assertion["response"]["signature"] = json!(B64URL.encode(bytes));
    expect_failed(
        &ctx.api
            .verify_authentication(&json!({"response": assertion}))
            .await,
    )?;
    let options = ctx.authentication_options(None).await?;
    let client = ClientData::create(&options.challenge);
    expect_failed(&sign_with(&ctx, &mut key, client, RP_ID).await?)?;
    expect_counter(&ctx, &user, 0).await
}

async fn a_response_whose_id_differs_from_its_raw_id_or_type_is_refused(ctx: Ctx) -> Result<()> {
    let (user, mut key) = registered(&ctx).await?;
    let (_, other_key) = registered(&ctx).await?;
    let options = ctx.authentication_options(None).await?;
    let mut assertion = key.assert(&options.challenge).await?;
    assertion["id"] = json!(other_key.credential_id());
    let reply = ctx
        .api
        .verify_authentication(&json!({"response": assertion}))
        .await;
    ensure!(
        reply.status == 400 || reply.status == 401,
        "id != rawId: {}",
        reply.text
    );
    let options = ctx.authentication_options(None).await?;
    let mut assertion = key.assert(&options.challenge).await?;
    assertion["type"] = json!("password");
    let reply = ctx
        .api
        .verify_authentication(&json!({"response": assertion}))
        .await;
    ensure!(
        reply.status == 400 || reply.status == 401,
        "type password: {}",
        reply.text
    );
    expect_counter(&ctx, &user, 0).await
}

/// A new user with one registered passkey on a counting authenticator.
async fn registered(ctx: &Ctx) -> Result<(TestUser, SoftKey)> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    ctx.register(&user, &mut key, "Refusals").await?;
    Ok((user, key))
}

/// Signs fresh options (account-bound when `token` is given) and submits the assertion.
async fn sign(ctx: &Ctx, key: &mut SoftKey, token: Option<&str>) -> Result<Reply> {
    let options = ctx.authentication_options(token).await?;
    sign_with(ctx, key, ClientData::get(&options.challenge), RP_ID).await
}

async fn sign_with(ctx: &Ctx, key: &mut SoftKey, client: ClientData, rp_id: &str) -> Result<Reply> {
    let assertion = key.assert_as(&client, rp_id).await?;
    Ok(ctx
        .api
        .verify_authentication(&json!({"response": assertion}))
        .await)
}

/// The contract's refusal of a verified-but-wrong assertion: 400 or 401 `AUTHENTICATION_FAILED`,
/// and no session token.
fn expect_failed(reply: &Reply) -> Result<()> {
    let status = if reply.status == 400 { 400 } else { 401 };
    reply.expect_error(status, "AUTHENTICATION_FAILED")?;
    ensure!(
        reply.header("set-auth-token").is_none(),
        "a refusal carried a session token"
    );
    Ok(())
}

async fn expect_counter(ctx: &Ctx, user: &TestUser, expected: u64) -> Result<()> {
    let listed = ctx.list(&user.token).await?;
    ensure!(
        listed.len() == 1 && listed[0].counter == expected,
        "stored counter {:?}, expected {expected}",
        listed.first().map(|p| p.counter)
    );
    Ok(())
}

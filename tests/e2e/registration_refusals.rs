//! Registrations that must be refused, and must leave nothing stored behind.

use anyhow::{ensure, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use serde_json::json;

use crate::authenticator::{ClientData, SoftKey, RP_ID};
use crate::fixtures::{Ctx, TestUser};
use crate::tokens::random_bytes;

crate::cases![
    registering_the_same_credential_again_is_refused_as_previously_registered,
    replaying_a_registration_response_is_refused_as_challenge_not_found,
    a_registration_from_an_unlisted_origin_is_refused,
    a_registration_for_another_rp_id_is_refused,
    client_data_of_a_sign_in_cannot_complete_a_registration,
    a_sign_in_challenge_cannot_complete_a_registration,
    an_unknown_challenge_cannot_complete_a_registration,
    a_registration_challenge_only_completes_for_the_user_it_was_issued_to,
];

async fn registering_the_same_credential_again_is_refused_as_previously_registered(
    ctx: Ctx,
) -> Result<()> {
    let (user, stranger) = (ctx.new_user(), ctx.new_user());
    let mut key = SoftKey::new();
    let options = ctx.registration_options(&user).await?;
    let made = key.register(&options).await?;
    let body = json!({"response": made.response});
    ctx.api
        .verify_registration(Some(&user.token), &body)
        .await
        .expect_ok::<serde_json::Value>()?;

    for (owner, who) in [(&user, "the same user"), (&stranger, "another user")] {
        let fresh = ctx.registration_options(owner).await?;
        let again = made.with_client_data(&ClientData::create(&fresh.challenge));
        let reply = ctx
            .api
            .verify_registration(Some(&owner.token), &json!({"response": again}))
            .await;
        let outcome = reply.expect_error(400, "PREVIOUSLY_REGISTERED");
        outcome.map_err(|e| e.context(format!("registering it again for {who}")))?;
    }
    ensure!(
        ctx.list(&user.token).await?.len() == 1,
        "the owner has one passkey"
    );
    expect_no_passkeys(&ctx, &stranger).await
}

async fn replaying_a_registration_response_is_refused_as_challenge_not_found(
    ctx: Ctx,
) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    let options = ctx.registration_options(&user).await?;
    let made = key.register(&options).await?;
    let body = json!({"response": made.response, "name": "First"});
    ctx.api
        .verify_registration(Some(&user.token), &body)
        .await
        .expect_ok::<serde_json::Value>()?;
    let replay = ctx.api.verify_registration(Some(&user.token), &body).await;
    replay.expect_error(400, "CHALLENGE_NOT_FOUND")?;
    ensure!(
        ctx.list(&user.token).await?.len() == 1,
        "the replay stored nothing"
    );
    Ok(())
}

async fn a_registration_from_an_unlisted_origin_is_refused(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    for origin in [
        "https://evil.example",
        "http://localhost:9999",
        "http://127.0.0.1:8787",
    ] {
        let options = ctx.registration_options(&user).await?;
        let client = ClientData::create(&options.challenge).origin(origin);
        let made = SoftKey::new().register_as(&options, &client, RP_ID).await?;
        let reply = ctx
            .api
            .verify_registration(Some(&user.token), &json!({"response": made.response}))
            .await;
        reply.expect_error(400, "FAILED_TO_VERIFY_REGISTRATION")?;
    }
    expect_no_passkeys(&ctx, &user).await
}

async fn a_registration_for_another_rp_id_is_refused(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let options = ctx.registration_options(&user).await?;
    let client = ClientData::create(&options.challenge);
    let made = SoftKey::new()
        .register_as(&options, &client, "evil.example")
        .await?;
    let reply = ctx
        .api
        .verify_registration(Some(&user.token), &json!({"response": made.response}))
        .await;
    reply.expect_error(400, "FAILED_TO_VERIFY_REGISTRATION")?;
    expect_no_passkeys(&ctx, &user).await
}

async fn client_data_of_a_sign_in_cannot_complete_a_registration(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let options = ctx.registration_options(&user).await?;
    let client = ClientData::get(&options.challenge);
    let made = SoftKey::new().register_as(&options, &client, RP_ID).await?;
    let reply = ctx
        .api
        .verify_registration(Some(&user.token), &json!({"response": made.response}))
        .await;
    reply.expect_error(400, "FAILED_TO_VERIFY_REGISTRATION")?;
    expect_no_passkeys(&ctx, &user).await
}

async fn a_sign_in_challenge_cannot_complete_a_registration(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let options = ctx.registration_options(&user).await?;
    for token in [None, Some(user.token.as_str())] {
        let sign_in = ctx.authentication_options(token).await?;
        let client = ClientData::create(&sign_in.challenge);
        let made = SoftKey::new().register_as(&options, &client, RP_ID).await?;
        let reply = ctx
            .api
            .verify_registration(Some(&user.token), &json!({"response": made.response}))
            .await;
        reply.expect_error(400, "CHALLENGE_NOT_FOUND")?;
    }
    expect_no_passkeys(&ctx, &user).await
}

async fn an_unknown_challenge_cannot_complete_a_registration(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let options = ctx.registration_options(&user).await?;
    let client = ClientData::create(&B64URL.encode(random_bytes::<32>()));
    let made = SoftKey::new().register_as(&options, &client, RP_ID).await?;
    let reply = ctx
        .api
        .verify_registration(Some(&user.token), &json!({"response": made.response}))
        .await;
    reply.expect_error(400, "CHALLENGE_NOT_FOUND")?;
    expect_no_passkeys(&ctx, &user).await
}

async fn a_registration_challenge_only_completes_for_the_user_it_was_issued_to(
    ctx: Ctx,
) -> Result<()> {
    let (owner, intruder) = (ctx.new_user(), ctx.new_user());
    let options = ctx.registration_options(&owner).await?;
    let made = SoftKey::new().register(&options).await?;
    let body = json!({"response": made.response});
    let reply = ctx
        .api
        .verify_registration(Some(&intruder.token), &body)
        .await;
    reply.expect_error(401, "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY")?;
    expect_no_passkeys(&ctx, &intruder).await?;
    expect_no_passkeys(&ctx, &owner).await
}

async fn expect_no_passkeys(ctx: &Ctx, user: &TestUser) -> Result<()> {
    let listed = ctx.list(&user.token).await?;
    ensure!(
        listed.is_empty(),
        "a refused registration stored {listed:?}"
    );
    Ok(())
}

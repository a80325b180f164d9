//! Sign-in that must work: discoverable and account-bound, the session's exact shape, the session
//! token as a bearer, its verification through the JWKS alone, and the signature counter.

use anyhow::{ensure, Context, Result};
use serde_json::json;

use crate::authenticator::{SoftKey, RP_ID};
use crate::contract::{AuthenticationOptions, SignIn};
use crate::fixtures::{Ctx, TestUser};
use crate::shapes;

mod session_token;

crate::cases![
    sign_in_options_without_a_bearer_allow_any_discoverable_credential,
    sign_in_options_with_a_bearer_list_that_users_passkeys,
    a_discoverable_sign_in_returns_a_session_and_the_user_in_the_contract_shape,
    an_account_bound_sign_in_succeeds,
    a_sign_in_response_sent_as_a_json_string_is_accepted,
    the_session_token_is_a_bearer_token_and_a_tampered_one_is_not,
    the_jwks_verifies_the_session_token_independently,
    the_counter_increases_with_every_sign_in,
    a_passkey_that_never_counts_signs_in_again_and_again,
];

async fn sign_in_options_without_a_bearer_allow_any_discoverable_credential(
    ctx: Ctx,
) -> Result<()> {
    let reply = ctx.api.authenticate_options(None).await;
    let options: AuthenticationOptions = reply.expect_ok()?;
    shapes::keys(
        &reply.json,
        &["challenge", "rpId", "timeout", "userVerification"],
        &[],
        true,
    )?;
    ensure!(
        reply.json.get("allowCredentials").is_none(),
        "allowCredentials: {}",
        reply.text
    );
    ensure!(
        reply.json.get("publicKey").is_none(),
        "the library's wrapper leaked: {}",
        reply.text
    );
    shapes::challenge(&options.challenge)?;
    ensure!(
        options.rp_id == RP_ID && options.timeout > 0,
        "{}",
        reply.text
    );
    ensure!(options.user_verification == "preferred", "{}", reply.text);
    let again: AuthenticationOptions = ctx.api.authenticate_options(None).await.expect_ok()?;
    ensure!(
        again.challenge != options.challenge,
        "a challenge was reused"
    );
    Ok(())
}

async fn sign_in_options_with_a_bearer_list_that_users_passkeys(ctx: Ctx) -> Result<()> {
    let (user, stranger) = (ctx.new_user(), ctx.new_user());
    let first = ctx.register(&user, &mut SoftKey::new(), "One").await?;
    let second = ctx.register(&user, &mut SoftKey::new(), "Two").await?;
    ctx.register(&stranger, &mut SoftKey::new(), "Other")
        .await?;
    let options = ctx.authentication_options(Some(&user.token)).await?;
    let allowed = options
        .allow_credentials
        .context("no allowCredentials with a bearer")?;
    let mut ids: Vec<&str> = allowed.iter().map(|d| d.id.as_str()).collect();
    ids.sort();
    let mut expected = vec![first.credential_id.as_str(), second.credential_id.as_str()];
    expected.sort();
    ensure!(ids == expected, "allowed {ids:?}, expected {expected:?}");
    for descriptor in &allowed {
        let mut transports = descriptor.transports.clone().unwrap_or_default();
        transports.sort();
        ensure!(
            descriptor.kind == "public-key" && transports == ["hybrid", "internal"],
            "descriptor {descriptor:?}"
        );
    }
    Ok(())
}

async fn a_discoverable_sign_in_returns_a_session_and_the_user_in_the_contract_shape(
    ctx: Ctx,
) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    let passkey = ctx.register(&user, &mut key, "Phone").await?;
    let options = ctx.authentication_options(None).await?;
    let assertion = key.assert(&options.challenge).await?;
    let reply = ctx
        .api
        .verify_authentication(&json!({"response": assertion}))
        .await;
    let signed_in: SignIn = reply.expect_ok()?;
    expect_session_for(&reply.json, &signed_in, &user)?;
    ensure!(
        passkey.user_id == signed_in.user.id,
        "the passkey's owner signed in: {}",
        reply.text
    );
    let header = reply
        .header("set-auth-token")
        .context("no set-auth-token header")?;
    ensure!(
        header == signed_in.session.token,
        "set-auth-token differs from session.token"
    );
    Ok(())
}

async fn an_account_bound_sign_in_succeeds(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    ctx.register(&user, &mut key, "Bound").await?;
    let options = ctx.authentication_options(Some(&user.token)).await?;
    let assertion = key.assert(&options.challenge).await?;
    let reply = ctx
        .api
        .verify_authentication(&json!({"response": assertion}))
        .await;
    let signed_in: SignIn = reply.expect_ok()?;
    expect_session_for(&reply.json, &signed_in, &user)
}

async fn a_sign_in_response_sent_as_a_json_string_is_accepted(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    ctx.register(&user, &mut key, "Stringly").await?;
    let options = ctx.authentication_options(None).await?;
    let assertion = key.assert(&options.challenge).await?;
    let body = json!({"response": assertion.to_string()});
    let reply = ctx.api.verify_authentication(&body).await;
    let signed_in: SignIn = reply.expect_ok()?;
    expect_session_for(&reply.json, &signed_in, &user)
}

async fn the_session_token_is_a_bearer_token_and_a_tampered_one_is_not(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    let passkey = ctx.register(&user, &mut key, "Mine").await?;
    let token = ctx.sign_in(&mut key).await?.session.token;
    let listed = ctx.list(&token).await?;
    ensure!(
        listed.len() == 1 && listed[0].id == passkey.id,
        "listed with the session {listed:?}"
    );
    ctx.api
        .register_options(Some(&token), &[])
        .await
        .expect_ok::<serde_json::Value>()?;
    let renamed = ctx
        .api
        .update_passkey(Some(&token), &passkey.id, "Via session")
        .await;
    renamed.expect_ok::<serde_json::Value>()?;
    ensure!(
        ctx.list(&user.token).await?[0].name.as_deref() == Some("Via session"),
        "rename"
    );
    for forged in session_token::tamperings(&token)? {
        let reply = ctx.api.list_passkeys(Some(&forged)).await;
        reply.expect_error(401, "UNAUTHORIZED")?;
    }
    Ok(())
}

async fn the_jwks_verifies_the_session_token_independently(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    ctx.register(&user, &mut key, "Mine").await?;
    let signed_in = ctx.sign_in(&mut key).await?;
    let jwks = ctx.api.jwks().await;
    let cache = jwks.header("cache-control").unwrap_or_default().to_string();
    let set: serde_json::Value = jwks.expect_ok()?;
    ensure!(
        cache.contains("max-age"),
        "the JWKS is not cacheable: {cache:?}"
    );
    let claims = session_token::verify_with_jwks(&signed_in.session.token, &set, &ctx.keys)?;
    ensure!(claims["sub"] == json!(signed_in.user.id), "sub: {claims}");
    ensure!(
        claims["sid"] == json!(signed_in.session.id),
        "sid: {claims}"
    );
    let expires_ms = shapes::iso_millis(&signed_in.session.expires_at)?;
    let exp = claims["exp"].as_i64().unwrap_or_default();
    ensure!(
        (expires_ms / 1000 - exp).abs() <= 1,
        "expiresAt {} vs exp {exp}",
        signed_in.session.expires_at
    );
    Ok(())
}

async fn the_counter_increases_with_every_sign_in(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    let passkey = ctx.register(&user, &mut key, "Counting").await?;
    ensure!(
        passkey.counter == 0,
        "registered with counter {}",
        passkey.counter
    );
    for expected in 1..=3u64 {
        ctx.sign_in(&mut key).await?;
        let listed = ctx.list(&user.token).await?;
        ensure!(
            listed[0].counter == expected,
            "counter {} after sign-in {expected}",
            listed[0].counter
        );
        ensure!(
            u64::from(key.counter().unwrap_or(0)) == expected,
            "authenticator disagrees"
        );
    }
    Ok(())
}

async fn a_passkey_that_never_counts_signs_in_again_and_again(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::without_counter();
    ctx.register(&user, &mut key, "Synced").await?;
    for _ in 0..3 {
        ctx.sign_in(&mut key).await?;
    }
    let listed = ctx.list(&user.token).await?;
    ensure!(listed[0].counter == 0, "counter {}", listed[0].counter);
    Ok(())
}

/// The sign-in answer has the contract's exact shape and belongs to `user`.
pub fn expect_session_for(
    json: &serde_json::Value,
    signed_in: &SignIn,
    user: &TestUser,
) -> Result<()> {
    shapes::keys(json, &["session", "user"], &[], false)?;
    let session_keys = [
        "id",
        "token",
        "userId",
        "expiresAt",
        "createdAt",
        "updatedAt",
        "ipAddress",
        "userAgent",
    ];
    shapes::keys(&json["session"], &session_keys, &[], true)?;
    let user_keys = [
        "id",
        "name",
        "email",
        "emailVerified",
        "image",
        "createdAt",
        "updatedAt",
    ];
    shapes::keys(&json["user"], &user_keys, &[], true)?;
    let (session, account) = (&signed_in.session, &signed_in.user);
    ensure!(
        session.user_id == account.id,
        "session.userId {} vs user.id {}",
        session.user_id,
        account.id
    );
    ensure!(
        account.email == user.email && account.name == user.name,
        "user {account:?}"
    );
    ensure!(
        session.token.split('.').count() == 3,
        "the token is no JWS: {}",
        session.token
    );
    let created = shapes::recent_iso(&session.created_at)?;
    shapes::recent_iso(&session.updated_at)?;
    shapes::iso_millis(&account.created_at)?;
    shapes::iso_millis(&account.updated_at)?;
    ensure!(
        shapes::iso_millis(&session.expires_at)? > created,
        "expiresAt {session:?}"
    );
    Ok(())
}

//! Bearer tokens: host tokens of every configured algorithm are accepted; missing, expired, early,
//! forged, unsigned, confused, tampered and foreign tokens all get the same 401 `UNAUTHORIZED`.

use anyhow::{ensure, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use serde_json::{json, Value};

use crate::authenticator::SoftKey;
use crate::contract::Passkey;
use crate::fixtures::Ctx;
use crate::tokens::{
    host_claims, now_secs, random_bytes, sign_eddsa, sign_hs256, unsigned_token, HostAlg,
    EDDSA_ISSUER, ES256_ISSUER, HS256_ISSUER,
};

crate::cases![
    host_tokens_of_every_configured_algorithm_are_accepted,
    a_user_with_an_eddsa_or_es256_host_token_registers_a_passkey,
    a_newer_host_token_refreshes_the_users_email_and_name,
    requests_without_a_bearer_token_are_unauthorized,
    an_expired_or_not_yet_valid_host_token_is_unauthorized,
    a_host_token_signed_with_an_unknown_key_is_unauthorized,
    a_token_from_an_unconfigured_issuer_or_audience_is_unauthorized,
    unsigned_and_algorithm_confused_tokens_are_unauthorized,
    a_tampered_or_malformed_token_is_unauthorized,
];

const ALL_ALGS: [HostAlg; 3] = [HostAlg::Hs256, HostAlg::EdDsa, HostAlg::Es256];

async fn host_tokens_of_every_configured_algorithm_are_accepted(ctx: Ctx) -> Result<()> {
    for alg in ALL_ALGS {
        let user = ctx.new_user_signed_by(alg);
        let reply = ctx.api.list_passkeys(Some(&user.token)).await;
        ensure!(reply.status == 200, "{alg:?} token refused: {}", reply.text);
        ensure!(reply.json == json!([]), "{alg:?}: {}", reply.text);
    }
    Ok(())
}

async fn a_user_with_an_eddsa_or_es256_host_token_registers_a_passkey(ctx: Ctx) -> Result<()> {
    for alg in [HostAlg::EdDsa, HostAlg::Es256] {
        let user = ctx.new_user_signed_by(alg);
        let passkey = ctx
            .register(&user, &mut SoftKey::new(), "Via asymmetric host")
            .await?;
        let listed = ctx.list(&user.token).await?;
        ensure!(
            listed.len() == 1 && listed[0].id == passkey.id,
            "{alg:?}: {listed:?}"
        );
    }
    Ok(())
}

async fn a_newer_host_token_refreshes_the_users_email_and_name(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    ctx.register(&user, &mut key, "Mine").await?;
    let (email, name) = (
        format!("renamed.{}", user.email),
        format!("{} Renamed", user.name),
    );
    let token = ctx
        .keys
        .host_token(HostAlg::Hs256, &host_claims(&user.sub, &email, &name));
    let options = ctx
        .registration_options(&crate::fixtures::TestUser { token, ..user })
        .await?;
    ensure!(
        options.user.name == email && options.user.display_name == name,
        "{options:?}"
    );
    let signed_in = ctx.sign_in(&mut key).await?;
    ensure!(
        signed_in.user.email == email && signed_in.user.name == name,
        "{signed_in:?}"
    );
    Ok(())
}

async fn requests_without_a_bearer_token_are_unauthorized(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let passkey = ctx.register(&user, &mut SoftKey::new(), "Guarded").await?;
    expect_refused_everywhere(&ctx, None, &passkey).await?;
    let listed = ctx.list(&user.token).await?;
    ensure!(
        listed.len() == 1 && listed[0].name.as_deref() == Some("Guarded"),
        "{listed:?}"
    );
    Ok(())
}

async fn an_expired_or_not_yet_valid_host_token_is_unauthorized(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let passkey = ctx.register(&user, &mut SoftKey::new(), "Mine").await?;
    let now = now_secs();
    for alg in ALL_ALGS {
        let mut expired = host_claims(&user.sub, &user.email, &user.name);
        expired["iat"] = json!(now - 7200);
        expired["nbf"] = json!(now - 7200);
        expired["exp"] = json!(now - 3600);
        let mut early = host_claims(&user.sub, &user.email, &user.name);
        early["nbf"] = json!(now + 3600);
        early["exp"] = json!(now + 7200);
        let mut no_exp = host_claims(&user.sub, &user.email, &user.name);
        no_exp.as_object_mut().map(|c| c.remove("exp"));
        for claims in [expired, early, no_exp] {
            let token = ctx.keys.host_token(alg, &claims);
            expect_refused_everywhere(&ctx, Some(&token), &passkey).await?;
        }
    }
    Ok(())
}

async fn a_host_token_signed_with_an_unknown_key_is_unauthorized(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let passkey = ctx.register(&user, &mut SoftKey::new(), "Mine").await?;
    let mut claims = host_claims(&user.sub, &user.email, &user.name);
    claims["iss"] = json!(HS256_ISSUER);
    let wrong_secret = B64URL.encode(random_bytes::<64>());
    expect_refused_everywhere(
        &ctx,
        Some(&sign_hs256(wrong_secret.as_bytes(), &claims)),
        &passkey,
    )
    .await?;
    claims["iss"] = json!(EDDSA_ISSUER);
    let stranger = ed25519_dalek::SigningKey::from_bytes(&random_bytes());
    expect_refused_everywhere(&ctx, Some(&sign_eddsa(&stranger, &claims)), &passkey).await?;
    // Signed by a configured key, but not the one configured for the token's issuer.
    claims["iss"] = json!(ES256_ISSUER);
    let crossed = ctx.keys.sign_as(HostAlg::EdDsa, &claims);
    expect_refused_everywhere(&ctx, Some(&crossed), &passkey).await
}

async fn a_token_from_an_unconfigured_issuer_or_audience_is_unauthorized(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let passkey = ctx.register(&user, &mut SoftKey::new(), "Mine").await?;
    let mut claims = host_claims(&user.sub, &user.email, &user.name);
    claims["iss"] = json!("https://unknown-issuer.example");
    let foreign = ctx.keys.sign_as(HostAlg::Hs256, &claims);
    expect_refused_everywhere(&ctx, Some(&foreign), &passkey).await?;
    for alg in ALL_ALGS {
        let mut claims = host_claims(&user.sub, &user.email, &user.name);
        claims["aud"] = json!("another-api");
        let token = ctx.keys.host_token(alg, &claims);
        expect_refused_everywhere(&ctx, Some(&token), &passkey).await?;
    }
    Ok(())
}

async fn unsigned_and_algorithm_confused_tokens_are_unauthorized(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let passkey = ctx.register(&user, &mut SoftKey::new(), "Mine").await?;
    let mut claims = host_claims(&user.sub, &user.email, &user.name);
    for issuer in [HS256_ISSUER, EDDSA_ISSUER, ES256_ISSUER] {
        claims["iss"] = json!(issuer);
        expect_refused_everywhere(&ctx, Some(&unsigned_token(&claims)), &passkey).await?;
    }
    // HS256 keyed with the EdDSA issuer's public key, as raw bytes and as its JWK `x` text.
    claims["iss"] = json!(EDDSA_ISSUER);
    let public = ctx.keys.ed25519.verifying_key().to_bytes();
    for key in [public.to_vec(), B64URL.encode(public).into_bytes()] {
        expect_refused_everywhere(&ctx, Some(&sign_hs256(&key, &claims)), &passkey).await?;
    }
    // An EdDSA signature claiming the HS256 issuer.
    claims["iss"] = json!(HS256_ISSUER);
    let confused = ctx.keys.sign_as(HostAlg::EdDsa, &claims);
    expect_refused_everywhere(&ctx, Some(&confused), &passkey).await
}

async fn a_tampered_or_malformed_token_is_unauthorized(ctx: Ctx) -> Result<()> {
    let (user, victim) = (ctx.new_user(), ctx.new_user());
    let passkey = ctx
        .register(&victim, &mut SoftKey::new(), "Victim's")
        .await?;
    // The user's valid token with the victim's `sub` spliced into its claims.
    let parts: Vec<&str> = user.token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&B64URL.decode(parts[1])?)?;
    claims["sub"] = json!(victim.sub);
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        B64URL.encode(claims.to_string()),
        parts[2]
    );
    let no_sub = {
        let mut claims = host_claims(&user.sub, &user.email, &user.name);
        claims.as_object_mut().map(|c| c.remove("sub"));
        ctx.keys.host_token(HostAlg::Hs256, &claims)
    };
    let truncated = user.token[..user.token.len() - 4].to_string();
    for token in [
        tampered,
        no_sub,
        truncated,
        "not-a-jwt".into(),
        "a.b.c".into(),
    ] {
        expect_refused_everywhere(&ctx, Some(&token), &passkey).await?;
    }
    for header in [
        format!("Basic {}", user.token),
        user.token.clone(),
        "Bearer".into(),
    ] {
        let path = format!("{}/passkey/list-user-passkeys", crate::api::BASE_PATH);
        let reply = ctx
            .api
            .raw(
                reqwest::Method::GET,
                &path,
                &[("authorization", header)],
                None,
            )
            .await;
        reply.expect_error(401, "UNAUTHORIZED")?;
    }
    Ok(())
}

/// Every bearer-only route refuses `token` with 401 `UNAUTHORIZED`, and `passkey` is untouched.
async fn expect_refused_everywhere(
    ctx: &Ctx,
    token: Option<&str>,
    passkey: &Passkey,
) -> Result<()> {
    let api = &ctx.api;
    let body = json!({"response": {"id": "x"}});
    let replies = [
        (
            "generate-register-options",
            api.register_options(token, &[]).await,
        ),
        (
            "verify-registration",
            api.verify_registration(token, &body).await,
        ),
        ("list-user-passkeys", api.list_passkeys(token).await),
        (
            "update-passkey",
            api.update_passkey(token, &passkey.id, "Renamed").await,
        ),
        (
            "delete-passkey",
            api.delete_passkey(token, &passkey.id).await,
        ),
    ];
    for (route, reply) in replies {
        reply
            .expect_error(401, "UNAUTHORIZED")
            .map_err(|e| e.context(route.to_string()))?;
    }
    Ok(())
}

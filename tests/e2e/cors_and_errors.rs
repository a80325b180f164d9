//! HTTP plumbing: media type, malformed and incomplete bodies, unknown routes, and CORS for the
//! configured origins only.

use anyhow::{ensure, Context, Result};
use reqwest::Method;
use serde_json::json;

use crate::api::{Reply, BASE_PATH};
use crate::authenticator::SoftKey;
use crate::fixtures::Ctx;

crate::cases![
    a_post_without_a_json_content_type_is_unsupported_media_type,
    malformed_json_is_a_bad_request,
    missing_or_mistyped_fields_are_validation_errors_naming_the_field,
    an_unknown_authenticator_attachment_is_a_validation_error,
    unknown_routes_and_wrong_methods_are_json_not_found,
    a_preflight_from_an_allowed_origin_is_allowed_with_credentials,
    answers_to_an_allowed_origin_carry_cors_and_expose_set_auth_token,
    an_unlisted_origin_gets_no_cors_headers,
    a_client_over_the_rate_limit_is_told_to_retry_later,
];

const POST_ROUTES: [&str; 4] = [
    "verify-registration",
    "verify-authentication",
    "update-passkey",
    "delete-passkey",
];

async fn a_post_without_a_json_content_type_is_unsupported_media_type(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    for route in POST_ROUTES {
        let path = format!("{BASE_PATH}/passkey/{route}");
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            let mut headers = vec![("authorization", format!("Bearer {}", user.token))];
            headers.extend(content_type.map(|c| ("content-type", c.to_string())));
            let body = Some(json!({"id": "x", "name": "y"}).to_string());
            let reply = ctx.api.raw(Method::POST, &path, &headers, body).await;
            reply
                .expect_error(415, "UNSUPPORTED_MEDIA_TYPE")
                .context(route)?;
        }
    }
    Ok(())
}

async fn malformed_json_is_a_bad_request(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    for route in POST_ROUTES {
        for body in ["{", "{\"id\": }", "not json", ""] {
            let reply = post_text(&ctx, route, Some(&user.token), body).await;
            reply
                .expect_error(400, "BAD_REQUEST")
                .with_context(|| format!("{route} {body:?}"))?;
        }
    }
    Ok(())
}

async fn missing_or_mistyped_fields_are_validation_errors_naming_the_field(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let cases = [
        ("verify-registration", json!({}), "response"),
        ("verify-registration", json!({"response": 42}), "response"),
        ("verify-authentication", json!({}), "response"),
        (
            "verify-authentication",
            json!({"response": [1, 2]}),
            "response",
        ),
        ("update-passkey", json!({"id": "x"}), "name"),
        ("update-passkey", json!({"name": "x"}), "id"),
        ("update-passkey", json!({"id": 7, "name": "x"}), "id"),
        ("delete-passkey", json!({}), "id"),
        ("delete-passkey", json!({"id": null}), "id"),
    ];
    for (route, body, field) in cases {
        let reply = post_text(&ctx, route, Some(&user.token), &body.to_string()).await;
        reply
            .expect_error(400, "VALIDATION_ERROR")
            .with_context(|| format!("{route} {body}"))?;
        let message = reply.json["message"].as_str().unwrap_or_default();
        ensure!(
            message.contains(field),
            "{route} {body}: message {message:?} lacks {field:?}"
        );
    }
    Ok(())
}

async fn an_unknown_authenticator_attachment_is_a_validation_error(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    for attachment in ["usb", "PLATFORM", "both"] {
        let query = [("authenticatorAttachment", attachment)];
        let reply = ctx.api.register_options(Some(&user.token), &query).await;
        reply
            .expect_error(400, "VALIDATION_ERROR")
            .context(attachment.to_string())?;
        let message = reply.json["message"].as_str().unwrap_or_default();
        ensure!(
            message.contains("authenticatorAttachment"),
            "message {message:?}"
        );
    }
    Ok(())
}

async fn unknown_routes_and_wrong_methods_are_json_not_found(ctx: Ctx) -> Result<()> {
    let cases = [
        (Method::GET, format!("{BASE_PATH}/passkey/no-such-route")),
        (
            Method::POST,
            format!("{BASE_PATH}/passkey/generate-register-options"),
        ),
        (
            Method::GET,
            format!("{BASE_PATH}/passkey/verify-authentication"),
        ),
        (
            Method::DELETE,
            format!("{BASE_PATH}/passkey/delete-passkey"),
        ),
        (Method::GET, format!("{BASE_PATH}/sign-in/email")),
        (Method::GET, format!("{BASE_PATH}/no-such-plugin/route")),
        (Method::GET, BASE_PATH.to_string()),
    ];
    for (method, path) in cases {
        let headers = [("content-type", "application/json".to_string())];
        let reply = ctx
            .api
            .raw(method.clone(), &path, &headers, Some("{}".into()))
            .await;
        reply
            .expect_error(404, "NOT_FOUND")
            .with_context(|| format!("{method} {path}"))?;
    }
    Ok(())
}

async fn a_preflight_from_an_allowed_origin_is_allowed_with_credentials(ctx: Ctx) -> Result<()> {
    for origin in ["http://localhost:3000", "http://localhost:8787"] {
        for route in [
            "verify-authentication",
            "list-user-passkeys",
            "update-passkey",
        ] {
            let reply = preflight(&ctx, route, origin).await;
            ensure!(
                (200..300).contains(&reply.status),
                "preflight {route}: {}",
                reply.status
            );
            expect_cors_for(&reply, origin)?;
            let methods = reply
                .header("access-control-allow-methods")
                .unwrap_or_default();
            ensure!(
                methods.contains("POST") && methods.contains("GET"),
                "methods {methods:?}"
            );
            let allowed = reply
                .header("access-control-allow-headers")
                .unwrap_or_default();
            let allowed = allowed.to_ascii_lowercase();
            ensure!(
                allowed.contains("authorization") && allowed.contains("content-type"),
                "allowed headers {allowed:?}"
            );
        }
    }
    Ok(())
}

async fn answers_to_an_allowed_origin_carry_cors_and_expose_set_auth_token(ctx: Ctx) -> Result<()> {
    let origin = "http://localhost:3000";
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    ctx.register(&user, &mut key, "Browser").await?;
    let options = ctx.authentication_options(None).await?;
    let assertion = key.assert(&options.challenge).await?;
    let headers = [
        ("origin", origin.to_string()),
        ("content-type", "application/json".into()),
    ];
    let path = format!("{BASE_PATH}/passkey/verify-authentication");
    let body = Some(json!({"response": assertion}).to_string());
    let signed_in = ctx.api.raw(Method::POST, &path, &headers, body).await;
    signed_in.expect_ok::<serde_json::Value>()?;
    expect_cors_for(&signed_in, origin)?;
    let exposed = signed_in
        .header("access-control-expose-headers")
        .unwrap_or_default();
    ensure!(
        exposed.to_ascii_lowercase().contains("set-auth-token"),
        "exposed {exposed:?}"
    );
    // Errors reach the browser too.
    let path = format!("{BASE_PATH}/passkey/list-user-passkeys");
    let refused = ctx
        .api
        .raw(Method::GET, &path, &[("origin", origin.to_string())], None)
        .await;
    refused.expect_error(401, "UNAUTHORIZED")?;
    expect_cors_for(&refused, origin)
}

async fn an_unlisted_origin_gets_no_cors_headers(ctx: Ctx) -> Result<()> {
    for origin in ["https://evil.example", "http://localhost:3001", "null"] {
        let reply = preflight(&ctx, "verify-authentication", origin).await;
        expect_no_cors(&reply, origin)?;
        let path = format!("{BASE_PATH}/passkey/generate-authenticate-options");
        let reply = ctx
            .api
            .raw(Method::GET, &path, &[("origin", origin.to_string())], None)
            .await;
        ensure!(
            reply.status == 200,
            "a plain GET still answers: {}",
            reply.status
        );
        expect_no_cors(&reply, origin)?;
    }
    Ok(())
}

async fn post_text(ctx: &Ctx, route: &str, token: Option<&str>, body: &str) -> Reply {
    let mut headers = vec![("content-type", "application/json".to_string())];
    headers.extend(token.map(|t| ("authorization", format!("Bearer {t}"))));
    let path = format!("{BASE_PATH}/passkey/{route}");
    ctx.api
        .raw(Method::POST, &path, &headers, Some(body.to_string()))
        .await
}

async fn preflight(ctx: &Ctx, route: &str, origin: &str) -> Reply {
    let headers = [
        ("origin", origin.to_string()),
        ("access-control-request-method", "POST".to_string()),
        (
            "access-control-request-headers",
            "authorization,content-type".to_string(),
        ),
    ];
    let path = format!("{BASE_PATH}/passkey/{route}");
    ctx.api.raw(Method::OPTIONS, &path, &headers, None).await
}

fn expect_cors_for(reply: &Reply, origin: &str) -> Result<()> {
    let allow_origin = reply.header("access-control-allow-origin");
    ensure!(
        allow_origin == Some(origin),
        "allow-origin {allow_origin:?}, expected {origin}"
    );
    let credentials = reply.header("access-control-allow-credentials");
    ensure!(
        credentials == Some("true"),
        "allow-credentials {credentials:?}"
    );
    let vary = reply
        .header("vary")
        .unwrap_or_default()
        .to_ascii_lowercase();
    ensure!(vary.contains("origin"), "vary {vary:?}");
    Ok(())
}

fn expect_no_cors(reply: &Reply, origin: &str) -> Result<()> {
    let leaked: Vec<&str> = reply
        .headers
        .keys()
        .map(|name| name.as_str())
        .filter(|name| name.starts_with("access-control-"))
        .collect();
    ensure!(
        leaked.is_empty(),
        "origin {origin} got CORS headers {leaked:?}"
    );
    Ok(())
}

/// The limit of `[[ratelimits]]` in wrangler.toml, per client address and route, per minute.
const RATE_LIMIT: usize = 300;

async fn a_client_over_the_rate_limit_is_told_to_retry_later(ctx: Ctx) -> Result<()> {
    // A client address of its own, so no other test shares its budget.
    let address = format!("rate-limit-test-{}", ctx.new_user().sub);
    let path = format!("{BASE_PATH}/passkey/generate-authenticate-options");
    let headers = [("cf-connecting-ip", address.clone())];
    for attempt in 1..=RATE_LIMIT + 50 {
        let reply = ctx.api.raw(Method::GET, &path, &headers, None).await;
        if reply.status == 429 {
            ensure!(
                attempt > RATE_LIMIT / 2,
                "limited after only {attempt} requests"
            );
            reply.expect_error(429, "TOO_MANY_REQUESTS")?;
            ensure!(
                reply.header("retry-after") == Some("60"),
                "Retry-After missing"
            );
            // Another client is not affected.
            let other = [("cf-connecting-ip", format!("{address}-other"))];
            let reply = ctx.api.raw(Method::GET, &path, &other, None).await;
            ensure!(
                reply.status == 200,
                "another client was limited: {}",
                reply.status
            );
            return Ok(());
        }
        ensure!(reply.status == 200, "attempt {attempt}: {}", reply.status);
    }
    anyhow::bail!(
        "{} requests from one client were never limited",
        RATE_LIMIT + 50
    )
}

//! A passkey (WebAuthn) API for Cloudflare Workers that speaks the HTTP contract of Better
//! Auth's passkey plugin, so Better Auth's own clients work against it unchanged.
//!
//! Users prove who they are with a bearer JWT (the host application's, or a session this
//! service issued after a passkey sign-in), register passkeys, manage them, and sign in with
//! them. Ceremony state lives in Workers KV under its challenge; users and passkeys live in D1.

pub mod app;
pub mod config;
pub mod error;
pub mod http;
pub mod ids;
pub mod log;
pub mod routes;
pub mod store;
pub mod token;
pub mod webauthn;

use worker::{event, Context, Env, Method, Request, Response};

use app::App;
use config::Config;
use error::{ApiError, ApiResult};
use http::Reply;
use log::RequestLog;

/// The routing table: every route, once, below the configured base path.
async fn route(req: Request, app: &App) -> ApiResult<Reply> {
    let path = req.path();
    let Some(route) = path.strip_prefix(app.config.base_path.as_str()) else {
        return Err(ApiError::NotFound);
    };
    match (req.method(), route) {
        (Method::Get, "/passkey/generate-register-options") => {
            routes::registration::options(req, app).await
        }
        (Method::Post, "/passkey/verify-registration") => {
            routes::registration::verify(req, app).await
        }
        (Method::Get, "/passkey/generate-authenticate-options") => {
            routes::authentication::options(req, app).await
        }
        (Method::Post, "/passkey/verify-authentication") => {
            routes::authentication::verify(req, app).await
        }
        (Method::Get, "/passkey/list-user-passkeys") => routes::management::list(req, app).await,
        (Method::Post, "/passkey/update-passkey") => routes::management::update(req, app).await,
        (Method::Post, "/passkey/delete-passkey") => routes::management::delete(req, app).await,
        (Method::Get, "/jwks") => routes::jwks(req, app).await,
        (Method::Get, "/open-api/generate-schema") => routes::openapi(req, app).await,
        (Method::Post, "/dev/token") => routes::development_token(req, app).await,
        _ => Err(ApiError::NotFound),
    }
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let log = RequestLog::start(&req);
    let origin = req.headers().get("origin").ok().flatten();

    let config = match Config::from_lookup(|name| env.var(name).ok().map(|value| value.to_string()))
    {
        Ok(config) => config,
        // Settings hold no secret values (secrets are named, not quoted), so the client may see
        // which one is wrong: it is the operator's to fix.
        Err(error) => return answer_error(&log, ApiError::Misconfigured(error.0), Vec::new()),
    };
    let cors = http::cors_headers(&config, origin.as_deref());

    // Preflights are answered before routing: the routes only know GET and POST.
    if req.method() == Method::Options {
        log.success(204);
        return http::empty_response(204, &http::preflight_headers(&config, origin.as_deref()));
    }

    // The try-it page (static assets) is served only with development tools enabled.
    if config.dev_tools && req.method() == Method::Get && !req.path().starts_with(&config.base_path)
    {
        let asset = env.assets(app::ASSETS_BINDING)?.fetch_request(req).await?;
        if asset.status_code() != 404 {
            return Ok(asset);
        }
        return answer_error(&log, ApiError::NotFound, cors);
    }

    let outcome = async {
        let app = App::new(config, &env, log.started_ms)?;
        app.rate_limit(&env, &req).await?;
        route(req, &app).await
    }
    .await;
    match outcome {
        Ok(reply) => {
            log.success(200);
            let mut headers = cors;
            headers.extend(reply.headers);
            http::json_response(200, &reply.body, &headers)
        }
        Err(error) => answer_error(&log, error, cors),
    }
}

/// Logs an error once and answers it as JSON, with the headers its kind calls for.
fn answer_error(
    log: &RequestLog,
    error: ApiError,
    mut headers: Vec<(&'static str, String)>,
) -> worker::Result<Response> {
    log.failure(&error);
    match error {
        ApiError::Internal(_) | ApiError::Misconfigured(_) => {
            headers.push(("x-request-id", log.request_id.clone()))
        }
        ApiError::TooManyRequests => {
            headers.push(("retry-after", app::RATE_LIMIT_PERIOD_SECS.to_string()))
        }
        _ => {}
    }
    http::json_response(error.status(), &error.body(), &headers)
}

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
pub mod routes;
pub mod store;
pub mod token;
pub mod webauthn;

use worker::{console_log, event, Context, Date, Env, Method, Request, Response};

use app::App;
use config::Config;
use error::{ApiError, ApiResult};
use http::Reply;

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
    let started_ms = Date::now().as_millis();
    let request_id = req
        .headers()
        .get("cf-ray")
        .ok()
        .flatten()
        .or_else(|| ids::random_id(8).ok())
        .unwrap_or_default();
    let method = req.method();
    let path = req.path();
    let origin = req.headers().get("origin").ok().flatten();

    let config = match Config::from_lookup(|name| env.var(name).ok().map(|value| value.to_string()))
    {
        Ok(config) => config,
        Err(error) => {
            // Settings hold no secret values (secrets are named, not quoted), so the client may
            // see which one is wrong: it is the operator's to fix.
            let error = ApiError::Misconfigured(error.0);
            log(
                &request_id,
                &method,
                &path,
                &error_outcome(&error),
                started_ms,
            );
            return http::json_response(error.status(), &error.body(), &[]);
        }
    };
    let cors = http::cors_headers(&config, origin.as_deref());

    // Preflights are answered before routing: the routes only know GET and POST.
    if method == Method::Options {
        let headers = http::preflight_headers(&config, origin.as_deref());
        log(&request_id, &method, &path, &(204, None, None), started_ms);
        return http::empty_response(204, &headers);
    }

    // The try-it page (static assets) is served only with development tools enabled.
    if config.dev_tools && method == Method::Get && !path.starts_with(&config.base_path) {
        let asset = env.assets(app::ASSETS_BINDING)?.fetch_request(req).await?;
        if asset.status_code() != 404 {
            return Ok(asset);
        }
        log(
            &request_id,
            &method,
            &path,
            &error_outcome(&ApiError::NotFound),
            started_ms,
        );
        return http::json_response(404, &ApiError::NotFound.body(), &cors);
    }

    let outcome = match App::new(config, &env, started_ms) {
        Ok(app) => match app.rate_limit(&env, &req, &path).await {
            Ok(()) => route(req, &app).await,
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    match outcome {
        Ok(reply) => {
            log(&request_id, &method, &path, &(200, None, None), started_ms);
            let mut headers = cors;
            headers.extend(reply.headers);
            http::json_response(200, &reply.body, &headers)
        }
        Err(error) => {
            log(
                &request_id,
                &method,
                &path,
                &error_outcome(&error),
                started_ms,
            );
            let mut headers = cors;
            match error {
                ApiError::Internal(_) | ApiError::Misconfigured(_) => {
                    headers.push(("x-request-id", request_id.clone()))
                }
                ApiError::TooManyRequests => {
                    headers.push(("retry-after", app::RATE_LIMIT_PERIOD_SECS.to_string()))
                }
                _ => {}
            }
            http::json_response(error.status(), &error.body(), &headers)
        }
    }
}

/// Status, code and (for internal and verification failures) the cause, for the log line.
type Outcome<'a> = (u16, Option<&'static str>, Option<&'a str>);

fn error_outcome(error: &ApiError) -> Outcome<'_> {
    (error.status(), Some(error.code()), error.log_detail())
}

/// One structured line per request. Never challenges, client data, tokens, keys or addresses.
fn log(request_id: &str, method: &Method, path: &str, outcome: &Outcome<'_>, started_ms: u64) {
    let (status, code, detail) = outcome;
    let line = serde_json::json!({
        "requestId": request_id,
        "method": method.to_string(),
        "route": path,
        "status": status,
        "code": code,
        "detail": detail,
        "durationMs": Date::now().as_millis().saturating_sub(started_ms),
    });
    console_log!("{line}");
}

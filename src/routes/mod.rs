//! Route handlers. Each parses its input, calls the domain, and maps the result to a reply.

pub mod authentication;
pub mod management;
pub mod registration;

use worker::Request;

use crate::app::App;
use crate::error::ApiResult;
use crate::http::Reply;

/// How long verifiers may cache the JWKS. Retired keys stay published far longer (see README).
const JWKS_MAX_AGE_SECS: u32 = 600;

/// `GET /jwks`: the public keys that verify session tokens.
pub async fn jwks(_req: Request, app: &App) -> ApiResult<Reply> {
    Ok(Reply::json(app.config.session.keys.jwks()).with_header(
        "cache-control",
        format!("public, max-age={JWKS_MAX_AGE_SECS}"),
    ))
}

//! Route handlers. Each parses its input, calls the domain, and maps the result to a reply.

pub mod authentication;
pub mod management;
pub mod registration;

use serde_json::json;
use worker::Request;

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::http::{Body, Reply};
use crate::token;

/// How long verifiers may cache the JWKS. Retired keys stay published far longer (see README).
const JWKS_MAX_AGE_SECS: u32 = 600;

/// `GET /jwks`: the public keys that verify session tokens.
pub async fn jwks(_req: Request, app: &App) -> ApiResult<Reply> {
    Ok(Reply::json(app.config.session.keys.jwks()).with_header(
        "cache-control",
        format!("public, max-age={JWKS_MAX_AGE_SECS}"),
    ))
}

/// `POST /dev/token` `{sub, email, name}` (only with `DEV_TOOLS=enabled`): a host token for the
/// try-it page, signed with the first HS256 host issuer's secret.
pub async fn development_token(mut req: Request, app: &App) -> ApiResult<Reply> {
    if !app.config.dev_tools {
        return Err(ApiError::NotFound);
    }
    let mut body = Body::read(&mut req).await?;
    let user_id = body.required_str("sub")?;
    let email = body.required_str("email")?;
    let name = body.required_str("name")?;
    if user_id.trim().is_empty() {
        return Err(ApiError::Validation("sub must not be empty".into()));
    }
    let token = token::mint_development_token(&app.config, &user_id, &email, &name, app.now_ms)?
        .ok_or(ApiError::NotFound)?;
    Ok(Reply::json(json!({ "token": token })))
}

/// The OpenAPI 3.1 description of the routes, as written in `openapi.json`.
const OPENAPI: &str = include_str!("openapi.json");

/// `GET /open-api/generate-schema`: the OpenAPI document, with this deployment's base path.
pub async fn openapi(_req: Request, app: &App) -> ApiResult<Reply> {
    let mut document: serde_json::Value =
        serde_json::from_str(OPENAPI).map_err(|e| ApiError::internal("openapi.json", e))?;
    document["servers"] = json!([{ "url": app.config.base_path }]);
    Ok(Reply::json(document))
}

#[cfg(test)]
mod tests {
    use super::OPENAPI;

    #[test]
    fn the_openapi_document_describes_every_route() {
        let document: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        assert_eq!(document["openapi"], "3.1.0");
        for path in [
            "/passkey/generate-register-options",
            "/passkey/verify-registration",
            "/passkey/generate-authenticate-options",
            "/passkey/verify-authentication",
            "/passkey/list-user-passkeys",
            "/passkey/update-passkey",
            "/passkey/delete-passkey",
            "/jwks",
        ] {
            assert!(
                document["paths"].get(path).is_some(),
                "{path} is not described"
            );
        }
    }
}

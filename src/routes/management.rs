//! `list-user-passkeys`, `update-passkey` and `delete-passkey`: the caller's own passkeys only.
//!
//! Ownership is part of every statement's `WHERE`, so another user's passkey is never touched
//! and is indistinguishable from a missing one.

use serde_json::{json, Value};
use worker::Request;

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::http::{Body, Reply};
use crate::webauthn::registration::passkey_name;

/// `GET /passkey/list-user-passkeys`: one D1 read.
pub async fn list(req: Request, app: &App) -> ApiResult<Reply> {
    let principal = app.principal(&req)?;
    let passkeys = app.db.passkeys_of(&principal.user_id).await?;
    Ok(Reply::json(Value::Array(
        passkeys.iter().map(|row| row.to_wire()).collect(),
    )))
}

/// `POST /passkey/update-passkey` `{id, name}`: one D1 write.
pub async fn update(mut req: Request, app: &App) -> ApiResult<Reply> {
    let principal = app.principal(&req)?;
    let mut body = Body::read(&mut req).await?;
    let id = body.required_str("id")?;
    let name = passkey_name(&body.required_str("name")?).map_err(ApiError::Validation)?;
    let renamed = app
        .db
        .rename_passkey(&id, &principal.user_id, &name)
        .await?;
    let passkey = renamed.ok_or(ApiError::PasskeyNotFound { status: 404 })?;
    Ok(Reply::json(json!({ "passkey": passkey.to_wire() })))
}

/// `POST /passkey/delete-passkey` `{id}`: one D1 write.
pub async fn delete(mut req: Request, app: &App) -> ApiResult<Reply> {
    let principal = app.principal(&req)?;
    let mut body = Body::read(&mut req).await?;
    let id = body.required_str("id")?;
    if !app.db.delete_passkey(&id, &principal.user_id).await? {
        return Err(ApiError::PasskeyNotFound { status: 404 });
    }
    Ok(Reply::json(json!({ "status": true })))
}

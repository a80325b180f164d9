//! `generate-register-options` and `verify-registration`.

use worker::Request;

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::http::{self, Body, Reply};
use crate::ids::random_id;
use crate::store::{Claim, Guarded, PasskeyRow};
use crate::webauthn::registration::{self, KnownCredential, RegistrationRequest};
use crate::webauthn::{self, wire, CeremonyState};
use webauthn_rs_core::proto::AuthenticatorAttachment;

/// Bytes in a new user's WebAuthn user handle.
const USER_HANDLE_BYTES: usize = 32;

/// `GET /passkey/generate-register-options`: one D1 batch (user upsert and their passkeys),
/// one KV write.
pub async fn options(req: Request, app: &App) -> ApiResult<Reply> {
    let principal = app.principal(&req)?;
    let attachment = match http::query(&req, "authenticatorAttachment").as_deref() {
        None | Some("") => None,
        Some("platform") => Some(AuthenticatorAttachment::Platform),
        Some("cross-platform") => Some(AuthenticatorAttachment::CrossPlatform),
        Some(_) => {
            let message = "authenticatorAttachment must be platform or cross-platform";
            return Err(ApiError::Validation(message.into()));
        }
    };
    let requested_name = http::query(&req, "name").filter(|name| !name.trim().is_empty());

    let new_handle = random_id(USER_HANDLE_BYTES)?;
    let (user, passkeys) = app
        .db
        .upsert_user_with_passkeys(&principal, &new_handle, &app.now_iso())
        .await?;
    let user_name = requested_name
        .or_else(|| user.email.clone())
        .unwrap_or(user.id.clone());
    let display_name = user
        .name
        .clone()
        .or_else(|| user.email.clone())
        .unwrap_or(user_name.clone());
    let existing: Vec<KnownCredential> = passkeys
        .iter()
        .map(|row| KnownCredential {
            id: row.credential_id.clone(),
            transports: row.transport_list(),
        })
        .collect();

    let request = RegistrationRequest {
        user_id: &user.id,
        user_handle: &user.user_handle,
        user_name: &user_name,
        display_name: &display_name,
        attachment,
        existing: &existing,
    };
    let config = &app.config;
    let rp = webauthn::relying_party(config);
    let (options, challenge, state) = registration::registration_options(
        &rp,
        &config.rp_name,
        &config.rp_id,
        &request,
        app.now_ms,
    )
    .map_err(|e| ApiError::internal("registration options", e))?;
    app.challenges.save(&challenge, &state).await?;
    Ok(Reply::json(options))
}

/// `POST /passkey/verify-registration`: one KV read, one D1 read, one D1 batch.
pub async fn verify(mut req: Request, app: &App) -> ApiResult<Reply> {
    let principal = app.principal(&req)?;
    let mut body = Body::read(&mut req).await?;
    let response =
        webauthn::credential_json(body.required("response")?).map_err(ApiError::Validation)?;
    let name = body
        .optional_str("name")?
        .map(|name| registration::passkey_name(&name))
        .transpose()
        .map_err(ApiError::Validation)?;

    let challenge = wire::challenge_of(&response).ok_or(ApiError::ChallengeNotFound)?;
    let Some(CeremonyState::Registration {
        user_id,
        expires_at_ms,
        state,
        ..
    }) = app.challenges.find(&challenge, app.now_ms).await?
    else {
        return Err(ApiError::ChallengeNotFound);
    };
    if user_id != principal.user_id {
        return Err(ApiError::NotAllowedToRegister);
    }
    let credential_id = registration::checked_credential_id(&response, &app.config.allowed_origins)
        .map_err(ApiError::RegistrationFailed)?;
    // Before verifying: core would refuse a credential of `excludeCredentials` with its own,
    // less precise error.
    let lookup = app
        .db
        .registration_lookup(&challenge, &credential_id)
        .await?;
    if lookup.challenge_used() {
        return Err(ApiError::ChallengeNotFound);
    }
    if lookup.credential_taken() {
        return Err(ApiError::PreviouslyRegistered);
    }
    let rp = webauthn::relying_party(&app.config);
    let credential = registration::verify_registration(&rp, response, &state)
        .map_err(ApiError::RegistrationFailed)?;

    let row = PasskeyRow::registered(random_id(16)?, user_id, credential, name, app.now_iso());
    let claim = Claim {
        challenge: &challenge,
        request_nonce: &random_id(16)?,
        expires_at_ms,
        now_ms: app.now_ms,
    };
    match app.db.consume_and_register(&claim, &row).await? {
        Guarded::Done => app.challenges.forget(&challenge).await,
        Guarded::ChallengeUsed => return Err(ApiError::ChallengeNotFound),
        Guarded::Conflict => return Err(ApiError::PreviouslyRegistered),
    }
    Ok(Reply::json(row.to_wire()))
}

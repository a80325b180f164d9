//! `generate-authenticate-options` and `verify-authentication`.

use serde_json::json;
use worker::Request;

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::http::{Body, Reply};
use crate::ids::{iso_time, random_id};
use crate::store::{Claim, Guarded};
use crate::token;
use crate::webauthn::authentication::{self, Assertion, StoredCredential};
use crate::webauthn::registration::KnownCredential;
use crate::webauthn::{self, wire, CeremonyState};

/// `GET /passkey/generate-authenticate-options`: one KV write, plus one D1 read with a bearer.
pub async fn options(req: Request, app: &App) -> ApiResult<Reply> {
    let principal = app.optional_principal(&req)?;
    let known: Vec<KnownCredential> = match &principal {
        Some(principal) => app
            .db
            .passkeys_of(&principal.user_id)
            .await?
            .iter()
            .map(|row| KnownCredential {
                id: row.credential_id.clone(),
                transports: row.transport_list(),
            })
            .collect(),
        None => Vec::new(),
    };
    let bound = principal
        .as_ref()
        .map(|principal| (principal.user_id.as_str(), known.as_slice()));
    let rp = webauthn::relying_party(&app.config);
    let (options, challenge, state) =
        authentication::authentication_options(&rp, &app.config.rp_id, bound, app.now_ms)
            .map_err(|e| ApiError::internal("authentication options", e))?;
    app.challenges.save(&challenge, &state).await?;
    Ok(Reply::json(options))
}

/// `POST /passkey/verify-authentication`: one KV read, one D1 read, one D1 batch.
pub async fn verify(mut req: Request, app: &App) -> ApiResult<Reply> {
    let mut body = Body::read(&mut req).await?;
    let response =
        webauthn::credential_json(body.required("response")?).map_err(ApiError::Validation)?;

    let challenge = wire::challenge_of(&response).ok_or(ApiError::ChallengeNotFound)?;
    let Some(CeremonyState::Authentication {
        user_id: bound_user,
        expires_at_ms,
        state,
    }) = app.challenges.find(&challenge, app.now_ms).await?
    else {
        return Err(ApiError::ChallengeNotFound);
    };
    let assertion = Assertion::parse(response, &app.config.allowed_origins)
        .map_err(ApiError::AuthenticationFailed)?;
    let (challenge_used, passkey) = app
        .db
        .sign_in_lookup(&challenge, &assertion.credential_id())
        .await?;
    if challenge_used {
        return Err(ApiError::ChallengeNotFound);
    }
    let passkey = passkey.ok_or(ApiError::PasskeyNotFound { status: 401 })?;
    if bound_user
        .as_ref()
        .is_some_and(|bound| *bound != passkey.user_id)
    {
        return Err(ApiError::AuthenticationFailed(
            "credential of another account".into(),
        ));
    }
    let owner = passkey
        .owner()
        .ok_or_else(|| ApiError::internal("sign-in lookup", "owner columns missing"))?;
    assertion
        .check_user_handle(&owner.user_handle, bound_user.is_some())
        .map_err(ApiError::AuthenticationFailed)?;

    let stored = StoredCredential {
        credential_id: wire::decode_b64url(&passkey.credential_id).unwrap_or_default(),
        public_key: passkey.public_key.clone(),
        counter: passkey.counter as u32,
        backup_eligible: passkey.backup_eligible != 0.0,
        backed_up: passkey.backed_up != 0.0,
        user_verified: passkey.user_verified != 0.0,
    };
    let rp = webauthn::relying_party(&app.config);
    let outcome = assertion
        .verify(&rp, &state, &stored)
        .map_err(ApiError::AuthenticationFailed)?;

    let claim = Claim {
        challenge: &challenge,
        request_nonce: &random_id(16)?,
        expires_at_ms,
        now_ms: app.now_ms,
    };
    let now = app.now_iso();
    let recorded = app
        .db
        .consume_and_record_sign_in(
            &claim,
            &passkey,
            outcome.counter,
            outcome.backup_eligible,
            outcome.backed_up,
            &now,
        )
        .await?;
    match recorded {
        Guarded::Done => app.challenges.forget(&challenge).await,
        Guarded::ChallengeUsed => return Err(ApiError::ChallengeNotFound),
        Guarded::Conflict => {
            return Err(ApiError::AuthenticationFailed(
                "counter changed concurrently".into(),
            ))
        }
    }

    let session_id = random_id(16)?;
    let issued = token::issue_session(&app.config.session, &owner.id, &session_id, app.now_ms)?;
    let session = json!({
        "id": session_id,
        "token": issued.token,
        "userId": owner.id,
        "expiresAt": iso_time(issued.expires_at_ms),
        "createdAt": now,
        "updatedAt": now,
        "ipAddress": req.headers().get("cf-connecting-ip").ok().flatten(),
        "userAgent": req.headers().get("user-agent").ok().flatten(),
    });
    Ok(
        Reply::json(json!({ "session": session, "user": owner.to_wire() }))
            .with_header("set-auth-token", issued.token),
    )
}

//! The one error type of the API and its mapping to the contract's status codes and `code`s.
//!
//! Variants name the client's situation, never the internal cause: an internal failure carries
//! its cause only so that it can be logged once, and the client sees a fixed message.

use std::fmt;

/// Everything a route can answer other than success.
#[derive(Debug)]
pub enum ApiError {
    /// The challenge is unknown, expired, already used, or of the other ceremony.
    ChallengeNotFound,
    /// The bearer is not the user the registration challenge was issued to.
    NotAllowedToRegister,
    /// The attestation did not verify; the detail is for the log only.
    RegistrationFailed(String),
    /// The credential id is already registered (to anyone).
    PreviouslyRegistered,
    /// At sign-in: no such credential. On management routes: not found or not the caller's.
    PasskeyNotFound { status: u16 },
    /// The assertion did not verify; the detail is for the log only.
    AuthenticationFailed(String),
    /// No bearer token, or one that does not verify. Every token failure looks the same.
    Unauthorized,
    /// A field is missing or has the wrong type or value; the message names it.
    Validation(String),
    /// The body is not valid JSON, or too large.
    BadRequest(String),
    /// A POST without `Content-Type: application/json`.
    UnsupportedMediaType,
    /// No such route or method.
    NotFound,
    /// Over the rate limit; retry after the limiter's period.
    TooManyRequests,
    /// The operator's configuration is missing or malformed; the message names the setting.
    Misconfigured(String),
    /// A bug or a platform failure: logged with its cause, answered with a fixed message.
    Internal(String),
}

impl ApiError {
    /// Wraps an internal failure, keeping its cause for the log.
    pub fn internal(context: &str, cause: impl fmt::Display) -> Self {
        ApiError::Internal(format!("{context}: {cause}"))
    }

    /// The HTTP status the contract gives this error.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::ChallengeNotFound
            | ApiError::RegistrationFailed(_)
            | ApiError::PreviouslyRegistered
            | ApiError::Validation(_)
            | ApiError::BadRequest(_) => 400,
            ApiError::NotAllowedToRegister
            | ApiError::AuthenticationFailed(_)
            | ApiError::Unauthorized => 401,
            ApiError::PasskeyNotFound { status } => *status,
            ApiError::NotFound => 404,
            ApiError::UnsupportedMediaType => 415,
            ApiError::TooManyRequests => 429,
            ApiError::Misconfigured(_) | ApiError::Internal(_) => 500,
        }
    }

    /// The contract's machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::ChallengeNotFound => "CHALLENGE_NOT_FOUND",
            ApiError::NotAllowedToRegister => "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY",
            ApiError::RegistrationFailed(_) => "FAILED_TO_VERIFY_REGISTRATION",
            ApiError::PreviouslyRegistered => "PREVIOUSLY_REGISTERED",
            ApiError::PasskeyNotFound { .. } => "PASSKEY_NOT_FOUND",
            ApiError::AuthenticationFailed(_) => "AUTHENTICATION_FAILED",
            ApiError::Unauthorized => "UNAUTHORIZED",
            ApiError::Validation(_) => "VALIDATION_ERROR",
            ApiError::BadRequest(_) => "BAD_REQUEST",
            ApiError::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ApiError::NotFound => "NOT_FOUND",
            ApiError::TooManyRequests => "TOO_MANY_REQUESTS",
            ApiError::Misconfigured(_) | ApiError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The human-readable message sent to the client. Never contains internal detail.
    pub fn message(&self) -> String {
        match self {
            ApiError::ChallengeNotFound => "Challenge not found".into(),
            ApiError::NotAllowedToRegister => "You are not allowed to register this passkey".into(),
            ApiError::RegistrationFailed(_) => "Failed to verify registration".into(),
            ApiError::PreviouslyRegistered => "Previously registered".into(),
            ApiError::PasskeyNotFound { .. } => "Passkey not found".into(),
            ApiError::AuthenticationFailed(_) => "Authentication failed".into(),
            ApiError::Unauthorized => "Unauthorized".into(),
            ApiError::Validation(message) | ApiError::BadRequest(message) => message.clone(),
            ApiError::UnsupportedMediaType => "Content-Type must be application/json".into(),
            ApiError::NotFound => "Not found".into(),
            ApiError::TooManyRequests => "Too many requests".into(),
            ApiError::Misconfigured(setting) => format!("Service misconfigured: {setting}"),
            ApiError::Internal(_) => "Internal server error".into(),
        }
    }

    /// What the log line says about the cause, when there is more than the code.
    pub fn log_detail(&self) -> Option<&str> {
        match self {
            ApiError::RegistrationFailed(detail)
            | ApiError::AuthenticationFailed(detail)
            | ApiError::Misconfigured(detail)
            | ApiError::Internal(detail) => Some(detail),
            _ => None,
        }
    }

    /// The JSON body `{ "message", "code" }`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "message": self.message(), "code": self.code() })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.status())
    }
}

/// Platform calls (KV, D1, secrets) fail as `worker::Error`; to the client they are internal.
impl From<worker::Error> for ApiError {
    fn from(error: worker::Error) -> Self {
        ApiError::internal("platform", error)
    }
}

/// Shorthand for a route's result.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_leak_their_cause() {
        let error = ApiError::internal("d1", "table passkeys has no column secret_sauce");
        assert_eq!(error.status(), 500);
        let body = error.body().to_string();
        assert!(!body.contains("secret_sauce"), "{body}");
        assert_eq!(
            error.log_detail(),
            Some("d1: table passkeys has no column secret_sauce")
        );
    }

    #[test]
    fn a_configuration_error_names_the_setting() {
        let error = ApiError::Misconfigured("RP_ID is not set".into());
        assert_eq!(error.status(), 500);
        assert_eq!(
            error.body()["message"],
            "Service misconfigured: RP_ID is not set"
        );
        assert_eq!(error.body()["code"], "INTERNAL_SERVER_ERROR");
    }

    #[test]
    fn a_foreign_passkey_is_a_404_on_management_and_a_401_at_sign_in() {
        assert_eq!(ApiError::PasskeyNotFound { status: 404 }.status(), 404);
        assert_eq!(ApiError::PasskeyNotFound { status: 401 }.status(), 401);
        assert_eq!(
            ApiError::PasskeyNotFound { status: 404 }.code(),
            "PASSKEY_NOT_FOUND"
        );
    }

    #[test]
    fn validation_messages_reach_the_client() {
        let error = ApiError::Validation("name must be 1 to 255 characters".into());
        assert_eq!(error.status(), 400);
        assert_eq!(error.body()["message"], "name must be 1 to 255 characters");
        assert_eq!(error.body()["code"], "VALIDATION_ERROR");
    }

    #[test]
    fn every_token_failure_is_the_same_401() {
        assert_eq!(ApiError::Unauthorized.status(), 401);
        assert_eq!(ApiError::Unauthorized.body()["message"], "Unauthorized");
    }
}

//! One structured JSON line per request: route, status, code, duration, request id.
//!
//! Never challenges, client data, signatures, tokens, keys or addresses: the line holds the
//! path (never the query), the outcome, and for internal and verification failures their cause.

use worker::{console_log, Date, Method, Request};

use crate::error::ApiError;
use crate::ids;

/// A request being answered, and when it started.
pub struct RequestLog {
    pub request_id: String,
    method: Method,
    path: String,
    pub started_ms: u64,
}

impl RequestLog {
    /// Starts the entry; the request id is Cloudflare's `cf-ray` when present.
    pub fn start(req: &Request) -> Self {
        let request_id = req.headers().get("cf-ray").ok().flatten();
        RequestLog {
            request_id: request_id
                .or_else(|| ids::random_id(8).ok())
                .unwrap_or_default(),
            method: req.method(),
            path: req.path(),
            started_ms: Date::now().as_millis(),
        }
    }

    /// Writes the line for a successful answer.
    pub fn success(&self, status: u16) {
        self.write(status, None);
    }

    /// Writes the line for an error answer.
    pub fn failure(&self, error: &ApiError) {
        self.write(error.status(), Some(error));
    }

    fn write(&self, status: u16, error: Option<&ApiError>) {
        let line = serde_json::json!({
            "requestId": self.request_id,
            "method": self.method.to_string(),
            "route": self.path,
            "status": status,
            "code": error.map(ApiError::code),
            "detail": error.and_then(ApiError::log_detail),
            "durationMs": Date::now().as_millis().saturating_sub(self.started_ms),
        });
        console_log!("{line}");
    }
}

//! HTTP plumbing: JSON bodies in, JSON replies out, CORS, bearer extraction.
//!
//! The boundary between bytes and typed values: bodies are size-checked before parsing, and
//! every field is read through `Body`, whose errors name the field.

use serde_json::{Map, Value};
use worker::{Headers, Request, Response};

use crate::config::Config;
use crate::error::{ApiError, ApiResult};

/// Larger bodies are refused unread. A registration response is a few kilobytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A successful answer: status 200, a JSON body, and any extra headers.
pub struct Reply {
    pub body: Value,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json(body: Value) -> Self {
        Reply {
            body,
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// A JSON object body, read field by field.
pub struct Body(Map<String, Value>);

impl Body {
    /// Reads a JSON object body: 415 without a JSON content type, 400 when too large or
    /// malformed.
    pub async fn read(req: &mut Request) -> ApiResult<Body> {
        let content_type = req
            .headers()
            .get("content-type")
            .ok()
            .flatten()
            .unwrap_or_default();
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case("application/json") {
            return Err(ApiError::UnsupportedMediaType);
        }
        let declared = req.headers().get("content-length").ok().flatten();
        if declared
            .and_then(|len| len.parse::<usize>().ok())
            .unwrap_or(0)
            > MAX_BODY_BYTES
        {
            return Err(ApiError::BadRequest("Request body is too large".into()));
        }
        let text = req
            .text()
            .await
            .map_err(|_| ApiError::BadRequest("Unreadable body".into()))?;
        Body::parse(&text)
    }

    /// Parses body text (size-checked again: `content-length` may be absent).
    pub fn parse(text: &str) -> ApiResult<Body> {
        if text.len() > MAX_BODY_BYTES {
            return Err(ApiError::BadRequest("Request body is too large".into()));
        }
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(Body(map)),
            Ok(_) => Err(ApiError::BadRequest(
                "Request body must be a JSON object".into(),
            )),
            Err(_) => Err(ApiError::BadRequest(
                "Request body is not valid JSON".into(),
            )),
        }
    }

    /// A field that must be present and not null.
    pub fn required(&mut self, field: &str) -> ApiResult<Value> {
        match self.0.remove(field) {
            Some(Value::Null) | None => Err(ApiError::Validation(format!("{field} is required"))),
            Some(value) => Ok(value),
        }
    }

    /// A string field that must be present.
    pub fn required_str(&mut self, field: &str) -> ApiResult<String> {
        match self.required(field)? {
            Value::String(text) => Ok(text),
            _ => Err(ApiError::Validation(format!("{field} must be a string"))),
        }
    }

    /// A string field that may be absent or null.
    pub fn optional_str(&mut self, field: &str) -> ApiResult<Option<String>> {
        match self.0.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(ApiError::Validation(format!("{field} must be a string"))),
        }
    }
}

/// The bearer token, if the request carries an `Authorization: Bearer` header.
pub fn bearer(req: &Request) -> Option<String> {
    let header = req.headers().get("authorization").ok().flatten()?;
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// A query parameter, if present.
pub fn query(req: &Request, name: &str) -> Option<String> {
    let url = req.url().ok()?;
    let value = url
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned());
    value
}

/// CORS headers for a request from `origin`: only an exactly allowed origin gets any.
pub fn cors_headers(config: &Config, origin: Option<&str>) -> Vec<(&'static str, String)> {
    match origin {
        Some(origin) if config.allows_origin(origin) => vec![
            ("access-control-allow-origin", origin.to_owned()),
            ("access-control-allow-credentials", "true".into()),
            ("access-control-expose-headers", "set-auth-token".into()),
            ("vary", "Origin".into()),
        ],
        // The answer still depends on the origin, so caches must key on it.
        _ => vec![("vary", "Origin".into())],
    }
}

/// The answer to a CORS preflight.
pub fn preflight_headers(config: &Config, origin: Option<&str>) -> Vec<(&'static str, String)> {
    let mut headers = cors_headers(config, origin);
    if headers.len() > 1 {
        headers.push(("access-control-allow-methods", "GET, POST, OPTIONS".into()));
        headers.push((
            "access-control-allow-headers",
            "Authorization, Content-Type".into(),
        ));
        headers.push(("access-control-max-age", "86400".into()));
    }
    headers
}

/// Builds a JSON response with the given status and headers.
pub fn json_response(
    status: u16,
    body: &Value,
    extra: &[(&'static str, String)],
) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "application/json")?;
    for (name, value) in extra {
        headers.append(name, value)?;
    }
    Ok(Response::ok(body.to_string())?
        .with_status(status)
        .with_headers(headers))
}

/// Builds a response without a body (preflights).
pub fn empty_response(status: u16, extra: &[(&'static str, String)]) -> worker::Result<Response> {
    let headers = Headers::new();
    for (name, value) in extra {
        headers.append(name, value)?;
    }
    Ok(Response::empty()?.with_status(status).with_headers(headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_names_the_missing_field() {
        let mut body = Body::parse(r#"{"name": "Laptop"}"#).unwrap();
        let error = body.required_str("id").unwrap_err();
        assert_eq!(error.code(), "VALIDATION_ERROR");
        assert!(error.message().contains("id"));
    }

    #[test]
    fn a_mistyped_field_is_a_validation_error_naming_it() {
        let mut body = Body::parse(r#"{"id": 5}"#).unwrap();
        let error = body.required_str("id").unwrap_err();
        assert_eq!(error.message(), "id must be a string");
    }

    #[test]
    fn malformed_json_and_non_objects_are_bad_requests() {
        for text in ["{", "[1]", "\"x\"", ""] {
            assert_eq!(
                Body::parse(text).err().unwrap().code(),
                "BAD_REQUEST",
                "{text}"
            );
        }
    }

    #[test]
    fn an_oversized_body_is_refused_before_parsing() {
        let text = format!("{{\"x\":\"{}\"}}", "a".repeat(MAX_BODY_BYTES));
        assert_eq!(
            Body::parse(&text).err().unwrap().message(),
            "Request body is too large"
        );
    }

    #[test]
    fn an_optional_null_is_absent() {
        let mut body = Body::parse(r#"{"name": null}"#).unwrap();
        assert_eq!(body.optional_str("name").unwrap(), None);
        assert_eq!(body.optional_str("missing").unwrap(), None);
    }
}

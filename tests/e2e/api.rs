//! A typed client for the seven routes and the JWKS, and the contract's JSON shapes as structs.
//! Every call returns the raw [`Reply`] so tests can check status, headers and exact JSON; the
//! `expect_*` helpers turn a reply into a contract type or an asserted error.

use anyhow::{ensure, Context, Result};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// Where the routes live (the default `BASE_PATH`).
pub const BASE_PATH: &str = "/api/auth";

/// One HTTP answer: status, headers, the body as text and (when it is JSON) as a value.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    /// A header's value as text (`None` when absent).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a 200 with a JSON body, and decodes it into `T`.
    pub fn expect_ok<T: DeserializeOwned>(&self) -> Result<T> {
        ensure!(
            self.status == 200,
            "expected 200, got {}: {}",
            self.status,
            self.text
        );
        self.expect_json_content_type()?;
        serde_json::from_value(self.json.clone())
            .with_context(|| format!("decoding a 200 body: {}", self.text))
    }

    /// Asserts the contract's error answer: this status, `{"message": non-empty, "code": code}`.
    pub fn expect_error(&self, status: u16, code: &str) -> Result<()> {
        ensure!(
            self.status == status && self.json["code"] == code,
            "expected {status} {code}, got {}: {}",
            self.status,
            self.text
        );
        self.expect_json_content_type()?;
        let message = self.json["message"].as_str().unwrap_or_default();
        ensure!(
            !message.is_empty(),
            "error without a message: {}",
            self.text
        );
        Ok(())
    }

    /// Asserts the `Content-Type` is JSON (the contract requires it on every answer).
    pub fn expect_json_content_type(&self) -> Result<()> {
        let content_type = self.header("content-type").unwrap_or_default();
        ensure!(
            content_type.starts_with("application/json"),
            "content-type is {content_type:?}, not JSON (status {})",
            self.status
        );
        Ok(())
    }
}

/// The HTTP client for one running Worker.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base_url: String,
}

impl Api {
    pub fn new(base_url: &str) -> Self {
        Api {
            http: reqwest::Client::new(),
            base_url: base_url.to_string(),
        }
    }

    /// `GET /passkey/generate-register-options` with optional query pairs.
    pub async fn register_options(&self, token: Option<&str>, query: &[(&str, &str)]) -> Reply {
        let path = format!("/passkey/generate-register-options{}", query_string(query));
        self.call(Method::GET, &path, token, None).await
    }

    /// `POST /passkey/verify-registration` with `body` as JSON.
    pub async fn verify_registration(&self, token: Option<&str>, body: &Value) -> Reply {
        let path = "/passkey/verify-registration";
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// `GET /passkey/generate-authenticate-options`, with or without a bearer.
    pub async fn authenticate_options(&self, token: Option<&str>) -> Reply {
        let path = "/passkey/generate-authenticate-options";
        self.call(Method::GET, path, token, None).await
    }

    /// `POST /passkey/verify-authentication` with `body` as JSON (no bearer).
    pub async fn verify_authentication(&self, body: &Value) -> Reply {
        let path = "/passkey/verify-authentication";
        self.call(Method::POST, path, None, Some(body)).await
    }

    /// `GET /passkey/list-user-passkeys`.
    pub async fn list_passkeys(&self, token: Option<&str>) -> Reply {
        self.call(Method::GET, "/passkey/list-user-passkeys", token, None)
            .await
    }

    /// `POST /passkey/update-passkey` `{id, name}`.
    pub async fn update_passkey(&self, token: Option<&str>, id: &str, name: &str) -> Reply {
        let body = json!({"id": id, "name": name});
        self.call(Method::POST, "/passkey/update-passkey", token, Some(&body))
            .await
    }

    /// `POST /passkey/delete-passkey` `{id}`.
    pub async fn delete_passkey(&self, token: Option<&str>, id: &str) -> Reply {
        let body = json!({"id": id});
        self.call(Method::POST, "/passkey/delete-passkey", token, Some(&body))
            .await
    }

    /// `GET /api/auth/jwks`.
    pub async fn jwks(&self) -> Reply {
        self.call(Method::GET, "/jwks", None, None).await
    }

    /// A JSON call to `BASE_PATH` + `path`.
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut headers = vec![];
        if let Some(token) = token {
            headers.push(("authorization", format!("Bearer {token}")));
        }
        let body = body.map(|b| {
            headers.push(("content-type", "application/json".to_string()));
            b.to_string()
        });
        self.raw(method, &format!("{BASE_PATH}{path}"), &headers, body)
            .await
    }

    /// Any request to the server, with exactly the given headers and body.
    pub async fn raw(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Option<String>,
    ) -> Reply {
        let url = format!("{}{path_and_query}", self.base_url);
        match self.try_raw(method, path_and_query, headers, body).await {
            Ok(reply) => reply,
            Err(error) => panic!("no answer from {url}: {error:#}"),
        }
    }

    /// Like [`Api::raw`], with a transport failure as an error instead of a panic.
    pub async fn try_raw(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Option<String>,
    ) -> Result<Reply> {
        let mut request = self
            .http
            .request(method, format!("{}{path_and_query}", self.base_url));
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            headers,
            text,
            json,
        })
    }
}

fn query_string(query: &[(&str, &str)]) -> String {
    let pairs: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

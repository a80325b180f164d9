//! What one request works with: its configuration, storage handles, clock and caller.

use worker::{Env, Request};

use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::store::{Challenges, Db};
use crate::token::{self, Principal};

/// Binding names, declared once (see `wrangler.toml`).
pub const KV_BINDING: &str = "CHALLENGES";
pub const D1_BINDING: &str = "DB";
pub const ASSETS_BINDING: &str = "ASSETS";
pub const RATE_LIMITER_BINDING: &str = "RATE_LIMITER";

/// Seconds a limited client should wait: the limiter's period (`wrangler.toml`).
pub const RATE_LIMIT_PERIOD_SECS: u32 = 60;

/// The request's context, handed to every route.
pub struct App {
    pub config: Config,
    pub db: Db,
    pub challenges: Challenges,
    /// The request's clock, read once: milliseconds since the epoch.
    pub now_ms: u64,
}

impl App {
    /// Binds storage; `config` was read first so its errors name the setting.
    pub fn new(config: Config, env: &Env, now_ms: u64) -> ApiResult<Self> {
        Ok(App {
            config,
            db: Db::new(env.d1(D1_BINDING)?),
            challenges: Challenges::new(env.kv(KV_BINDING)?),
            now_ms,
        })
    }

    /// The caller, from a required bearer token.
    pub fn principal(&self, req: &Request) -> ApiResult<Principal> {
        let token = http::bearer(req).ok_or(ApiError::Unauthorized)?;
        token::verify_bearer(&token, &self.config, self.now_ms)
    }

    /// The caller when a bearer is sent; a bearer that does not verify is still refused.
    pub fn optional_principal(&self, req: &Request) -> ApiResult<Option<Principal>> {
        match http::bearer(req) {
            Some(token) => token::verify_bearer(&token, &self.config, self.now_ms).map(Some),
            None => Ok(None),
        }
    }

    /// Counts this request against its client's budget for its path; refuses it when spent.
    /// Clients are told apart by `CF-Connecting-IP`, which Cloudflare sets (the address is used
    /// as a key only, never logged). Counts are per location and approximate.
    pub async fn rate_limit(&self, env: &Env, req: &Request) -> ApiResult<()> {
        let client = req.headers().get("cf-connecting-ip").ok().flatten();
        let key = format!("{}|{}", req.path(), client.as_deref().unwrap_or("unknown"));
        let outcome = env.rate_limiter(RATE_LIMITER_BINDING)?.limit(key).await?;
        if outcome.success {
            Ok(())
        } else {
            Err(ApiError::TooManyRequests)
        }
    }

    /// Now, as the contract writes dates.
    pub fn now_iso(&self) -> String {
        crate::ids::iso_time(self.now_ms)
    }
}

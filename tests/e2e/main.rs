//! End-to-end tests of the passkey Worker against the real runtime.
//!
//! `main` starts one `wrangler dev` (fresh state, migrations applied, this run's keys), runs every
//! test as a libtest trial named as a sentence, then stops the server. Each test makes its own
//! users, so tests run in parallel and in any order. Run with `cargo test --test e2e`.

mod api;
mod authenticator;
mod contract;
mod fixtures;
mod server;
mod shapes;
mod tokens;

mod cors_and_errors;
mod management;
mod registration;
mod registration_refusals;
mod sign_in;
mod sign_in_refusals;
mod token_checks;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use libtest_mimic::{Arguments, Failed, Trial};

use fixtures::Ctx;
use tokens::{random_bytes, RunKeys};

/// One test's body.
pub type TestFn = fn(Ctx) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// A named test: `module::sentence_of_what_must_hold`.
pub struct Case {
    pub name: String,
    pub run: TestFn,
}

/// Lists a module's async test functions as [`Case`]s named after the module and the function.
#[macro_export]
macro_rules! cases {
    ($($test:ident),* $(,)?) => {
        pub fn cases() -> Vec<$crate::Case> {
            let module = module_path!().rsplit("::").next().unwrap_or_default();
            vec![$($crate::Case {
                name: format!("{module}::{}", stringify!($test)),
                run: |ctx| Box::pin($test(ctx)),
            }),*]
        }
    };
}

/// The longest one test may take before it counts as hung.
const TEST_LIMIT: Duration = Duration::from_secs(180);

fn main() -> ExitCode {
    let mut args = Arguments::from_args();
    args.test_threads.get_or_insert(4);
    let cases: Vec<Case> = [
        registration::cases(),
        registration_refusals::cases(),
        management::cases(),
        token_checks::cases(),
        sign_in::cases(),
        sign_in_refusals::cases(),
        cors_and_errors::cases(),
    ]
    .into_iter()
    .flatten()
    .collect();

    let context: Arc<OnceLock<Result<Ctx, String>>> = Arc::new(OnceLock::new());
    let runtime = Arc::new(tokio::runtime::Runtime::new().expect("a tokio runtime"));
    let mut server = None;
    if !args.list && cases.iter().any(|case| selected(&args, &case.name)) {
        let keys = RunKeys::generate();
        let android_origin = format!("android:apk-key-hash:{}", tokens_b64(&random_bytes::<32>()));
        let mut vars = keys.worker_vars();
        let origins = format!("http://localhost:8787,http://localhost:3000,{android_origin}");
        vars.push(("ALLOWED_ORIGINS".into(), origins));
        // Hermetic: a developer's .dev.vars may enable the try-it page; this run never does.
        vars.push(("DEV_TOOLS".into(), "disabled".into()));
        let started = server::DevServer::start(env!("CARGO_MANIFEST_DIR").as_ref(), &vars);
        let ctx = match started {
            Ok(dev) => {
                let ctx = Ctx {
                    api: api::Api::new(&dev.base_url),
                    keys: Arc::new(keys),
                    android_origin,
                };
                let warm = runtime.block_on(warm_up(&ctx.api));
                server = Some(dev);
                warm.map(|()| ctx)
            }
            Err(error) => Err(format!("{error:#}")),
        };
        if let Err(error) = &ctx {
            eprintln!("the Worker is not usable, every test fails: {error}");
        }
        let _ = context.set(ctx);
    }

    let trials = cases
        .into_iter()
        .map(|case| {
            let (context, runtime) = (context.clone(), runtime.clone());
            Trial::test(case.name, move || {
                let ctx = match context.get() {
                    Some(Ok(ctx)) => ctx.clone(),
                    Some(Err(error)) => return Err(Failed::from(error.as_str())),
                    None => return Err(Failed::from("the Worker was not started")),
                };
                let outcome = runtime.block_on(async move {
                    tokio::time::timeout(TEST_LIMIT, (case.run)(ctx)).await
                });
                match outcome {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(error)) => Err(Failed::from(format!("{error:#}"))),
                    Err(_) => Err(Failed::from(format!("no outcome after {TEST_LIMIT:?}"))),
                }
            })
        })
        .collect();

    let conclusion = libtest_mimic::run(&args, trials);
    if let Some(mut dev) = server {
        if conclusion.has_failed() {
            eprintln!("--- wrangler dev output (tail) ---\n{}", dev.output_tail());
        }
        dev.stop();
    }
    conclusion.exit_code()
}

/// Whether libtest's name filter (if any) selects `name`.
fn selected(args: &Arguments, name: &str) -> bool {
    let skipped = args.skip.iter().any(|skip| name.contains(skip.as_str()));
    let matched = match &args.filter {
        None => true,
        Some(filter) if args.exact => name == filter,
        Some(filter) => name.contains(filter.as_str()),
    };
    matched && !skipped
}

fn tokens_b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Waits (bounded) until the Worker answers a plain request with something other than a 5xx:
/// the first request after start loads the module.
async fn warm_up(api: &api::Api) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let path = format!("{}/jwks", api::BASE_PATH);
        let outcome = match api.try_raw(reqwest::Method::GET, &path, &[], None).await {
            Ok(reply) if reply.status < 500 => return Ok(()),
            Ok(reply) => format!("it keeps answering {}: {}", reply.status, reply.text),
            Err(error) => format!("it does not answer: {error:#}"),
        };
        if tokio::time::Instant::now() > deadline {
            return Err(outcome);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

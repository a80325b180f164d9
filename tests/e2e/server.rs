//! One real `wrangler dev` for the whole run: a fresh state folder with the migrations applied,
//! per-run secrets and issuer keys given as `--var`, its own process group, and a watchdog shell
//! that takes the group down when this test process goes away, however it goes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// How long a start may take: every start runs the `[build]` step, and a cold one compiles the
/// Worker to wasm (seen taking over nine minutes on two busy cores).
const STARTUP_LIMIT: Duration = Duration::from_secs(900);

/// The watchdog: starts the server in the background, then polls both the test process and the
/// server. When either is gone it takes the whole process group down, itself included. It ignores
/// SIGTERM only after the server has started, so the server keeps the default disposition.
/// (`kill -SIG -PGID` without `--`: dash's built-in kill refuses `--`.)
const WATCHDOG: &str = r#"
parent="$1"; shift
"$@" &
server=$!
trap '' TERM
while kill -0 "$parent" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 1; done
kill -TERM -$$ 2>/dev/null
sleep 3
kill -KILL -$$ 2>/dev/null
"#;

/// A running `wrangler dev`, stopped on drop.
pub struct DevServer {
    child: Child,
    state_dir: PathBuf,
    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub base_url: String,
}

impl DevServer {
    /// Applies the migrations to a fresh state folder, then starts `wrangler dev` with `vars`
    /// (each `(name, value)` becomes `--var name:value`) and waits until it says it is ready.
    pub fn start(project_dir: &Path, vars: &[(String, String)]) -> Result<Self> {
        let state_dir = fresh_state_dir()?;
        let state = state_dir
            .to_str()
            .context("state folder path is not UTF-8")?;
        let out_path = state_dir.join("wrangler.out");

        let migrate = Command::new("npx")
            .args([
                "wrangler",
                "d1",
                "migrations",
                "apply",
                "DB",
                "--local",
                "--persist-to",
            ])
            .arg(state)
            .current_dir(project_dir)
            .envs(wrangler_env(&state_dir))
            .stdin(Stdio::null())
            .output()
            .context("running `npx wrangler d1 migrations apply`")?;
        if !migrate.status.success() {
            bail!(
                "migrations failed ({}):\n{}\n{}",
                migrate.status,
                String::from_utf8_lossy(&migrate.stdout),
                String::from_utf8_lossy(&migrate.stderr)
            );
        }

        let mut command = Command::new("sh");
        command
            .args(["-c", WATCHDOG, "watchdog"])
            .arg(std::process::id().to_string())
            .args(["npx", "wrangler", "dev", "--ip", "127.0.0.1", "--port", "0"])
            .args(["--inspector-port", "0", "--persist-to", state]);
        for (name, value) in vars {
            command.arg("--var").arg(format!("{name}:{value}"));
        }
        let out = fs::File::create(&out_path)?;
        let child = std::os::unix::process::CommandExt::process_group(&mut command, 0)
            .current_dir(project_dir)
            .envs(wrangler_env(&state_dir))
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .context("spawning wrangler dev")?;

        let mut server = DevServer {
            child,
            state_dir,
            base_url: String::new(),
        };
        server.base_url = server.wait_until_ready(&out_path)?;
        Ok(server)
    }

    /// Polls the server's output for its `Ready on` line, failing early if the server exits.
    fn wait_until_ready(&mut self, out_path: &Path) -> Result<String> {
        let started = Instant::now();
        loop {
            let output = fs::read_to_string(out_path).unwrap_or_default();
            if let Some(port) = ready_port(&output) {
                eprintln!(
                    "wrangler dev ready in {:.1?} on port {port}",
                    started.elapsed()
                );
                return Ok(format!("http://127.0.0.1:{port}"));
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "wrangler dev exited ({status}) before it was ready:\n{}",
                    tail(&output)
                );
            }
            if started.elapsed() > STARTUP_LIMIT {
                bail!(
                    "wrangler dev was not ready after {STARTUP_LIMIT:?}:\n{}",
                    tail(&output)
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// The server's combined output so far (for diagnosing a failed run).
    pub fn output_tail(&self) -> String {
        tail(&fs::read_to_string(self.state_dir.join("wrangler.out")).unwrap_or_default())
    }

    /// Stops the process group (by its id, which is the watchdog's pid) and removes the state.
    pub fn stop(&mut self) {
        let group = format!("-{}", self.child.id());
        signal_group("-TERM", &group);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        signal_group("-KILL", &group);
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.state_dir);
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

fn signal_group(signal: &str, group: &str) {
    let _ = Command::new("kill")
        .args([signal, "--", group])
        .stderr(Stdio::null())
        .status();
}

/// Environment for every wrangler call: no network look-ups, logs inside the state folder.
fn wrangler_env(state_dir: &Path) -> Vec<(String, String)> {
    vec![
        ("CLOUDFLARE_CF_FETCH_ENABLED".into(), "false".into()),
        (
            "WRANGLER_LOG_PATH".into(),
            state_dir.join("logs").display().to_string(),
        ),
        ("WRANGLER_SEND_METRICS".into(), "false".into()),
        ("CI".into(), "true".into()),
        ("NO_COLOR".into(), "1".into()),
    ]
}

fn fresh_state_dir() -> Result<PathBuf> {
    let mut suffix = [0u8; 8];
    os_random::getrandom(&mut suffix)?;
    let hex: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    let dir = std::env::temp_dir().join(format!("passkey-api-e2e-{hex}"));
    fs::create_dir_all(dir.join("logs"))?;
    Ok(dir)
}

/// Finds the port in wrangler's `Ready on http://127.0.0.1:<port>` line.
fn ready_port(output: &str) -> Option<u16> {
    const MARKER: &str = "Ready on http://127.0.0.1:";
    let rest = &output[output.find(MARKER)? + MARKER.len()..];
    let end = rest.find(|c: char| !c.is_ascii_digit())?; // the line may still be half written
    rest[..end].parse().ok().filter(|port| *port != 0)
}

fn tail(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

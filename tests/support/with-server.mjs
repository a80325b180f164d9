// Runs a command against a fresh, real `wrangler dev` (workerd, local KV, local D1 with the
// migrations applied), then stops the server.
//
//   node tests/support/with-server.mjs [--origin http://localhost:PORT]... -- <command> [args...]
//
// The server listens on 127.0.0.1 on a free port, with a fresh state folder and fresh keys, and
// with DEV_TOOLS enabled (the try-it page). The command gets API_URL (e.g. http://127.0.0.1:41234),
// API_ORIGIN (http://localhost:<same port>, an allowed origin), HOST_ISSUER, HOST_AUDIENCE and
// HOST_HS256_SECRET (to mint host tokens), and RP_ID in its environment. `--origin` adds allowed
// origins. The server runs in its own process group, killed by PID when the command ends or
// this process is interrupted; it also stops by itself if this process dies.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const separator = process.argv.indexOf("--");
if (separator < 0 || separator === process.argv.length - 1) {
  console.error("usage: with-server.mjs [--origin URL]... -- <command> [args...]");
  process.exit(2);
}
const options = process.argv.slice(2, separator);
const command = process.argv.slice(separator + 1);
const extraOrigins = options.filter((_, i) => options[i - 1] === "--origin");

const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
const baseOrigins = toml.match(/^ALLOWED_ORIGINS = "(.*)"$/m)[1];
const state = mkdtempSync(join(tmpdir(), "passkey-api-"));
const secret = randomBytes(64).toString("base64url");
const issuer = "http://localhost:3000";
const audience = "passkey-api";
const wrangler = join(root, "node_modules/.bin/wrangler");
const env = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_LOG_PATH: join(state, "logs"),
};

// A free port chosen here rather than `--port 0`, so the Worker's own origin is known in advance
// and can be allowed: the try-it page it serves runs ceremonies on that origin.
const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const ownOrigin = `http://localhost:${port}`;

const migrate = spawnSync(
  wrangler,
  ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state],
  { cwd: root, env, stdio: ["ignore", "ignore", "inherit"] },
);
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const vars = {
  SESSION_SIGNING_KEY: randomBytes(32).toString("base64url"),
  HOST_HS256_SECRET: secret,
  ALLOWED_ORIGINS: [baseOrigins, ownOrigin, ...extraOrigins].join(","),
  DEV_TOOLS: "enabled",
  HOST_ISSUERS: JSON.stringify([{ iss: issuer, aud: audience, alg: "HS256", secret: "HOST_HS256_SECRET" }]),
};
const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", "0", "--persist-to", state];
for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);

// The watchdog shell keeps the server's group alive only as long as this process lives.
const script = `"$@" & child=$!; while kill -0 ${process.pid} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; kill -- -$$ 2>/dev/null`;
const server = spawn("sh", ["-c", script, "sh", wrangler, ...args], {
  cwd: root,
  env,
  detached: true,
  stdio: ["ignore", "pipe", "pipe"],
});
let stopped = false;
const stop = () => {
  if (stopped) return;
  stopped = true;
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {}
  rmSync(state, { recursive: true, force: true });
};
process.on("SIGINT", () => (stop(), process.exit(130)));
process.on("SIGTERM", () => (stop(), process.exit(143)));

const url = await new Promise((resolve, reject) => {
  let output = "";
  const timer = setTimeout(() => reject(new Error(`wrangler dev did not start:\n${output}`)), 600_000);
  const watch = (chunk) => {
    output += chunk;
    const ready = output.match(/Ready on (http:\/\/127\.0\.0\.1:\d+)/);
    if (ready) {
      clearTimeout(timer);
      resolve(ready[1]);
    }
  };
  server.stdout.on("data", watch);
  server.stderr.on("data", watch);
  server.on("exit", () => reject(new Error(`wrangler dev exited:\n${output}`)));
}).catch((error) => {
  console.error(error.message);
  stop();
  process.exit(1);
});

const child = spawn(command[0], command.slice(1), {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    API_URL: url,
    API_ORIGIN: ownOrigin,
    HOST_ISSUER: issuer,
    HOST_AUDIENCE: audience,
    HOST_HS256_SECRET: secret,
    RP_ID: "localhost",
  },
});
child.on("exit", (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 1 : 0));
});

// Writes .dev.vars (git-ignored): the local development secrets and switches, adding only the
// ones that are missing, so existing keys (and the passkeys and sessions made with them) stay.
//   SESSION_SIGNING_KEY  the service's Ed25519 session key (base64url 32-byte seed)
//   HOST_HS256_SECRET    the key of the local "host application" issuer (scripts/mint-token.mjs)
//   DEV_TOOLS=enabled    serves the try-it page at / and its development-token route
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const path = new URL("../.dev.vars", import.meta.url);
const current = existsSync(path) ? readFileSync(path, "utf8") : "";
const wanted = {
  SESSION_SIGNING_KEY: () => randomBytes(32).toString("base64url"),
  HOST_HS256_SECRET: () => randomBytes(64).toString("base64url"),
  DEV_TOOLS: () => "enabled",
};
const missing = Object.keys(wanted).filter((name) => !new RegExp(`^${name}=`, "m").test(current));
if (missing.length === 0) {
  console.log(".dev.vars is complete; keeping it");
} else {
  const header = current ? "" : "# Local development only, made by scripts/dev-keys.mjs. Never commit.\n";
  const separator = current && !current.endsWith("\n") ? "\n" : "";
  const lines = missing.map((name) => `${name}=${wanted[name]()}\n`).join("");
  writeFileSync(path, current + separator + header + lines, { mode: 0o600 });
  console.log(`.dev.vars: added ${missing.join(", ")}`);
}

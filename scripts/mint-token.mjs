// Mints a host-application bearer token for the local development configuration: HS256 with
// HOST_HS256_SECRET from .dev.vars, issuer and audience as in wrangler.toml's HOST_ISSUERS.
//
//   node scripts/mint-token.mjs <user id> <email> <name> [lifetime seconds, default 3600]
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

const [sub, email, name, ttl = "3600"] = process.argv.slice(2);
if (!sub || !email || !name) {
  console.error("usage: node scripts/mint-token.mjs <user id> <email> <name> [lifetime seconds]");
  process.exit(2);
}

const read = (file) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
const secret = read(".dev.vars").match(/^HOST_HS256_SECRET=(.+)$/m)?.[1];
if (!secret) {
  console.error("no HOST_HS256_SECRET in .dev.vars: run the README's run command once first");
  process.exit(1);
}
const issuers = JSON.parse(read("wrangler.toml").match(/^HOST_ISSUERS = '(.*)'$/m)[1]);
const issuer = issuers.find((entry) => entry.alg === "HS256" && entry.secret === "HOST_HS256_SECRET");

const now = Math.floor(Date.now() / 1000);
const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const header = encode({ alg: "HS256", typ: "JWT" });
const claims = encode({
  iss: issuer.iss, aud: issuer.aud, sub, email, name, iat: now, nbf: now, exp: now + Number(ttl),
});
const signature = createHmac("sha256", secret).update(`${header}.${claims}`).digest("base64url");
console.log(`${header}.${claims}.${signature}`);

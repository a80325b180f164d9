// Mints a host-application bearer token for the local development configuration: HS256 with
// HOST_HS256_SECRET from .dev.vars, issuer and audience as in wrangler.toml's HOST_ISSUERS.
// The environment variables HOST_HS256_SECRET, HOST_ISSUER and HOST_AUDIENCE, when all set,
// take their place (the test servers of tests/support/with-server.mjs announce theirs so).
//
//   node scripts/mint-token.mjs <user id> <email> <name> [lifetime seconds, default 3600]
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

const [sub, email, name, ttl = "3600"] = process.argv.slice(2);
if (!sub || !email || !name) {
  console.error("usage: node scripts/mint-token.mjs <user id> <email> <name> [lifetime seconds]");
  process.exit(2);
}

/** The HS256 issuer to sign as: from the environment, else from the local configuration. */
function localIssuer() {
  const { HOST_HS256_SECRET: secret, HOST_ISSUER: iss, HOST_AUDIENCE: aud } = process.env;
  if (secret && iss && aud) return { secret, iss, aud };

  const read = (file) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
  const devSecret = read(".dev.vars").match(/^HOST_HS256_SECRET=(.+)$/m)?.[1];
  if (!devSecret) {
    console.error("no HOST_HS256_SECRET in .dev.vars: run the README's run command once first");
    process.exit(1);
  }
  const issuers = JSON.parse(read("wrangler.toml").match(/^HOST_ISSUERS = '(.*)'$/m)[1]);
  const issuer = issuers.find((entry) => entry.alg === "HS256" && entry.secret === "HOST_HS256_SECRET");
  return { secret: devSecret, iss: issuer.iss, aud: issuer.aud };
}

const { secret, iss, aud } = localIssuer();
const now = Math.floor(Date.now() / 1000);
const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const header = encode({ alg: "HS256", typ: "JWT" });
const claims = encode({ iss, aud, sub, email, name, iat: now, nbf: now, exp: now + Number(ttl) });
const signature = createHmac("sha256", secret).update(`${header}.${claims}`).digest("base64url");
console.log(`${header}.${claims}.${signature}`);

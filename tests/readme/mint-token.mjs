// Mints a host-application token like scripts/mint-token.mjs, with the same arguments, but from
// the environment `tests/support/with-server.mjs` gives (HOST_HS256_SECRET, HOST_ISSUER,
// HOST_AUDIENCE) instead of .dev.vars, so the README's commands run against a test server.
//
//   node tests/readme/mint-token.mjs <user id> <email> <name> [lifetime seconds, default 3600]
import { createHmac } from "node:crypto";

const [sub, email, name, ttl = "3600"] = process.argv.slice(2);
const { HOST_HS256_SECRET: secret, HOST_ISSUER: iss, HOST_AUDIENCE: aud } = process.env;
if (!sub || !email || !name || !secret || !iss || !aud) {
  console.error("usage: HOST_HS256_SECRET=… HOST_ISSUER=… HOST_AUDIENCE=… " +
    "node tests/readme/mint-token.mjs <user id> <email> <name> [lifetime seconds]");
  process.exit(2);
}

const now = Math.floor(Date.now() / 1000);
const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const header = encode({ alg: "HS256", typ: "JWT" });
const claims = encode({ iss, aud, sub, email, name, iat: now, nbf: now, exp: now + Number(ttl) });
const signature = createHmac("sha256", secret).update(`${header}.${claims}`).digest("base64url");
console.log(`${header}.${claims}.${signature}`);

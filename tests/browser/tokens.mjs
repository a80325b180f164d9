// Tokens on both sides of the Worker: host tokens the test mints (as the host application
// would, for a user who signed in some other way), and session tokens the Worker issues, which
// the test checks against the Worker's published JWKS.
import { createHmac, createPublicKey, randomUUID, verify } from "node:crypto";

const b64url = (value) => Buffer.from(value).toString("base64url");
const decodePart = (part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));

/** A fresh user of the host application: unique `sub`, with email and name. */
export function newHostUser() {
  const sub = `browser-${randomUUID()}`;
  return { sub, email: `${sub}@example.test`, name: "Browser Test User" };
}

/** An HS256 host token for `user`, signed with HOST_HS256_SECRET's UTF-8 bytes. */
export function hostToken(user, env = process.env) {
  const iat = Math.floor(Date.now() / 1000);
  const header = { alg: "HS256", typ: "JWT" };
  const claims = {
    iss: env.HOST_ISSUER,
    aud: env.HOST_AUDIENCE,
    sub: user.sub,
    email: user.email,
    name: user.name,
    iat,
    exp: iat + 600,
  };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createHmac("sha256", Buffer.from(env.HOST_HS256_SECRET, "utf8"))
    .update(signingInput)
    .digest("base64url");
  return `${signingInput}.${signature}`;
}

/** Splits a compact JWT into its decoded header and claims; throws when it is not one. */
export function decodeJwt(token) {
  const parts = String(token).split(".");
  if (parts.length !== 3) throw new Error(`not a compact JWT: ${parts.length} parts`);
  return { header: decodePart(parts[0]), claims: decodePart(parts[1]) };
}

/**
 * Checks a session token's signature against the Worker's JWKS (`GET /api/auth/jwks`) and
 * returns its header and claims. Throws when the key is missing or the signature is wrong.
 */
export async function verifySessionToken(apiUrl, token) {
  const { header, claims } = decodeJwt(token);
  const response = await fetch(`${apiUrl}/api/auth/jwks`);
  if (!response.ok) throw new Error(`GET /api/auth/jwks answered ${response.status}`);
  const { keys } = await response.json();
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`no key with kid ${header.kid} in the JWKS`);
  const key = createPublicKey({ key: jwk, format: "jwk" });
  const [h, c, s] = token.split(".");
  const data = Buffer.from(`${h}.${c}`);
  const signature = Buffer.from(s, "base64url");
  let valid;
  if (header.alg === "EdDSA") valid = verify(null, data, key, signature);
  else if (header.alg === "ES256") {
    valid = verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature);
  } else throw new Error(`unexpected session token alg ${header.alg}`);
  if (!valid) throw new Error("the session token's signature does not verify against the JWKS");
  return { header, claims };
}

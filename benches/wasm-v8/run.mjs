// Times each exported step of the wasm build: a fresh input per call (untimed), then the call
// alone, timed with performance.now(). Prints median and p90 in microseconds, then each
// route's steps added up, as the native benchmark does.
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

const bench = createRequire(import.meta.url)(process.argv[2]);
const ITERATIONS = 1000;
const SECTIONS = [
  ["Configuration (once per request)", [
    ["config", "Config::from_lookup (1 HS256 issuer)"],
    ["relying_party", "webauthn::relying_party"],
  ]],
  ["Bearer tokens", [
    ["issue_session", "token::issue_session (EdDSA sign)"],
    ["verify_session", "verify_bearer: session (EdDSA)"],
    ["verify_hs256", "verify_bearer: host HS256"],
    ["verify_eddsa", "verify_bearer: host EdDSA"],
    ["verify_es256", "verify_bearer: host ES256"],
  ]],
  ["Registration", [
    ["registration_options", "registration_options"],
    ["registration_state_out", "registration state → JSON"],
    ["registration_state_in", "registration state ← JSON"],
    ["registration_body", "registration request body text → JSON value"],
    ["registration_wire", "wire: challenge_of + checked_credential_id"],
    ["verify_registration", "verify_registration (ES256, none)"],
  ]],
  ["Sign-in", [
    ["authentication_options", "authentication_options"],
    ["authentication_state_out", "authentication state → JSON"],
    ["authentication_state_in", "authentication state ← JSON"],
    ["authentication_body", "sign-in request body text → JSON value"],
    ["assertion_parse", "Assertion::parse (incl. wire checks)"],
    ["assertion_verify", "Assertion::verify (ES256)"],
  ]],
];
// The same compositions as ROUTES in benches/ceremonies/main.rs.
const ROUTES = [
  ["generate-register-options",
    ["config", "verify_hs256", "relying_party", "registration_options", "registration_state_out"]],
  ["verify-registration", ["config", "verify_hs256", "registration_body", "registration_state_in",
    "registration_wire", "relying_party", "verify_registration"]],
  ["generate-authenticate-options",
    ["config", "relying_party", "authentication_options", "authentication_state_out"]],
  ["verify-authentication", ["config", "authentication_body", "authentication_state_in",
    "assertion_parse", "relying_party", "assertion_verify", "issue_session"]],
];

function time(op) {
  const samples = [];
  for (let i = 0; i < ITERATIONS + ITERATIONS / 10; i++) {
    bench.prepare(op);
    const start = performance.now();
    const ok = bench.run(op);
    const elapsed = (performance.now() - start) * 1000;
    if (!ok) throw new Error(`${op} failed`);
    if (i >= ITERATIONS / 10) samples.push(elapsed);
  }
  samples.sort((a, b) => a - b);
  const at = (fraction) => samples[Math.max(1, Math.ceil(samples.length * fraction)) - 1];
  return { median: at(0.5), p90: at(0.9) };
}

const us = (value) => (value < 10 ? value.toFixed(2) : value.toFixed(1)).padStart(10);
const medians = new Map();
console.log(`wasm in Node ${process.version} (V8 ${process.versions.v8}), ${ITERATIONS} timed calls per row`);
for (const [title, operations] of SECTIONS) {
  console.log(`\n${title}`);
  console.log(`${"operation".padEnd(44)}  ${"median µs".padStart(10)}  ${"p90 µs".padStart(10)}`);
  console.log("-".repeat(68));
  for (const [op, name] of operations) {
    const { median, p90 } = time(op);
    medians.set(op, median);
    console.log(`${name.padEnd(44)}  ${us(median)}  ${us(p90)}`);
  }
}
console.log("\nPer route: sum of its steps' medians (HS256 host bearer where one is needed)");
console.log(`${"route".padEnd(44)}  ${"µs".padStart(10)}`);
console.log("-".repeat(56));
for (const [route, steps] of ROUTES) {
  const total = steps.reduce((sum, op) => sum + medians.get(op), 0);
  console.log(`${route.padEnd(44)}  ${total.toFixed(1).padStart(10)}`);
}

// Browser end-to-end test: Better Auth's own JS client (`better-auth` with `@better-auth/passkey`)
// in headless Chromium, on a page of its own origin, against a real `wrangler dev` Worker on
// another origin, with a CDP virtual authenticator doing the WebAuthn ceremonies.
//
//   node tests/browser/run.mjs        (BROWSER_TEST_LOG=<file> also writes every exchange there)
//
// Run like that, it bundles and serves the page on a free loopback port, then runs itself again
// under tests/support/with-server.mjs with that page origin allowed; the second run (API_URL set)
// holds the tests, in node:test. Everything it starts, it stops.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { addVirtualAuthenticator, authenticatorCredentials, launchBrowser } from "./browser.mjs";
import { jsonBody, recordNetwork } from "./network.mjs";
import { startPageServer } from "./page-server.mjs";
import { hostToken, newHostUser, verifySessionToken } from "./tokens.mjs";
import { defineTryPageTests } from "./try-page.mjs";

const here = new URL(".", import.meta.url).pathname;

if (!process.env.API_URL) await serveAndRunUnderServer();
else if (!process.env.PAGE_ORIGIN) {
  console.error("run tests/browser/run.mjs directly: it starts the page server and the Worker");
  process.exit(2);
} else {
  defineTests(process.env.API_URL, process.env.PAGE_ORIGIN);
  defineTryPageTests(process.env.API_ORIGIN);
}

/** First run: serve the page, then rerun this file under the server wrapper. */
async function serveAndRunUnderServer() {
  const pages = await startPageServer();
  const child = spawn(
    process.execPath,
    [`${here}../support/with-server.mjs`, "--origin", pages.origin, "--",
      process.execPath, `${here}run.mjs`],
    { cwd: `${here}../..`, stdio: "inherit", env: { ...process.env, PAGE_ORIGIN: pages.origin } },
  );
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  const code = await new Promise((resolve) => {
    child.on("exit", (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
  await pages.close();
  process.exit(code);
}

const B64URL = /^[A-Za-z0-9_-]+$/;
const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function defineTests(apiUrl, pageOrigin) {
  const rpId = process.env.RP_ID ?? "localhost";
  let browser, page, authenticatorId, network;
  const user = newHostUser();
  // Filled in as the flow goes; each step builds on the previous one.
  const state = {};

  /** Calls `window.harness[name](...args)` in the page and returns its result. */
  const call = (name, ...args) =>
    page.evaluate(([n, a]) => window.harness[n](...a), [name, args]);

  /** Runs one client call and returns its result plus the exchanges it caused. */
  async function step(name, ...args) {
    const mark = network.length;
    const result = await call(name, ...args);
    await network.settle();
    return { ...result, exchanges: network.since(mark) };
  }

  /** Context for a failed assertion: what the client returned and what went over the wire. */
  const why = (what, result) =>
    `${what}\nclient returned: ` +
    `${JSON.stringify({ data: result.data, error: result.error }, null, 2)}` +
    `\nexchanges: ${JSON.stringify(result.exchanges, null, 2)}`;

  const find = (result, method, route) =>
    result.exchanges.find(
      (e) => e.method === method && e.path.startsWith(`/api/auth/passkey/${route}`),
    );

  /** Checks a Passkey object as the client returned it, and its wire form. */
  function assertPasskey(passkey, wire, expected) {
    for (const p of [passkey, wire]) {
      assert.equal(typeof p.id, "string");
      assert.equal(p.userId, expected.userId ?? p.userId);
      assert.equal(p.credentialID, expected.credentialID);
      assert.match(p.credentialID, B64URL);
      assert.match(p.publicKey, B64);
      assert.equal(typeof p.counter, "number");
      assert.ok(["singleDevice", "multiDevice"].includes(p.deviceType), p.deviceType);
      assert.equal(typeof p.backedUp, "boolean");
      assert.equal(typeof p.transports, "string", "transports is a comma-joined string");
      assert.match(p.aaguid, UUID);
      if (expected.name !== undefined) assert.equal(p.name, expected.name);
    }
    // Better Auth's client turns ISO date strings into Dates; the wire keeps the contract's form.
    assert.match(wire.createdAt, ISO_MS);
  }

  // Bounds the whole run: a ceremony the virtual authenticator never answers must not hang CI.
  const suite = { timeout: 180_000 };
  describe("Better Auth's passkey client in Chromium, against the Worker", suite, () => {
    before(async () => {
      browser = await launchBrowser();
      page = browser.page;
      authenticatorId = await addVirtualAuthenticator(browser.cdp);
      network = await recordNetwork(page, browser.cdp, apiUrl);
      // Refused requests are in the network record already; other page errors are worth seeing.
      page.on("console", (m) => {
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
          console.error(`[page] ${m.text()}`);
        }
      });
      page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
      await page.goto(`${pageOrigin}/?api=${encodeURIComponent(apiUrl)}`);
      await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 15_000 });
    });

    after(async () => {
      // BROWSER_TEST_LOG=<file> keeps the whole exchange record, to report a mismatch exactly.
      if (process.env.BROWSER_TEST_LOG && network) {
        const record = { exchanges: network.all, preflights: network.preflights() };
        writeFileSync(process.env.BROWSER_TEST_LOG, JSON.stringify(record, null, 2));
      }
      await browser?.close();
    });

    it("adds a passkey with the host's bearer token and returns it", async () => {
      await call("setBearer", hostToken(user));
      const result = await step("addPasskey", "Browser laptop");
      assert.equal(result.error, null, why("addPasskey failed", result));

      const options = jsonBody(find(result, "GET", "generate-register-options"));
      assert.equal(options.rp.id, rpId);
      const [credential, ...others] = await authenticatorCredentials(browser.cdp, authenticatorId);
      assert.equal(others.length, 0);
      assert.equal(credential.isResidentCredential, true, "a discoverable credential was made");
      assert.equal(credential.rpId, rpId);

      const wire = jsonBody(find(result, "POST", "verify-registration"));
      assertPasskey(result.data, wire, {
        credentialID: credential.credentialId,
        name: "Browser laptop",
      });
      assert.ok(result.data.transports.split(",").includes("internal"), result.data.transports);
      state.passkey = result.data;
    });

    it("signs in with a discoverable passkey and no token: session and user", async () => {
      assert.ok(state.passkey, "needs the passkey of the first step");
      await call("setBearer", null);
      const result = await step("signIn");
      assert.equal(result.error, null, why("signIn.passkey failed", result));

      const optionsExchange = find(result, "GET", "generate-authenticate-options");
      assert.equal(optionsExchange.requestHeaders.authorization, undefined);
      const options = jsonBody(optionsExchange);
      assert.ok(!options.allowCredentials?.length, "no allowCredentials without a token");
      assert.equal(options.rpId, rpId);

      const { session, user: signedIn } = result.data;
      assert.equal(signedIn.id, state.passkey.userId);
      assert.equal(signedIn.email, user.email);
      assert.equal(signedIn.name, user.name);
      assert.equal(session.userId, signedIn.id);
      const { claims } = await verifySessionToken(apiUrl, session.token);
      assert.equal(claims.sub, signedIn.id);
      assert.equal(claims.sid, session.id);
      assert.ok(claims.exp * 1000 > Date.now(), "the token has not expired");

      // The page's own script read the header: it is exposed to cross-origin callers.
      const seen = result.responses.find((r) => r.path.endsWith("/verify-authentication"));
      assert.equal(seen.setAuthToken, session.token, "set-auth-token readable from JS");
      state.token = session.token;
    });

    it("lists the passkey with the session token as bearer, counter updated", async () => {
      assert.ok(state.token, "needs the session of the sign-in step");
      await call("setBearer", state.token);
      const result = await step("listUserPasskeys");
      assert.equal(result.error, null, why("listUserPasskeys failed", result));
      assert.equal(result.data.length, 1, why("one passkey expected", result));
      const [listed] = result.data;
      const [wire] = jsonBody(find(result, "GET", "list-user-passkeys"));
      assertPasskey(listed, wire, {
        credentialID: state.passkey.credentialID,
        userId: state.passkey.userId,
      });
      assert.equal(listed.id, state.passkey.id);
      const [credential] = await authenticatorCredentials(browser.cdp, authenticatorId);
      assert.equal(listed.counter, credential.signCount, "the stored counter follows the key");
    });

    it("renames the passkey with updatePasskey", async () => {
      assert.ok(state.token && state.passkey, "needs the earlier steps");
      const result = await step("updatePasskey", state.passkey.id, "Renamed in Chromium");
      assert.equal(result.error, null, why("updatePasskey failed", result));
      assert.equal(result.data.passkey.id, state.passkey.id);
      assert.equal(result.data.passkey.name, "Renamed in Chromium");

      const listed = await step("listUserPasskeys");
      const names = listed.data?.map((p) => p.name);
      assert.deepEqual(names, ["Renamed in Chromium"], why("list", listed));
    });

    it("removes the passkey with deletePasskey, leaving an empty list", async () => {
      assert.ok(state.token && state.passkey, "needs the earlier steps");
      const result = await step("deletePasskey", state.passkey.id);
      assert.equal(result.error, null, why("deletePasskey failed", result));
      assert.deepEqual(result.data, { status: true });

      const listed = await step("listUserPasskeys");
      assert.equal(listed.error, null, why("listUserPasskeys failed", listed));
      assert.deepEqual(listed.data, []);
    });

    it("refuses a sign-in with the deleted passkey", async () => {
      assert.ok(state.token, "needs the earlier steps");
      // The authenticator still holds the credential the Worker has forgotten.
      await call("setBearer", null);
      const result = await step("signIn");
      assert.equal(result.data, null, why("the deleted passkey signed in", result));
      assert.equal(result.error.status, 401, why("401 expected", result));
      assert.equal(result.error.code, "PASSKEY_NOT_FOUND", why("PASSKEY_NOT_FOUND", result));
      const seen = result.responses.find((r) => r.path.endsWith("/verify-authentication"));
      assert.equal(seen.setAuthToken, null, "no token on a refused sign-in");
    });

    it("registers again and signs in with an account-bound token (allowCredentials)", async () => {
      assert.ok(state.token, "needs the earlier steps");
      await call("setBearer", state.token);
      const added = await step("addPasskey", "Second key");
      assert.equal(added.error, null, why("addPasskey with a session token failed", added));
      assert.equal(added.data.userId, state.passkey.userId);
      assert.notEqual(added.data.credentialID, state.passkey.credentialID);
      const held = await authenticatorCredentials(browser.cdp, authenticatorId);
      assert.ok(held.some((c) => c.credentialId === added.data.credentialID));

      const result = await step("signIn");
      assert.equal(result.error, null, why("account-bound signIn.passkey failed", result));
      const optionsExchange = find(result, "GET", "generate-authenticate-options");
      assert.equal(optionsExchange.requestHeaders.authorization, `Bearer ${state.token}`);
      const options = jsonBody(optionsExchange);
      assert.deepEqual(
        options.allowCredentials?.map((c) => [c.id, c.type]),
        [[added.data.credentialID, "public-key"]],
        why("allowCredentials should list exactly the user's passkey", result),
      );
      const { session, user: signedIn } = result.data;
      assert.equal(signedIn.id, state.passkey.userId);
      assert.notEqual(session.token, state.token, "a new session");
      await verifySessionToken(apiUrl, session.token);
      const seen = result.responses.find((r) => r.path.endsWith("/verify-authentication"));
      assert.equal(seen.setAuthToken, session.token);

      await call("setBearer", session.token);
      const listed = await step("listUserPasskeys");
      assert.deepEqual(listed.data?.map((p) => p.id), [added.data.id], why("list", listed));
    });

    describe("CORS as the browser enforces it", () => {
      it("answered the page's preflights with its exact origin and credentials allowed", (t) => {
        const preflights = network.preflights();
        assert.ok(preflights.length > 0, "the client's bearer requests need preflights");
        const paths = [...new Set(preflights.map((p) => p.path))];
        t.diagnostic(`${preflights.length} preflights: ${paths.join(" ")}`);
        for (const p of preflights) {
          const context = JSON.stringify(p, null, 2);
          assert.equal(p.failure, undefined, context);
          assert.ok(p.status >= 200 && p.status < 300, context);
          assert.equal(p.headers["access-control-allow-origin"], pageOrigin, context);
          assert.equal(p.headers["access-control-allow-credentials"], "true", context);
          const allowed = (p.headers["access-control-allow-headers"] ?? "").toLowerCase();
          for (const h of p.requestHeaders["access-control-request-headers"]?.split(",") ?? []) {
            assert.ok(allowed.includes(h.trim().toLowerCase()), `${h} not allowed\n${context}`);
          }
          assert.match(p.headers.vary ?? "", /origin/i, context);
        }
      });

      it("answered every request with the page's origin, credentials allowed, and JSON", (t) => {
        assert.ok(network.all.length > 0);
        const lines = network.all.map((e) => `${e.method} ${e.path.split("?")[0]} ${e.status}`);
        t.diagnostic(`${network.all.length} requests: ${lines.join(", ")}`);
        for (const e of network.all) {
          const context = JSON.stringify(e, null, 2);
          assert.equal(e.failure, undefined, context);
          assert.equal(e.headers["access-control-allow-origin"], pageOrigin, context);
          assert.equal(e.headers["access-control-allow-credentials"], "true", context);
          assert.match(e.headers["content-type"], /^application\/json/, context);
          if (e.path.endsWith("/verify-authentication") && e.status === 200) {
            assert.match(e.headers["access-control-expose-headers"], /set-auth-token/i, context);
          }
        }
      });

      it("refuses a page on an origin the Worker does not allow", async () => {
        // The page server also answers on 127.0.0.1, a different origin from localhost.
        const stranger = await browser.context.newPage();
        try {
          const strangerOrigin = pageOrigin.replace("//localhost:", "//127.0.0.1:");
          await stranger.goto(`${strangerOrigin}/?api=${encodeURIComponent(apiUrl)}`);
          await stranger.waitForFunction(() => window.harnessReady === true, null, {
            timeout: 15_000,
          });
          const answers = await stranger.evaluate(() =>
            Promise.all([
              window.harness.rawFetch("/api/auth/passkey/generate-authenticate-options"),
              window.harness.rawFetch("/api/auth/passkey/list-user-passkeys", {
                headers: { authorization: "Bearer not-a-token" },
              }),
            ]),
          );
          for (const answer of answers) assert.equal(answer.ok, false, JSON.stringify(answers));
        } finally {
          await stranger.close();
        }
      });
    });
  });
}

// Debian's Chromium, headless, driven by playwright-core, with a CDP virtual authenticator.
//
// Playwright never downloads a browser here: it starts /usr/bin/chromium (override with
// CHROMIUM). The background-networking flags matter on this machine: without them Chromium
// keeps dialling Google's hosts, and the closed network refuses every attempt.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Starts Chromium with a fresh user-data-dir and opens one page. Returns the page, its CDP
 * session, and `close()`, which stops the browser and removes the profile.
 */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), "passkey-api-chromium-"));
  // launchPersistentContext is Playwright's way to pass --user-data-dir; it refuses the flag.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: 60_000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  return {
    context,
    page,
    cdp,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Adds a CTAP2 platform authenticator (internal transport) that holds resident keys, performs
 * user verification and answers every ceremony without a prompt. Returns its id.
 */
export async function addVirtualAuthenticator(cdp) {
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return authenticatorId;
}

/** The credentials the virtual authenticator holds, with ids as base64url like the wire's. */
export async function authenticatorCredentials(cdp, authenticatorId) {
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  // CDP encodes binary fields as standard base64.
  const toUrl = (b64) => Buffer.from(b64, "base64").toString("base64url");
  return credentials.map((c) => ({ ...c, credentialId: toUrl(c.credentialId) }));
}

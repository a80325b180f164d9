// The try-it page the Worker serves at / (DEV_TOOLS enabled), clicked through in Chromium as a
// newcomer would: development token, register, sign in, rename, delete.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addVirtualAuthenticator, launchBrowser } from "./browser.mjs";

/** Registers the page's tests; `origin` is the Worker's own allowed origin (API_ORIGIN). */
export function defineTryPageTests(origin) {
  let browser, page;

  /** Waits until the log's newest entry is about `path`, and returns its heading. */
  async function waitForLog(path) {
    await page.waitForFunction(
      (p) => document.querySelector("#log li strong")?.textContent.includes(p),
      path,
      { timeout: 15_000 },
    );
    return page.locator("#log li strong").first().textContent();
  }

  describe("the try-it page served by the Worker", { timeout: 120_000 }, () => {
    before(async () => {
      browser = await launchBrowser();
      page = browser.page;
      await addVirtualAuthenticator(browser.cdp);
      await page.goto(`${origin}/`);
    });

    after(async () => {
      await browser?.close();
    });

    it("gets a development token", async () => {
      await page.fill("#token-form input[name=sub]", `page-user-${Date.now()}`);
      await page.click("#token-form button");
      assert.match(await waitForLog("dev/token"), /→ 200$/);
      assert.match(await page.textContent("#token"), /^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    });

    it("registers a passkey and lists it", async () => {
      await page.fill("#register-form input[name=name]", "Page passkey");
      await page.click("#register-form button");
      assert.match(await waitForLog("list-user-passkeys"), /→ 200$/);
      assert.match(await page.textContent("#passkeys"), /Page passkey/);
    });

    it("signs in with it and switches to the session token", async () => {
      const hostToken = await page.textContent("#token");
      await page.click("#sign-in");
      await page.waitForFunction(
        (old) => document.querySelector("#token").textContent !== old,
        hostToken,
        { timeout: 15_000 },
      );
      const sessionToken = await page.textContent("#token");
      const [, claims] = sessionToken.split(".");
      const { sid } = JSON.parse(Buffer.from(claims, "base64url").toString());
      assert.equal(typeof sid, "string", "a session token carries its session id");
    });

    it("renames and deletes the passkey", async () => {
      page.once("dialog", (dialog) => dialog.accept("Renamed on the page"));
      await page.click("#passkeys button:has-text('Rename')");
      await page.waitForFunction(() => /Renamed on the page/.test(document.querySelector("#passkeys").textContent));

      await page.click("#passkeys button:has-text('Delete')");
      await page.waitForFunction(() => document.querySelectorAll("#passkeys li").length === 0);
      const failed = await page.locator("#log .failed").count();
      assert.equal(failed, 0, "no request on the page failed");
    });
  });
}

// The browser side of the end-to-end test: Better Auth's own client with its passkey plugin,
// pointed at the Worker on another origin, with bearer auth. run.mjs bundles this file with
// esbuild, loads it in Chromium and calls the functions on `window.harness`; every call
// returns what the client returned, so the assertions stay in Node.
import { createAuthClient } from "better-auth/client";
import { passkeyClient } from "@better-auth/passkey/client";

const api = new URL(location.href).searchParams.get("api");
if (!api) throw new Error("the page needs ?api=<Worker origin>");

// The bearer token the client sends; null sends no Authorization header at all.
let bearer = null;
// What the page's script could read of each response (cross-origin, so only exposed headers).
let seen = [];

const client = createAuthClient({
  baseURL: `${api}/api/auth`,
  plugins: [passkeyClient()],
  fetchOptions: {
    auth: { type: "Bearer", token: () => bearer },
    onResponse(context) {
      const { response } = context;
      seen.push({
        path: new URL(response.url).pathname,
        status: response.status,
        setAuthToken: response.headers.get("set-auth-token"),
        contentType: response.headers.get("content-type"),
      });
    },
  },
});

/** Runs one client call and returns its result with the responses the page saw meanwhile. */
async function observe(call) {
  seen = [];
  const { data, error } = await call();
  return { data, error, responses: seen };
}

window.harness = {
  setBearer(token) {
    bearer = token;
  },
  addPasskey(name) {
    return observe(() => client.passkey.addPasskey({ name }));
  },
  signIn() {
    return observe(() => client.signIn.passkey());
  },
  listUserPasskeys() {
    return observe(() => client.passkey.listUserPasskeys());
  },
  updatePasskey(id, name) {
    return observe(() => client.passkey.updatePasskey({ id, name }));
  },
  deletePasskey(id) {
    return observe(() => client.passkey.deletePasskey({ id }));
  },
  /** A plain fetch, as a page outside the client would make it, for the CORS checks. */
  async rawFetch(path, init = {}) {
    try {
      const response = await fetch(`${api}${path}`, { credentials: "include", ...init });
      return {
        ok: true,
        status: response.status,
        setAuthToken: response.headers.get("set-auth-token"),
        contentType: response.headers.get("content-type"),
        body: await response.text(),
      };
    } catch (error) {
      // A CORS refusal surfaces as a TypeError with no details, by design of the Fetch spec.
      return { ok: false, error: String(error) };
    }
  },
};
window.harnessReady = true;

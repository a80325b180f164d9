// What went over the wire between the page and the Worker, as Chromium saw it: every request
// and response (Playwright), and the CORS preflights, which only the CDP Network domain shows.
// Assertions read it, and a failing assertion prints it, so a Worker mismatch can be reported
// with the exact exchange.

/** Starts recording the page's traffic to `apiUrl`. */
export async function recordNetwork(page, cdp, apiUrl) {
  const exchanges = [];
  const preflights = new Map();
  const pending = new Set();
  const isApi = (url) => url.startsWith(apiUrl);

  page.on("response", (response) => {
    if (!isApi(response.url())) return;
    const job = (async () => {
      const request = response.request();
      let body = null;
      try {
        body = await response.text();
      } catch {}
      exchanges.push({
        method: request.method(),
        path: new URL(response.url()).pathname + new URL(response.url()).search,
        requestHeaders: await request.allHeaders(),
        requestBody: request.postData(),
        status: response.status(),
        headers: await response.allHeaders(),
        body,
      });
    })();
    pending.add(job);
    job.finally(() => pending.delete(job));
  });
  page.on("requestfailed", (request) => {
    if (!isApi(request.url())) return;
    exchanges.push({
      method: request.method(),
      path: new URL(request.url()).pathname,
      failure: request.failure()?.errorText,
    });
  });

  await cdp.send("Network.enable");
  cdp.on("Network.requestWillBeSent", ({ requestId, request }) => {
    if (request.method !== "OPTIONS" || !isApi(request.url)) return;
    preflights.set(requestId, {
      path: new URL(request.url).pathname,
      requestHeaders: lowerKeys(request.headers),
    });
  });
  cdp.on("Network.responseReceived", ({ requestId, response }) => {
    const preflight = preflights.get(requestId);
    if (!preflight) return;
    Object.assign(preflight, { status: response.status, headers: lowerKeys(response.headers) });
  });
  cdp.on("Network.loadingFailed", ({ requestId, errorText, corsErrorStatus }) => {
    const preflight = preflights.get(requestId);
    if (preflight) Object.assign(preflight, { failure: errorText, corsErrorStatus });
  });

  return {
    /** Waits until every response seen so far has been read. */
    async settle() {
      await Promise.all([...pending]);
    },
    /** Exchanges recorded since `mark` (an earlier `length`). */
    since(mark) {
      return exchanges.slice(mark);
    },
    get length() {
      return exchanges.length;
    },
    all: exchanges,
    preflights: () => [...preflights.values()],
  };
}

function lowerKeys(headers) {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The JSON body of an exchange, or undefined when it has none or it is not JSON. */
export function jsonBody(exchange) {
  try {
    return JSON.parse(exchange.body);
  } catch {
    return undefined;
  }
}

// Bundles page.js with esbuild and serves it, with index.html, from a loopback port.
//
// The page's origin must be `http://localhost:<port>`: the Worker's RP ID is `localhost`, and
// WebAuthn needs a secure context, which localhost is. Chromium may try `::1` before
// `127.0.0.1` for localhost, so the server listens on both loopback addresses, same port.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const root = join(here, "../..");

/** Bundles the page script into a fresh temporary folder and returns its file path. */
function bundle() {
  const outdir = mkdtempSync(join(tmpdir(), "passkey-api-page-"));
  const outfile = join(outdir, "page.js");
  const esbuild = spawnSync(
    join(root, "node_modules/.bin/esbuild"),
    [join(here, "page.js"), "--bundle", "--format=esm", "--platform=browser", "--log-level=warning",
      `--outfile=${outfile}`],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (esbuild.status !== 0) {
    rmSync(outdir, { recursive: true, force: true });
    throw new Error("esbuild could not bundle tests/browser/page.js");
  }
  return { outdir, outfile };
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address().port);
    });
  });
}

/**
 * Starts the page server on a free port. Returns its origin (`http://localhost:<port>`) and a
 * `close()` that stops it and removes the bundle.
 */
export async function startPageServer() {
  const { outdir, outfile } = bundle();
  const files = {
    "/": { type: "text/html; charset=utf-8", body: readFileSync(join(here, "index.html")) },
    "/page.js": { type: "text/javascript; charset=utf-8", body: readFileSync(outfile) },
  };
  const handle = (req, res) => {
    const file = files[new URL(req.url, "http://localhost").pathname];
    if (req.method !== "GET" || !file) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body);
  };

  const v4 = createServer(handle);
  const port = await listen(v4, 0, "127.0.0.1");
  const v6 = createServer(handle);
  // No IPv6 loopback on this machine is fine: Chromium then uses 127.0.0.1.
  const hasV6 = await listen(v6, port, "::1").then(() => true, () => false);

  return {
    origin: `http://localhost:${port}`,
    port,
    async close() {
      const servers = hasV6 ? [v4, v6] : [v4];
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}

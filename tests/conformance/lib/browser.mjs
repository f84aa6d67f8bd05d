// Helpers for the Chromium tests and benchmarks: a tiny static file server on 127.0.0.1 (port 0)
// and a headless Debian Chromium driven by playwright-core (never `npx playwright install`).
import http from 'node:http';
import { createReadStream, statSync, realpathSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.map': 'application/json',
};

/** Serves `mounts` ({ '/url/prefix/': '/dir' }) read-only. Returns { url, close }. */
export async function serve(mounts) {
  const table = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    for (const [prefix, dir] of table) {
      if (!path.startsWith(prefix)) continue;
      const base = realpathSync(dir);
      const file = resolve(base, '.' + sep + path.slice(prefix.length));
      if (file !== base && !file.startsWith(base + sep)) break;
      try {
        if (!statSync(file).isFile()) break;
      } catch {
        break;
      }
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** The chromium executable: $WSPRISM_CHROMIUM, else scripts/setup/chromium.sh (installs with apt if needed). */
export function chromiumPath() {
  if (process.env.WSPRISM_CHROMIUM) return process.env.WSPRISM_CHROMIUM;
  const out = execFileSync('bash', [join(ROOT, 'scripts/setup/chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop();
}

/** Launches headless Chromium with playwright-core from tests/conformance/node_modules. */
export async function launch() {
  const require = createRequire(import.meta.url);
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}

// Shared by the end-to-end tests and bench/capture-browser.mjs: starts www/server.js on a free
// port and launches Debian's Chromium (scripts/setup/chromium.sh; never a downloaded browser)
// with playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumPath() {
  if (process.env.WSPRISM_CHROMIUM) return process.env.WSPRISM_CHROMIUM;
  const out = execFileSync('bash', [path.join(ROOT, 'scripts/setup/chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.trim().split('\n').pop();
}

/** www/server.js on 127.0.0.1, a free port: { url, proc }. */
export async function startServer() {
  const proc = spawn(process.execPath, [path.join(ROOT, 'www/server.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('server did not print its URL: ' + buf)), 20000);
    proc.stdout.on('data', (d) => {
      buf += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(buf);
      if (m) { clearTimeout(t); resolve(m[0]); }
    });
    proc.once('exit', (code) => reject(new Error('server exited with ' + code)));
  });
  proc.stdout.resume();
  return { url, proc };
}

export function launch(extraArgs = []) {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS.concat(extraArgs) });
}

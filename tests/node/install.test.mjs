// Installing the package the way an app elsewhere on the machine would: `npm pack` the
// package (its prepack step bundles the Rust sources into native/), then in a temporary app
// outside the repository `npm init -y && npm install <tarball>`, whose install step builds the
// addon with cargo. Then the app uses it: the RFC 6455 accept key, and (when the ws-style
// classes are in the package) an echo server on 127.0.0.1 with a client.
//
// The cargo build directory is target/install-test in the repository, so a second run only
// relinks (the first one compiles the dependencies: a few minutes on 2 cores).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkgDir = path.join(repo, 'packages', 'wsprism');

function run(cmd, args, opts) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 900_000, ...opts });
}

test('npm pack, then npm install the tarball in an app outside the repo: the addon builds and works', { timeout: 1_200_000 }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wsprism-install-'));
  try {
    const packDir = path.join(tmp, 'pack');
    fs.mkdirSync(packDir);
    run('npm', ['pack', '--pack-destination', packDir], { cwd: pkgDir });
    const tarballs = fs.readdirSync(packDir).filter((f) => /^wsprism-.*\.tgz$/.test(f));
    assert.equal(tarballs.length, 1, `npm pack made ${tarballs}`);
    const tarball = path.join(packDir, tarballs[0]);
    assert.equal(fs.existsSync(path.join(pkgDir, 'native')), false, 'postpack removes native/');

    const listing = run('tar', ['-tzf', tarball]);
    for (const f of ['package/index.js', 'package/index.mjs', 'package/index.d.ts', 'package/scripts/install.js', 'package/native/Cargo.toml', 'package/native/crates/wsprism/src/lib.rs', 'package/native/crates/wsprism-capture/src/lib.rs', 'package/native/crates/wsprism-node/src/lib.rs']) {
      assert.ok(listing.includes(f), `${f} is in the tarball`);
    }
    assert.ok(!/\.node$/m.test(listing), 'no binary in the tarball');

    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    run('npm', ['init', '-y'], { cwd: app });
    const env = { ...process.env, CARGO_TARGET_DIR: path.join(repo, 'target', 'install-test') };
    delete env.WSPRISM_NATIVE;
    run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: app, env });
    assert.ok(fs.existsSync(path.join(app, 'node_modules', 'wsprism', 'build', 'wsprism.node')), 'the install step built the addon');

    const out = run(process.execPath, ['-e', "console.log(require('wsprism').acceptKey('dGhlIHNhbXBsZSBub25jZQ=='))"], { cwd: app });
    assert.equal(out.trim(), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');

    const esm = run(process.execPath, ['--input-type=module', '-e', "import { acceptKey } from 'wsprism'; console.log(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='))"], { cwd: app });
    assert.equal(esm.trim(), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');

    // A server and a client from the installed package, when it has the ws-style classes.
    const echo = `
      const { WebSocketServer, WebSocket, Decoder, Encoder } = require('wsprism');
      if (typeof WebSocketServer !== 'function') {
        // Codec only: a round trip through the installed addon.
        const wire = new Encoder({ role: 'client' }).message('echo: hello');
        console.log(new Decoder({ role: 'server' }).push(wire)[0].data.toString());
        process.exit(0);
      }
      const timer = setTimeout(() => { console.log('timeout'); process.exit(1); }, 20000);
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' }, () => {
        const ws = new WebSocket('ws://127.0.0.1:' + wss.address().port + '/');
        ws.on('open', () => ws.send('hello'));
        ws.on('message', (data) => {
          console.log(data.toString());
          clearTimeout(timer);
          ws.close();
          wss.close();
        });
      });
      wss.on('connection', (sock) => sock.on('message', (data, isBinary) => sock.send('echo: ' + data, { binary: isBinary })));
    `;
    const echoed = run(process.execPath, ['-e', echo], { cwd: app, timeout: 30_000 });
    assert.equal(echoed.trim(), 'echo: hello');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

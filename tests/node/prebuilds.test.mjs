// The prebuilt addons that `npm pack` puts in the tarball (packages/wsprism/prebuilds/, made by
// scripts/build-prebuilds.sh): each one is an ELF shared object for its architecture, linked
// against its C library, stripped, and exports the Node-API entry point. The linux-arm64-gnu one
// is loaded by an arm64 Node under qemu-user-static (scripts/setup/arm64-node.sh) through the
// package's own loader, and encodes, decodes and echoes.
//
// WSPRISM_PREBUILDS lists the targets that must be there (default: x64-gnu, the one the tarball
// test needs); every other prebuilt file present is checked as well, since `npm pack` would ship
// it. scripts/test.d/22-install.sh builds the listed ones first.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = path.join(repo, 'packages', 'wsprism', 'prebuilds');
const present = fs.existsSync(dir)
  ? fs.readdirSync(dir).flatMap((f) => {
      const m = /^wsprism\.linux-(.+)\.node$/.exec(f);
      return m ? [m[1]] : [];
    })
  : [];
const required = (process.env.WSPRISM_PREBUILDS ?? 'x64-gnu').split(/\s+/).filter(Boolean);
const wanted = [...new Set([...required, ...present])];

// What each target's file must say about itself (readelf -h / -d).
const EXPECT = {
  'x64-gnu': { machine: 'Advanced Micro Devices X86-64', libc: 'libc.so.6' },
  'arm64-gnu': { machine: 'AArch64', libc: 'libc.so.6' },
  'x64-musl': { machine: 'Advanced Micro Devices X86-64', libc: 'libc.so' },
};

const readelf = (...args) => execFileSync('readelf', ['-W', ...args], { encoding: 'utf8' });

for (const t of wanted) {
  test(`prebuilds/wsprism.linux-${t}.node: architecture, C library, stripped, napi_register_module_v1`, () => {
    const e = EXPECT[t];
    assert.ok(e, `unknown target ${t}`);
    const file = path.join(dir, `wsprism.linux-${t}.node`);
    assert.ok(fs.existsSync(file), `${file} exists (bash scripts/build-prebuilds.sh ${t})`);

    const header = readelf('-h', file);
    assert.match(header, /Class:\s+ELF64/);
    assert.match(header, /Type:\s+DYN \(Shared object file\)/);
    assert.equal(/Machine:\s+(.*)/.exec(header)[1].trim(), e.machine);

    const needed = [...readelf('-d', file).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    assert.ok(needed.includes(e.libc), `links ${e.libc}: ${needed}`);
    if (t.endsWith('-musl')) assert.ok(!needed.some((n) => /^(libc\.so\.6|ld-linux)/.test(n)), `no glibc: ${needed}`);

    // Defined (not UND), global, a function: the symbol Node-API looks up when loading.
    const syms = readelf('--dyn-syms', file).split('\n').filter((l) => /\snapi_register_module_v1$/.test(l));
    assert.equal(syms.length, 1, syms.join('\n'));
    assert.match(syms[0], /\sFUNC\s+GLOBAL\s+DEFAULT\s+\d+\s/);

    // Stripped: no symbol table beyond the dynamic one, no debug sections.
    const sections = readelf('-S', file);
    assert.ok(!/\]\s+\.symtab\s/.test(sections), 'no .symtab');
    assert.ok(!/\]\s+\.debug_/.test(sections), 'no .debug_* sections');
  });
}

if (wanted.includes('arm64-gnu')) {
  test('linux-arm64-gnu under qemu-user-static: an arm64 Node loads it through the package loader; codec round trip and echo', { timeout: 600_000 }, () => {
    const runner = execFileSync('bash', [path.join(repo, 'scripts', 'setup', 'arm64-node.sh')], { encoding: 'utf8', timeout: 900_000 })
      .trim()
      .split('\n')
      .pop();
    // The package from the repository: its build/wsprism.node (x86-64, if built) fails to load
    // on arm64 and the loader goes on to prebuilds/wsprism.linux-arm64-gnu.node.
    const script = `
      const w = require(${JSON.stringify(path.join(repo, 'packages', 'wsprism'))});
      const pmd = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
      const wire = new w.Encoder({ role: 'client', perMessageDeflate: pmd }).message('arm64 '.repeat(100), { compress: true });
      const ev = new w.Decoder({ role: 'server', perMessageDeflate: pmd }).push(wire);
      const out = [process.arch, w.backend, w.acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), ev[0].type, ev[0].data.length, (wire[0] & 0x40) ? 'rsv1' : 'plain'];
      const wss = new w.WebSocketServer({ port: 0, host: '127.0.0.1' }, () => {
        const ws = new w.WebSocket('ws://127.0.0.1:' + wss.address().port + '/');
        ws.on('open', () => ws.send('hello'));
        ws.on('message', (d) => { out.push(String(d)); console.log(out.join(' ')); ws.close(); wss.close(); });
      });
      wss.on('connection', (s) => s.on('message', (d) => s.send('echo: ' + d)));
    `;
    const env = { ...process.env };
    delete env.WSPRISM_BACKEND;
    delete env.WSPRISM_NATIVE;
    const out = execFileSync(runner, ['-e', script], { encoding: 'utf8', env, timeout: 300_000 }).trim();
    assert.equal(out, 'arm64 native s3pPLMBiTxaQ9kYGzzhZRbK+xOo= message 600 rsv1 echo: hello');
  });
}

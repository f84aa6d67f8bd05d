// wsprism-web (wasm) vs plain JS in Node's V8: mask and Decoder, 16 B to 1 MiB, with ratios.
//   bash scripts/build-wasm.sh && node bench/wasm.mjs [--quick]
// Also reports the .wasm size (raw and gzip -9) and compile/instantiate times in Node.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { runBenchmarks } from './wasm-core.mjs';

const root = new URL('../', import.meta.url);
const wasmPath = fileURLToPath(new URL('packages/wsprism-web/wasm/wsprism_wasm_bg.wasm', root));
const bytes = readFileSync(wasmPath);
const quick = process.argv.includes('--quick');

const t0 = performance.now();
const mod = await WebAssembly.compile(bytes);
const compileMs = performance.now() - t0;
const lib = await import(new URL('packages/wsprism-web/index.js', root));
const t1 = performance.now();
lib.initSync({ module: mod });
const instMs = performance.now() - t1;

console.log(`# wsprism-web benchmarks — Node ${process.version} (${process.arch})`);
console.log(`\nwsprism_wasm_bg.wasm: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
console.log(`Node: WebAssembly.compile ${compileMs.toFixed(1)} ms, instantiate ${instMs.toFixed(1)} ms`);
runBenchmarks({ lib, minMs: quick ? 100 : 500, where: `Node ${process.version}` });

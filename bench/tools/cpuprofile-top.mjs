// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per function, top N, and the
// share of (program)/(garbage collector)/(idle). Usage: node cpuprofile-top.mjs FILE [N]
import fs from 'node:fs';

const [file, nArg] = process.argv.slice(2);
const n = Number(nArg || 25);
const p = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((x) => [x.id, x]));
const self = new Map();
const dt = p.timeDeltas;
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  const node = byId.get(p.samples[i]);
  const d = dt[i] || 0;
  total += d;
  const cf = node.callFrame;
  const key = `${cf.functionName || '(anonymous)'} ${cf.url ? cf.url.replace(/^.*\/(node_modules\/|packages\/|lib\/)?/, '$1') + ':' + (cf.lineNumber + 1) : ''}`.trim();
  self.set(key, (self.get(key) || 0) + d);
}
const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
const busy = total - idle;
console.log(`total ${(total / 1e3).toFixed(0)} ms, busy ${(busy / 1e3).toFixed(0)} ms (${((100 * busy) / total).toFixed(1)}%)`);
console.log('self % of busy  function');
for (const [k, v] of [...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, n)) {
  console.log(`${((100 * v) / busy).toFixed(1).padStart(6)}%  ${k}`);
}

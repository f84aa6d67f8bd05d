// Compares two V8 heap snapshots (v8.writeHeapSnapshot) of one server taken with A and B open
// connections and prints what the B - A extra connections hold, per connection, by object kind:
//   node heapsnapshot-diff.mjs A.heapsnapshot B.heapsnapshot CONNECTIONS_ADDED [N]
import fs from 'node:fs';

const [fa, fb, addedArg, nArg] = process.argv.slice(2);
const added = Number(addedArg || 1);
const top = Number(nArg || 20);

function aggregate(file) {
  const d = JSON.parse(fs.readFileSync(file, 'utf8'));
  const meta = d.snapshot.meta;
  const nf = meta.node_fields.length;
  const types = meta.node_types[0];
  const [ti, ni, si] = ['type', 'name', 'self_size'].map((f) => meta.node_fields.indexOf(f));
  const named = new Set(['object', 'closure', 'native', 'hidden', 'code', 'array', 'object shape']);
  const size = new Map();
  const count = new Map();
  const nodes = d.nodes;
  for (let i = 0; i < nodes.length; i += nf) {
    const t = types[nodes[i + ti]];
    const key = named.has(t) ? `${t}:${String(d.strings[nodes[i + ni]]).slice(0, 50)}` : t;
    size.set(key, (size.get(key) || 0) + nodes[i + si]);
    count.set(key, (count.get(key) || 0) + 1);
  }
  return { size, count };
}

const a = aggregate(fa);
const b = aggregate(fb);
const keys = new Set([...a.size.keys(), ...b.size.keys()]);
const rows = [...keys].map((k) => ({
  k,
  bytes: ((b.size.get(k) || 0) - (a.size.get(k) || 0)) / added,
  objs: ((b.count.get(k) || 0) - (a.count.get(k) || 0)) / added
}));
const total = rows.reduce((s, r) => s + r.bytes, 0);
console.log(`JS heap (self sizes) per added connection: ${total.toFixed(0)} bytes`);
for (const r of rows.sort((x, y) => y.bytes - x.bytes).slice(0, top)) {
  console.log(`${r.bytes.toFixed(1).padStart(8)} B ${r.objs.toFixed(2).padStart(6)} objects  ${r.k}`);
}

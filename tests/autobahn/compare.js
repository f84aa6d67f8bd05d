'use strict';
// Compares an Autobahn|Testsuite report (index.json) with tests/autobahn/expected-results.json.
//   node tests/autobahn/compare.js --role server|client --report reports/autobahn/<...>/index.json
//        [--cases '1.*,2.*,...']   (the cases that were run: each must be in the report)
//        [--write]                 (record this run as the expectation; refuses anything not OK/INFORMATIONAL)
// Every case must be OK, or INFORMATIONAL where the expectation says Autobahn only informs;
// NON-STRICT, FAILED, UNIMPLEMENTED, WRONG CODE and missing cases are failures; behaviorClose
// must be OK (or INFORMATIONAL where expected). Prints one summary line per role, e.g.
//   autobahn server: 301 OK, 3 INFORMATIONAL, 0 NON-STRICT, 0 FAILED
// and exits non-zero on any difference.
const fs = require('fs');
const path = require('path');

const EXPECTED = path.join(__dirname, 'expected-results.json');
const ACCEPTABLE = new Set(['OK', 'INFORMATIONAL']);

function args() {
  const out = { role: null, report: null, cases: null, write: false };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--role') out.role = a[++i];
    else if (a[i] === '--report') out.report = a[++i];
    else if (a[i] === '--cases') out.cases = a[++i].split(',').map((s) => s.trim()).filter(Boolean);
    else if (a[i] === '--write') out.write = true;
    else throw new Error(`unknown argument ${a[i]}`);
  }
  if (!['server', 'client'].includes(out.role) || !out.report) {
    throw new Error('usage: compare.js --role server|client --report index.json [--cases ...] [--write]');
  }
  return out;
}

// Case ids compare numerically: 1.1.2 < 1.1.10.
function caseOrder(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d) return d;
  }
  return 0;
}

function matches(id, pattern) {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return id.startsWith(pattern.slice(0, -1));
  return id === pattern;
}

function main() {
  const opt = args();
  const index = JSON.parse(fs.readFileSync(opt.report, 'utf8'));
  const agents = Object.keys(index);
  if (agents.length !== 1) throw new Error(`expected one agent in ${opt.report}, found ${agents.join(', ')}`);
  const results = index[agents[0]];
  const ids = Object.keys(results).sort(caseOrder);

  const expectedAll = fs.existsSync(EXPECTED) ? JSON.parse(fs.readFileSync(EXPECTED, 'utf8')) : {};
  const expected = expectedAll[opt.role] || {};

  const counts = {};
  const closeCounts = {};
  const problems = [];
  for (const id of ids) {
    const r = results[id];
    counts[r.behavior] = (counts[r.behavior] || 0) + 1;
    closeCounts[r.behaviorClose] = (closeCounts[r.behaviorClose] || 0) + 1;
    const [eb, ebc] = expected[id] || [];
    if (!ACCEPTABLE.has(r.behavior)) problems.push(`${id}: behavior ${r.behavior}`);
    if (!ACCEPTABLE.has(r.behaviorClose)) problems.push(`${id}: behaviorClose ${r.behaviorClose}`);
    if (!opt.write) {
      if (eb === undefined) problems.push(`${id}: not in expected-results.json (${opt.role})`);
      else {
        if (r.behavior !== eb) problems.push(`${id}: behavior ${r.behavior}, expected ${eb}`);
        if (r.behaviorClose !== ebc) problems.push(`${id}: behaviorClose ${r.behaviorClose}, expected ${ebc}`);
      }
    }
  }
  if (opt.cases) {
    // every expected case selected by the patterns must have run (a crashed run is a failure)
    const want = Object.keys(expected).filter((id) => opt.cases.some((p) => matches(id, p)));
    for (const id of want) if (!results[id]) problems.push(`${id}: missing from the report`);
    if (!want.length && !opt.write) problems.push('no expected cases match --cases');
  }

  const n = (k) => counts[k] || 0;
  const other = Object.keys(counts).filter((k) => !['OK', 'INFORMATIONAL', 'NON-STRICT', 'FAILED'].includes(k));
  let line =
    `autobahn ${opt.role}: ${n('OK')} OK, ${n('INFORMATIONAL')} INFORMATIONAL, ` +
    `${n('NON-STRICT')} NON-STRICT, ${n('FAILED')} FAILED`;
  for (const k of other) line += `, ${n(k)} ${k}`;
  const closeBad = Object.keys(closeCounts).filter((k) => !ACCEPTABLE.has(k));
  line += ` (${ids.length} cases; behaviorClose: ${closeCounts.OK || 0} OK`;
  for (const k of Object.keys(closeCounts).filter((k) => k !== 'OK')) line += `, ${closeCounts[k]} ${k}`;
  line += ')';
  console.log(line);

  if (opt.write) {
    if (problems.length) {
      for (const p of problems) console.error(`  ${p}`);
      console.error('autobahn: refusing to record a run with unacceptable results');
      process.exit(1);
    }
    const next = { ...expectedAll };
    const merged = { ...expected };
    for (const id of ids) merged[id] = [results[id].behavior, results[id].behaviorClose];
    next[opt.role] = Object.fromEntries(Object.keys(merged).sort(caseOrder).map((id) => [id, merged[id]]));
    if (!next.comment) {
      next.comment =
        'Expected Autobahn|Testsuite results per role: case id -> [behavior, behaviorClose]. ' +
        'Only OK and INFORMATIONAL are acceptable. Updated with compare.js --write.';
    }
    const lines = ['{', `  "comment": ${JSON.stringify(next.comment)},`];
    ['server', 'client'].forEach((role, ri) => {
      const entries = Object.entries(next[role] || {});
      lines.push(`  "${role}": {`);
      entries.forEach(([id, v], i) => {
        lines.push(`    ${JSON.stringify(id)}: ${JSON.stringify(v)}${i + 1 < entries.length ? ',' : ''}`);
      });
      lines.push(`  }${ri === 0 ? ',' : ''}`);
    });
    lines.push('}');
    fs.writeFileSync(EXPECTED, lines.join('\n') + '\n');
    console.log(`autobahn: recorded ${ids.length} ${opt.role} cases in ${path.relative(process.cwd(), EXPECTED)}`);
    return;
  }
  if (closeBad.length || problems.length) {
    for (const p of problems.slice(0, 50)) console.error(`  ${p}`);
    if (problems.length > 50) console.error(`  ... and ${problems.length - 50} more`);
    console.error(`autobahn ${opt.role}: ${problems.length} difference(s) from expected-results.json`);
    process.exit(1);
  }
}

try {
  main();
} catch (err) {
  console.error(`compare.js: ${err.message}`);
  process.exit(2);
}

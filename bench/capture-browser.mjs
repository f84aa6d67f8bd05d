// The visualizer's "Open a capture" panel on a big capture, in Debian's headless Chromium
// (playwright-core from tests/e2e): time from the file chosen to the connection list shown,
// and what the page then holds in memory.
//
//   npm run bench:capture                  # builds, makes the capture once, measures
//   node bench/capture-browser.mjs [--size-mb 100] [--frame-bytes 1400,200,20] [--runs 1] [--max-bytes N] [--file PATH]
//
// One capture per --frame-bytes value (the synth example writes one connection of frames of
// that payload size until the file reaches --size-mb MiB: 1400 → 71 thousand frames, 200 → 474
// thousand, 20, its default → 4.2 million).
//
// The capture comes from the capture crate's synth example (cargo run --release -p
// wsprism-capture --example synth), written once to target/capture-bench/ (gitignored) and
// reused while its size matches. Each run loads the page fresh, sets the file on the panel's
// <input type=file> and waits for the list; the page records its own timings (data-ms-* on
// #cap-status: read = File.arrayBuffer(), decode = openCapture in the worker, up to its summary, total = from
// the change event to the list in the DOM). Prints numbers only: no thresholds.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, startServer, launch } from '../tests/e2e/lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt; };
const sizeMb = Number(opt('--size-mb', 100));       // MiB, as the synth example counts
const frameSizes = String(opt('--frame-bytes', '1400,200,20')).split(',').map(Number);
const runs = Number(opt('--runs', 1));
const maxBytes = opt('--max-bytes', null);
const fileArg = opt('--file', null);

function capture(frameBytes) {
  if (fileArg) return fileArg;
  const dir = path.join(ROOT, 'target/capture-bench');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `synth-${sizeMb}mib-${frameBytes}b.pcap`);
  let have = 0;
  try { have = fs.statSync(file).size; } catch { /* not made yet */ }
  const size = sizeMb * 1048576;
  if (Math.abs(have - size) > size * 0.05) {
    console.error(`bench:capture: writing ${file} with the synth example…`);
    execFileSync('cargo', ['run', '--quiet', '--release', '-p', 'wsprism-capture', '--example', 'synth', '--',
      '--out', file, '--size-mb', String(sizeMb), '--frame-bytes', String(frameBytes)], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return file;
}

const files = fileArg ? [fileArg] : frameSizes.map(capture);
const server = await startServer();
const browser = await launch(['--enable-precise-memory-info']);
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const mb = (n) => (n / 1e6).toFixed(1) + ' MB';
let failed = 0;
try {
  for (const file of files) failed += await measure(file) ? 0 : 1;
} finally {
  await browser.close();
  server.proc.kill();
}
if (failed) console.log(`${failed} of ${files.length} captures could not be opened (see above)`);

async function measure(file) {
  const bytes = fs.statSync(file).size;
  console.log(`# "Open a capture" — ${path.basename(file)} (${mb(bytes)}), headless Chromium ${browser.version()}, ${os.cpus().length} CPUs, load ${load()}`);
  const results = [];
  for (let r = 0; r < runs; r++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(server.url + '#capture');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    if (maxBytes != null) await page.selectOption('#cap-max', String(maxBytes));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const t0 = Date.now();
    await page.setInputFiles('#cap-file', file);
    await page.waitForSelector('#capture[data-state]', { timeout: 600000 });
    const outside = Date.now() - t0;
    const state = await page.getAttribute('#capture', 'data-state');
    if (state !== 'ready') {
      console.log(`run ${r + 1}: no list after ${outside} ms; the panel says: ${await page.locator('#cap-status').innerText()}`);
      results.push(null);
      await page.close();
      continue;
    }
    const ms = await page.$eval('#cap-status', (e) => ({ total: +e.dataset.msTotal, read: +e.dataset.msRead, decode: +e.dataset.msDecode, text: e.textContent }));
    // open the biggest connection's frame list too (the first window of rows)
    const conns = await page.$$eval('#cap-conn-table tbody tr', (trs) => trs.map((tr) => parseInt(tr.cells[6].innerText, 10)));
    const big = conns.reduce((b, n, i) => (n > conns[b] ? i : b), 0);
    const t1 = Date.now();
    await page.click(`#cap-conn-table tbody tr:nth-child(${big + 1}) button`);
    await page.waitForFunction(() => document.querySelector('#cap-table tbody tr.row') && !document.querySelector('#cap-table tbody tr.loading'));
    const listMs = Date.now() - t1;
    const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const heap = await page.evaluate(() => performance.memory ? { used: performance.memory.usedJSHeapSize, total: performance.memory.totalJSHeapSize } : null);
    const rss = rendererRss();
    results.push({ ms, outside, listMs, conns: conns.length, frames: conns[big], heap, jsHeapUsed: metrics.JSHeapUsedSize, rss });
    console.log(`run ${r + 1}: list shown ${ms.total.toFixed(0)} ms after the file was chosen (File.arrayBuffer ${ms.read} ms, openCapture in the worker ${ms.decode} ms; ${outside} ms seen from playwright)` +
      `; ${conns.length} connections; biggest (${conns[big]} frames) listed in ${listMs} ms` +
      `; page JS heap ${heap ? mb(heap.used) : mb(metrics.JSHeapUsedSize)}` + (rss ? `; renderer processes RSS ${mb(rss)} (page + worker + wasm memory)` : ''));
    await page.close();
  }
  const ok = results.filter(Boolean);
  if (!ok.length) return false;
const med = (f) => { const v = ok.map(f).sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
console.log(`median of ${ok.length}: time to list ${med((x) => x.ms.total).toFixed(0)} ms (decode ${med((x) => x.ms.decode).toFixed(0)} ms), ` +
  `page JS heap ${mb(med((x) => (x.heap ? x.heap.used : x.jsHeapUsed)))}` + (ok[0].rss ? `, renderer RSS ${mb(med((x) => x.rss))}` : '') + `; load after: ${load()}`);
  return true;
}

// The resident memory of this browser's renderer processes (Linux /proc): the page's and its
// worker's JS heaps and the wasm memory live there.
function rendererRss() {
  try {
    const browserPid = findBrowserPid();
    if (!browserPid) return 0;
    const kids = new Map();
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
        if (!kids.has(ppid)) kids.set(ppid, []);
        kids.get(ppid).push(Number(d));
      } catch { /* gone */ }
    }
    let total = 0;
    const walk = (pid) => {
      for (const k of kids.get(pid) || []) {
        try {
          const cmd = fs.readFileSync(`/proc/${k}/cmdline`, 'utf8');
          if (cmd.includes('--type=renderer')) {
            const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${k}/status`, 'utf8'));
            if (m) total += Number(m[1]) * 1024;
          }
        } catch { /* gone */ }
        walk(k);
      }
    };
    walk(browserPid);
    return total;
  } catch {
    return 0;
  }
}
function findBrowserPid() {
  // the chromium launched by this process (a child of this node process)
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (/chrom/i.test(cmd) && !cmd.includes('--type=')) return Number(d);
    } catch { /* gone */ }
  }
  return 0;
}

// For bench/pmd-memory.mjs: a server run with --expose-gc answers a line `gc` on stdin by
// collecting garbage (twice, a turn apart, so finalizers have run) and writing `GC` to stdout,
// so memory is measured as retained, not as garbage not yet collected. With
// WSPRISM_BENCH_MEM=1 it also prints process.memoryUsage() to stderr. Without --expose-gc: nothing.
export function answerGcRequests() {
  if (typeof globalThis.gc !== 'function') return;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => {
    if (!String(d).includes('gc')) return;
    globalThis.gc();
    setImmediate(() => {
      globalThis.gc();
      if (process.env.WSPRISM_BENCH_MEM) process.stderr.write(`mem ${JSON.stringify(process.memoryUsage())}\n`);
      process.stdout.write('GC\n');
    });
  });
}

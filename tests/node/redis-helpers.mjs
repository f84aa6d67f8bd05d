// A private Redis for a test or a benchmark: Debian's redis-server (scripts/setup/redis.sh
// installs it), started on a free 127.0.0.1 port without persistence, killed after.
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { withTimeout } from './helpers.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let serverPath = null;
/** The redis-server executable (REDIS_SERVER, else what scripts/setup/redis.sh prints). */
export function redisServerPath() {
  if (serverPath === null) {
    serverPath =
      process.env.REDIS_SERVER ||
      execFileSync('bash', [`${ROOT}scripts/setup/redis.sh`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
        .trim()
        .split('\n')
        .pop();
  }
  return serverPath;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/**
 * Starts redis-server on `port` (a free one by default); resolves when it accepts connections.
 * Returns { port, url, proc, stop() } (stop: SIGKILL, resolves once the process has exited).
 */
export async function startRedis(port) {
  if (port === undefined) port = await freePort();
  const proc = spawn(
    redisServerPath(),
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
  let out = '';
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  await withTimeout(
    new Promise((resolve, reject) => {
      proc.stdout.on('data', (d) => {
        out += d;
        if (out.includes('Ready to accept connections')) resolve();
      });
      proc.stderr.on('data', (d) => (out += d));
      proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
      proc.once('error', reject);
    }),
    20_000,
    `redis-server on port ${port}`
  );
  proc.stdout.resume();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    proc,
    stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      return exited;
    }
  };
}

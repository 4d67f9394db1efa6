// Test support for chat-history: waiting on conditions, and a private redis-server that a test may restart.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/** Polls a condition that has no event to await (a row in PostgreSQL, a queue count). */
export async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 20_000, everyMs = 25) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function answers(url: string) {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A redis-server of the test's own (with append-only persistence, as in production), so it can be restarted. */
export async function startRedisServer() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess;
  const start = async () => {
    proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
      {
        stdio: 'ignore',
      },
    );
    await until(() => answers(url), 10_000);
  };
  const stop = async () => {
    if (proc.exitCode !== null) return;
    proc.kill('SIGTERM');
    await once(proc, 'exit');
  };
  await start();
  return { url, stop, restart: async () => (await stop(), await start()) };
}

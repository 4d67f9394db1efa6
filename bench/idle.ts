// Idle sockets (`npm run bench:idle`; needs PostgreSQL and Redis as for the tests): N sockets of 100 users held open
// through the gateway on two realtime nodes, nothing sent. Memory per socket (the nodes' resident memory before and
// after) and Redis commands per idle socket per second: a quiet minute with the sockets against one without them,
// on a Redis of the benchmark's own (the default heartbeat: every 10 s). Targets: ≤ 0.05 Redis commands/s per idle socket.
//   BENCH_SOCKETS=2000 BENCH_QUIET_SECONDS=60
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisServer } from '@chat/infra/testing';
import { createRedis } from '@chat/kit';
import { type Client, groupOf, register } from '../tests/support/client.ts';
import { startSystem } from '../tests/support/system.ts';
import { member, members } from './support/fanout.ts';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 2000);
const QUIET = Number(process.env.BENCH_QUIET_SECONDS ?? 60);
const USERS = 100;

// a Redis of its own, so that only this system's commands are counted
const ownRedis = await startRedisServer();
const system = await startSystem({ LOG_LEVEL: 'error', REDIS_URL: ownRedis.url });
const redis = createRedis(ownRedis.url);
const nodePorts = [2, 3].map((o) => system.plan.portsFrom + o);
const rss = async () => {
  let total = 0;
  for (const port of nodePorts) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    total += Number(/^process_resident_memory_bytes(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
  }
  return total;
};
const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1]);
try {
  const users: Client[] = [];
  while (users.length < USERS)
    users.push(...(await Promise.all(Array.from({ length: 20 }, () => register(system.baseUrl, 'Idle')))));
  // everyone shares a group: every connect has 99 contacts
  await groupOf(users[0] as Client, users.slice(1), 'idle');
  // the system's own idle cost (queues, node heartbeats), with no socket
  const quiet = async () => {
    const start = await commands();
    await sleep(QUIET * 1000);
    return ((await commands()) - start) / QUIET;
  };
  const baseline = await quiet();
  const before = await rss();
  const sockets = await members(SOCKETS, (i) => member(system.baseUrl, (users[i % USERS] as Client).token));
  await sleep(5_000);
  const after = await rss();
  const withSockets = await quiet();
  for (const s of sockets) s.socket.close();
  const perSocket = Math.max(0, withSockets - baseline) / SOCKETS;
  console.log(`\n${SOCKETS} idle sockets of ${USERS} users on two realtime nodes, through the gateway\n`);
  console.log('| what | value |\n|---|---|');
  console.log(`| resident memory per socket (both nodes) | ${((after - before) / SOCKETS / 1024).toFixed(1)} KB |`);
  console.log(`| Redis commands/s, no socket (queues, node heartbeats) | ${baseline.toFixed(1)} |`);
  console.log(`| Redis commands/s, ${SOCKETS} idle sockets | ${withSockets.toFixed(1)} |`);
  console.log(`| Redis commands/s per idle socket | ${perSocket.toFixed(4)} |`);
  console.log(`\ntarget ≤ 0.05 Redis commands/s per idle socket: ${perSocket <= 0.05 ? 'met' : 'NOT met'}`);
} finally {
  redis.disconnect();
  await system.stop();
  await ownRedis.stop();
}
process.exit(0);

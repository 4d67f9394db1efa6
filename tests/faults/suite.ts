// The fault suite: the whole system as real processes behind the gateway, 20 users sending steadily through it as
// the web app does, and one fault at a time: a frozen and a killed realtime node, killed chat-history, receipts worker
// and gateway, PostgreSQL and Redis gone for 10 s. For each it prints what was acknowledged, lost and duplicated and
// how long until every user was live again, checks the targets, and exits 1 if any is missed.
//   npm run test:faults            (about 4 minutes)
//   npm run test:faults -- --short (the realtime faults and the outages only)
//   npm run test:faults -- --only=redis (the faults whose name contains it)
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisServer } from '@chat/infra/testing';
import { type Client, groupOf, register } from '../support/client.ts';
import { startSystem } from '../support/system.ts';
import { Ledger, LoadUser } from './load.ts';
import { startPostgresProxy } from './pg-proxy.ts';

const short = process.argv.includes('--short');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .toLowerCase();
const USERS = 20;
const SENDS_PER_USER_PER_SECOND = 2;

const pgUrl = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const proxy = await startPostgresProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
const redis = await startRedisServer();
const system = await startSystem(
  { REDIS_URL: redis.url, LOG_LEVEL: 'error' },
  {
    throughProxy: (url) => {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(proxy.port);
      return u.toString();
    },
  },
);
const { baseUrl, supervisor } = system;
const servicePorts = [0, 1, 2, 3, 4].map((o) => system.plan.portsFrom + o);

const ledger = new Ledger();
const clients: Client[] = [];
for (let i = 0; i < USERS; i++) clients.push(await register(baseUrl, `Load ${i}`));
const everyone = await groupOf(clients[0] as Client, clients.slice(1), 'Everyone');
const dms: string[] = [];
for (let i = 0; i < USERS; i += 2) {
  const { body } = await (clients[i] as Client).api<{ id: string }>('/api/chats/direct', {
    method: 'POST',
    body: { userId: (clients[i + 1] as Client).user.id },
  });
  dms.push(body.id);
}
const users = clients.map((c, i) => new LoadUser(c, [everyone.id, dms[Math.floor(i / 2)] as string], baseUrl, ledger));
await Promise.all(users.map((u) => u.ready()));

// the load: each user sends twice a second, alternating between the group and its direct chat, at most 5 in flight
let sending = true;
let sent = 0;
const loops = users.map((u, i) =>
  (async () => {
    await sleep((i * 1000) / USERS / SENDS_PER_USER_PER_SECOND);
    while (sending) {
      if (u.pending.size < 5) {
        const chatId = u.chatIds[sent++ % 2] as string;
        u.send(chatId, `load ${sent}`).catch((err) => console.error(err.message));
      }
      await sleep(1000 / SENDS_PER_USER_PER_SECOND);
    }
  })(),
);

const readyz = (port: number) =>
  fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1_000) })
    .then((r) => r.status === 200)
    .catch(() => false);

/** Ms from `from` until every service answers ready. */
async function allReady(from: number) {
  while (!(await Promise.all(servicePorts.map(readyz))).every(Boolean)) await sleep(50);
  return Date.now() - from;
}

/** Ms from `from` until everything pending at `from` is acknowledged. */
async function pendingAcked(from: number) {
  const waiting = users.flatMap((u) => [...u.pending].map((p) => ({ u, p })));
  while (waiting.some(({ u, p }) => u.pending.has(p))) await sleep(50);
  return Date.now() - from;
}

/**
 * Ms from `from` until every user is live again: a message sent now (REST, retried until accepted) reaches all of
 * them, live or by the catch-up their client does on its own, within 2 s.
 */
let lastBehind: string[] = [];
async function liveAgain(from: number) {
  lastBehind = [];
  const sender = clients[0] as Client;
  for (;;) {
    const res = await sender
      .api<{ seq: number }>(`/api/chats/${everyone.id}/messages`, {
        method: 'POST',
        body: { clientId: crypto.randomUUID(), body: 'probe' },
      })
      .catch(() => ({ status: 0, body: { seq: 0 } }));
    if (res.status === 201 || res.status === 200) {
      const deadline = Date.now() + 2_000;
      while (Date.now() < deadline && !users.every((u) => u.seen.get(everyone.id)?.has(res.body.seq))) await sleep(25);
      const behind = users.filter((u) => !u.seen.get(everyone.id)?.has(res.body.seq));
      if (behind.length === 0) return Date.now() - from;
      lastBehind = behind.map((u) => `${u.client.user.displayName} (${u.live ? `on ${u.nodeId}` : 'offline'})`);
    } else await sleep(200);
  }
}

const p99 = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
};

type Row = {
  fault: string;
  acked: number;
  ackP99: number;
  healthyP99?: number;
  liveAgainMs: number;
  readyMs?: number;
  pendingMs?: number;
  misses: string[];
};
const rows: Row[] = [];

type Fault = {
  name: string;
  /** Starts the fault; returns the node it hit, if one. */
  inject: () => Promise<string | undefined> | string | undefined;
  holdMs?: number;
  restore?: () => Promise<void> | void;
  /** An outage: targets count from its end. */
  outage?: boolean;
  liveWithinMs?: number;
};

const killAndRestart = (name: string) => async () => {
  await supervisor.kill(name, 'SIGKILL');
  supervisor.revive(name);
  return name;
};

const faults: Fault[] = [
  {
    name: 'realtime node frozen (SIGSTOP 20 s)',
    inject: () => {
      supervisor.signal('realtime-1', 'SIGSTOP');
      return 'realtime-1';
    },
    holdMs: 20_000,
    restore: () => supervisor.signal('realtime-1', 'SIGCONT'),
    liveWithinMs: 10_000,
  },
  { name: 'realtime node killed', inject: killAndRestart('realtime-2'), liveWithinMs: 10_000 },
  ...(short
    ? []
    : [
        { name: 'chat-history killed', inject: killAndRestart('chat-history') },
        { name: 'receipts worker killed', inject: killAndRestart('receipts') },
        { name: 'gateway killed', inject: killAndRestart('gateway-1') },
      ]),
  {
    name: 'PostgreSQL gone 10 s',
    inject: () => {
      proxy.cut();
      return undefined;
    },
    holdMs: 10_000,
    restore: () => proxy.restore(),
    outage: true,
  },
  {
    name: 'Redis gone 10 s',
    inject: () => redis.stop().then(() => undefined),
    holdMs: 10_000,
    restore: () => redis.restart().then(() => undefined),
    outage: true,
  },
];

for (const fault of faults.filter((f) => !only || f.name.toLowerCase().includes(only))) {
  await sleep(3_000); // steady load before each fault
  const firstAck = ledger.acks.length;
  const startedAt = Date.now();
  const hit = await fault.inject();
  const onHit = new Set(users.filter((u) => u.nodeId === hit));
  const live = fault.outage ? undefined : liveAgain(startedAt);
  if (fault.holdMs) await sleep(fault.holdMs);
  const healthy = ledger.acks.slice(firstAck).filter((a) => a.nodeId !== hit && a.at <= Date.now());
  const healthyAcks = healthy.map((a) => a.ms);
  if (process.env.FAULTS_DEBUG)
    console.log(
      'slowest healthy acks (s after the fault, ms):',
      [...healthy]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 12)
        .map((a) => `${((a.at - startedAt) / 1000).toFixed(1)}:${a.ms}${a.chatId === everyone.id ? 'G' : 'D'}`)
        .join(' '),
    );
  const restoredAt = Date.now();
  const pending = fault.outage ? pendingAcked(restoredAt) : undefined;
  await fault.restore?.();
  const ready = fault.outage ? allReady(restoredAt) : undefined;
  const row: Row = {
    fault: fault.name,
    acked: 0,
    ackP99: 0,
    liveAgainMs: await (live ?? liveAgain(restoredAt)),
    readyMs: await ready,
    pendingMs: await pending,
    misses: [],
  };
  if (hit && fault.holdMs) row.healthyP99 = p99(healthyAcks);
  await allReady(Date.now());
  const acks = ledger.acks.slice(firstAck);
  row.acked = acks.length;
  row.ackP99 = p99(acks.map((a) => a.ms));
  if (fault.liveWithinMs && row.liveAgainMs > fault.liveWithinMs)
    row.misses.push(`live again > ${fault.liveWithinMs} ms (last behind: ${lastBehind.join(', ')})`);
  if (row.healthyP99 !== undefined && onHit.size < USERS && row.healthyP99 > 500)
    row.misses.push('healthy-node ack p99 > 500 ms');
  if (row.readyMs !== undefined && row.readyMs > 2_000) row.misses.push('ready > 2 s after it is back');
  if (row.pendingMs !== undefined && row.pendingMs > 5_000)
    row.misses.push('pending sends acked > 5 s after it is back');
  rows.push(row);
  console.log(
    `${fault.name}: live again after ${row.liveAgainMs} ms${row.misses.length ? ` — MISSED: ${row.misses.join(', ')}` : ''}`,
  );
}

// stop the load, let every send finish, then check every acknowledged message reached every member
sending = false;
await Promise.all(loops);
while (users.some((u) => u.pending.size > 0)) await sleep(50);
const members = (chatId: string) => users.filter((u) => u.chatIds.includes(chatId));
const missing = () =>
  [...ledger.acked.values()].reduce(
    (n, m) => n + members(m.chatId).filter((u) => u.seen.get(m.chatId)?.get(m.seq) !== m.id).length,
    0,
  );
const until = async (ms: number) => {
  const deadline = Date.now() + ms;
  while (missing() > 0 && Date.now() < deadline) await sleep(100);
};
// live delivery (with the relay and resync) must bring everything without anyone asking: 10 s
await until(10_000);
const notLive = missing();
for (const u of users) u.catchUpAll();
await until(10_000);
const lost = missing();
const duplicated = ledger.duplicates();

console.log(
  `\n${USERS} users, ${USERS * SENDS_PER_USER_PER_SECOND} sends/s offered, ${ledger.acked.size} acknowledged\n`,
);
console.log(
  '| fault | acked | ack p99 ms | healthy-node ack p99 ms | every user live again | services ready after it is back | pending sends acked after it is back |',
);
console.log('|---|---|---|---|---|---|---|');
const ms = (v?: number) => (v === undefined ? '—' : `${(v / 1000).toFixed(1)} s`);
for (const r of rows)
  console.log(
    `| ${r.fault} | ${r.acked} | ${r.ackP99} | ${r.healthyP99 ?? '—'} | ${ms(r.liveAgainMs)} | ${ms(r.readyMs)} | ${ms(r.pendingMs)} |`,
  );
console.log(
  `\nacknowledged ${ledger.acked.size}; lost ${lost}; duplicated ${duplicated}; member copies that needed a catch-up no one asked for: ${notLive}`,
);

const logFile = path.join(tmpdir(), `faults-${Date.now()}.log`);
writeFileSync(logFile, system.logs.join('\n'));
console.log(`the services' logs: ${logFile}`);
for (const u of users) u.stop();
await system.stop();
await redis.stop();
await proxy.stop();

const failures = rows.filter((r) => r.misses.length > 0).map((r) => `${r.fault}: ${r.misses.join(', ')}`);
if (lost > 0) failures.push(`${lost} acknowledged member copies lost`);
if (duplicated > 0) failures.push(`${duplicated} duplicated messages`);
if (notLive > 0) failures.push(`${notLive} member copies reached no one until an explicit catch-up`);
if (failures.length > 0) {
  console.log(`\nTARGETS MISSED:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('\nall targets met');
process.exit(0);

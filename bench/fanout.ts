// Group delivery (`npm run bench:fanout`; needs PostgreSQL and Redis as for the tests): a group of M members (100 and
// 400) over two realtime nodes, K senders. For each M, in one run: the whole system through the gateway, the same
// system with the sockets straight on the nodes, and the ceiling: two raw Socket.IO nodes on the same Redis adapter
// with the same clients and payload. Saturated deliveries/s (each sender keeps 4 sends in flight), then latency from
// send to each member at half of the system's saturation, beside how late this process's own event loop ran meanwhile
// (its clients' reads wait for it: a part of every latency measured). Every delivery is checked: none lost, none
// doubled.
// Each target is warmed up at saturation first (BENCH_WARMUP_SECONDS), unmeasured, and the database then analyzed
// (see analyzeDatabase). The senders are socket.io-client sockets, the other members listeners (support/fanout.ts),
// the same for every target; BENCH_LISTENERS=socket.io-client makes every member a socket.io-client socket.
//   BENCH_MEMBERS=100,400 BENCH_SENDERS=4 BENCH_SECONDS=8 BENCH_WARMUP_SECONDS=3
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { testRedisUrl } from '@chat/infra/testing';
import { type Client, groupOf, register } from '../tests/support/client.ts';
import { startSystem } from '../tests/support/system.ts';
import { WITHOUT_LIMITS } from './support/limits.ts';
import {
  analyzeDatabase,
  fmt,
  listener,
  type Member,
  member,
  members,
  type Sender,
  saturate,
  startRawNodes,
  steady,
} from './support/fanout.ts';

const SIZES = (process.env.BENCH_MEMBERS ?? '100,400').split(',').map(Number);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const LISTEN = process.env.BENCH_LISTENERS === 'socket.io-client' ? member : listener;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

const system = await startSystem(WITHOUT_LIMITS);
const raw = await startRawNodes(testRedisUrl(), [await freePort(), await freePort()]);
const nodeUrls = [2, 3].map((o) => `http://127.0.0.1:${system.plan.portsFrom + o}`);

type Row = {
  target: string;
  m: number;
  msgs: number;
  deliveries: number;
  p50: number;
  p99: number;
  loopP99: number;
  loopMax: number;
  lost: number;
  dup: number;
  refused: number;
};
const rows: Row[] = [];
const users: Client[] = [];

/** The group's `m` members at `urlOf(i)`: the first SENDERS can send, the rest listen. */
async function group(m: number, urlOf: (i: number) => string, tokens: boolean) {
  const open = (i: number) =>
    (i < SENDERS ? member : LISTEN)(urlOf(i), tokens ? (users[i] as Client).token : undefined);
  const all: Member[] = await members(m, open);
  return { senders: all.slice(0, SENDERS) as Sender[], all };
}

async function measure(
  target: string,
  m: number,
  { senders, all }: { senders: Sender[]; all: Member[] },
  chatId: string,
  halfOf?: number,
) {
  // each target warmed up the same way first (compiled code, connection pools), then measured
  await saturate(all, senders, chatId, WARMUP_SECONDS);
  await analyzeDatabase(system.plan.databaseUrl);
  const sat = await saturate(all, senders, chatId, SECONDS);
  const rate = (halfOf ?? sat.messagesPerSecond) / 2;
  const lat = await steady(all, senders, chatId, rate, SECONDS);
  rows.push({
    target,
    m,
    msgs: sat.messagesPerSecond,
    deliveries: sat.deliveriesPerSecond,
    p50: lat.p50,
    p99: lat.p99,
    loopP99: lat.loopP99,
    loopMax: lat.loopMax,
    lost: sat.lost + lat.lost,
    dup: sat.duplicated + lat.duplicated,
    refused: sat.refused + lat.refused,
  });
  for (const x of all) x.close();
  return sat.messagesPerSecond;
}

try {
  for (const m of SIZES) {
    while (users.length < m)
      users.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(20, m - users.length) }, () => register(system.baseUrl, 'Bench')),
        )),
      );
    const chat = await groupOf(users[0] as Client, users.slice(1, m), `fanout ${m}`);
    const viaGateway = await group(m, () => system.baseUrl, true);
    const systemRate = await measure('system via gateway', m, viaGateway, chat.id);
    const direct = await group(m, (i) => nodeUrls[i % 2] as string, true);
    await measure('system, sockets on the nodes', m, direct, chat.id, systemRate);
    const ceiling = await group(m, (i) => raw.urls[i % 2] as string, false);
    await measure('ceiling: raw Socket.IO ×2, Redis adapter', m, ceiling, randomUUID(), systemRate);
  }
} finally {
  raw.stop();
  await system.stop();
}

console.log(`\n${SENDERS} senders, ${SECONDS} s per run; latency at half of the system's saturated rate\n`);
console.log(
  '| target | members | msgs/s | deliveries/s | of ceiling | p50 ms | p99 ms | bench loop delay p99/max ms | lost | doubled | refused |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
let met = true;
for (const r of rows) {
  const ceiling = rows.find((c) => c.m === r.m && c.target.startsWith('ceiling'));
  const share = ceiling ? r.deliveries / ceiling.deliveries : 1;
  console.log(
    `| ${r.target} | ${r.m} | ${fmt(r.msgs)} | ${fmt(r.deliveries)} | ${Math.round(share * 100)}% | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.loopP99.toFixed(1)}/${r.loopMax.toFixed(1)} | ${r.lost} | ${r.dup} | ${r.refused} |`,
  );
  if (r.lost > 0 || r.dup > 0) met = false;
  if (r.target === 'system via gateway' && (share < 0.6 || r.p99 > 50)) met = false;
}
console.log(
  `\ntargets (none lost or doubled; via gateway ≥ 60% of the ceiling, p99 ≤ 50 ms): ${met ? 'met' : 'NOT met'}`,
);
process.exit(0);

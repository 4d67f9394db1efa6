// Direct messages (`npm run bench:dm`; needs PostgreSQL and Redis as for the tests): 100 pairs, each sending in its
// own direct chat through the gateway, at a rising rate until ack p99 passes 100 ms or sends are refused, after a
// warm-up (2 s at 200/s, unmeasured) and the database then analyzed (see analyzeDatabase). Target: ≥ 1,000 messages/s
// sustained with ack p99 ≤ 100 ms. Beside each rate: the machine's CPU per acknowledged message and how many cores
// were busy; after the table, where that CPU went at the highest rate sustained (see support/cpu.ts): whether 1,000/s
// fits on a machine depends on that cost and on how fast the machine's cores run that hour.
//   BENCH_PAIRS=100 BENCH_SECONDS=6 BENCH_RATES=100,200,400,700,1000,1400
import { availableParallelism } from 'node:os';
import type { Chat } from '@chat/kit/contract';
import { type Client, register } from '../tests/support/client.ts';
import { startSystem } from '../tests/support/system.ts';
import { type CpuSplit, cpuTable, cpuWindow, totalOf } from './support/cpu.ts';
import { WITHOUT_LIMITS } from './support/limits.ts';
import { ackLoad, analyzeDatabase, member, members } from './support/fanout.ts';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const RATES = (process.env.BENCH_RATES ?? '100,200,400,700,1000,1400').split(',').map(Number);

const system = await startSystem(WITHOUT_LIMITS);
try {
  const users: Client[] = [];
  while (users.length < PAIRS * 2)
    users.push(...(await Promise.all(Array.from({ length: 20 }, () => register(system.baseUrl, 'Direct')))));
  const chats: Chat[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const { body } = await (users[2 * i] as Client).api<Chat>('/api/chats/direct', {
      method: 'POST',
      body: { userId: (users[2 * i + 1] as Client).user.id },
    });
    chats.push(body);
  }
  const sockets = await members(PAIRS * 2, (i) => member(system.baseUrl, (users[i] as Client).token));
  const pairs = sockets.map((sender, i) => ({ sender, chatId: (chats[Math.floor(i / 2)] as Chat).id }));
  await ackLoad(pairs, 200, 2);
  await analyzeDatabase(system.plan.databaseUrl);
  console.log(`\n${PAIRS} direct chats, both sides sending, through the gateway, ${SECONDS} s per rate\n`);
  console.log('| offered/s | acked/s | ack p50 ms | ack p99 ms | refused | CPU ms per message | cores busy |');
  console.log('|---|---|---|---|---|---|---|');
  let best = 0;
  let cost: { rate: number; split: CpuSplit; acked: number } | undefined;
  for (const rate of RATES) {
    const cpu = cpuWindow(system.supervisor.processes());
    const r = await ackLoad(pairs, rate, SECONDS);
    const split = cpu.end();
    const ms = split && totalOf(split);
    const perMessage = ms === undefined ? '–' : (ms / r.acks.length).toFixed(2);
    const cores = ms === undefined ? '–' : (ms / 1000 / r.elapsed).toFixed(2);
    console.log(
      `| ${rate} | ${Math.round(r.perSecond)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.refused} | ${perMessage} | ${cores} |`,
    );
    if (split && (!cost || (r.p99 <= 100 && r.refused === 0))) cost = { rate, split, acked: r.acks.length };
    if (r.p99 > 100 || r.refused > 0) break;
    best = rate;
  }
  for (const s of sockets) s.socket.close();
  if (cost) {
    const ms = totalOf(cost.split) / cost.acked;
    console.log(`\nwhere the CPU went at ${cost.rate}/s (the benchmark's clients included):\n`);
    console.log(cpuTable(cost.split, cost.acked));
    const cores = availableParallelism();
    console.log(
      `\nat that cost this machine's ${cores} cores, all busy, would ack ${Math.round((cores * 1000) / ms)}/s`,
    );
  }
  console.log(`\nsustained with ack p99 ≤ 100 ms: ${best}/s (target ≥ 1,000/s): ${best >= 1000 ? 'met' : 'NOT met'}`);
} finally {
  await system.stop();
}
process.exit(0);

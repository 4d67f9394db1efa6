// Classic Pub/Sub on one Redis against sharded Pub/Sub on a Redis Cluster (`npm run bench:cluster`; needs PostgreSQL
// as for the tests and redis-server on PATH): the whole system with two realtime nodes, 1,000 direct chats between
// 100 users, a socket per member straight on the nodes (each chat's members on different nodes), messages spread
// over every chat with a fixed number of sends in flight. Saturated deliveries/s, every delivery checked (none lost,
// none doubled), and the CPU each Redis process used meanwhile (INFO CPU, user + sys).
//   BENCH_CHATS=1000 BENCH_USERS=100 BENCH_SECONDS=8 BENCH_IN_FLIGHT=64
import { startRedisCluster } from '@chat/infra/redis-cluster';
import { startRedisServer } from '@chat/infra/testing';
import { SingleRedis } from '@chat/kit';
import type { Chat } from '@chat/kit/contract';
import { type Client, register } from '../tests/support/client.ts';
import { startSystem } from '../tests/support/system.ts';
import { WITHOUT_LIMITS } from './support/limits.ts';
import { type BenchChat, fmt, member, members, saturateChats } from './support/fanout.ts';

const CHATS = Number(process.env.BENCH_CHATS ?? 1000);
const USERS = Number(process.env.BENCH_USERS ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 64);

type Usage = { address: string; role: string; cpu: number };

/** CPU seconds (user + sys) each Redis process has used so far, and its role. */
async function redisUsage(addresses: string[]): Promise<Usage[]> {
  return Promise.all(
    addresses.map(async (address) => {
      const client = new SingleRedis(`redis://${address}`, { maxRetriesPerRequest: 1 });
      try {
        const info = await client.info();
        const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
        return {
          address,
          role: field('role') === 'slave' ? 'replica' : field('role'),
          cpu: Number(field('used_cpu_user')) + Number(field('used_cpu_sys')),
        };
      } finally {
        client.disconnect();
      }
    }),
  );
}

/** The i-th chat's two users: one of the even-numbered, one of the odd-numbered (so they sit on different nodes). */
function pairOf(k: number): [number, number] {
  const half = USERS / 2;
  const a = k % half;
  return [2 * a, 2 * ((a + Math.floor(k / half)) % half) + 1];
}

async function inBatches<T>(count: number, make: (i: number) => Promise<T>, batch = 20): Promise<T[]> {
  const made: T[] = [];
  for (let i = 0; i < count; i += batch)
    made.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => make(i + j)))));
  return made;
}

async function measure(env: Record<string, string>, redisAddresses: string[]) {
  const system = await startSystem({ ...env, ...WITHOUT_LIMITS });
  try {
    const users = await inBatches(USERS, () => register(system.baseUrl, 'Bench'));
    const chatIds = await inBatches(CHATS, async (k) => {
      const [a, b] = pairOf(k);
      const { body } = await (users[a] as Client).api<Chat>('/api/chats/direct', {
        method: 'POST',
        body: { userId: (users[b] as Client).user.id },
      });
      return body.id;
    });
    const nodeUrls = [2, 3].map((o) => `http://127.0.0.1:${system.plan.portsFrom + o}`);
    const sockets = await members(USERS, (i) => member(nodeUrls[i % 2] as string, (users[i] as Client).token));
    const chats: BenchChat[] = chatIds.map((chatId, k) => {
      const [a, b] = pairOf(k);
      const sender = sockets[k % 2 === 0 ? a : b];
      return {
        chatId,
        sender: sender as BenchChat['sender'],
        members: [sockets[a], sockets[b]] as BenchChat['members'],
      };
    });
    await saturateChats(chats, 2, IN_FLIGHT); // warm up
    const before = await redisUsage(redisAddresses);
    const run = await saturateChats(chats, SECONDS, IN_FLIGHT);
    const after = await redisUsage(redisAddresses);
    for (const s of sockets) s.socket.close();
    const usage = after.map((u, i) => ({ ...u, percent: ((u.cpu - (before[i]?.cpu ?? 0)) / run.elapsed) * 100 }));
    return { run, usage, sockets: sockets.length };
  } finally {
    await system.stop();
  }
}

const single = await startRedisServer();
const classic = await measure({ REDIS_URL: single.url }, [single.url.replace('redis://', '')]).finally(single.stop);
const cluster = await startRedisCluster();
const sharded = await measure({ REDIS_URL: cluster.url, REDIS_CLUSTER_NODES: cluster.nodeList }, cluster.nodes).finally(
  cluster.stop,
);

console.log(
  `\n${CHATS} direct chats, ${USERS} users, two realtime nodes, ${IN_FLIGHT} sends in flight, ${SECONDS} s\n`,
);
console.log('| Pub/Sub | Redis | sockets | msgs/s | deliveries/s | lost | doubled | refused | Redis CPU, all nodes |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [name, redis, r] of [
  ['classic', 'one server', classic],
  ['sharded', '3 masters + 3 replicas', sharded],
] as const) {
  const cpu = r.usage.reduce((n, u) => n + u.percent, 0);
  console.log(
    `| ${name} | ${redis} | ${r.sockets} | ${fmt(r.run.messagesPerSecond)} | ${fmt(r.run.deliveriesPerSecond)} | ${r.run.lost} | ${r.run.duplicated} | ${r.run.refused} | ${cpu.toFixed(0)}% |`,
  );
}
console.log('\n| Pub/Sub | node | role | CPU % of one core |\n|---|---|---|---|');
for (const [name, r] of [
  ['classic', classic],
  ['sharded', sharded],
] as const) {
  for (const u of r.usage) console.log(`| ${name} | ${u.address} | ${u.role} | ${u.percent.toFixed(1)} |`);
}
process.exit(0);

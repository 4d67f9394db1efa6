// One hot chat against the same load spread out (`npm run bench:hot-chat`; needs PostgreSQL and Redis as for the
// tests): 20 senders at 200 messages/s in total through the gateway, in the same run: all in one group; each sending
// to a group of their own whose members are the same 20 (the same deliveries, only the chat differs); and each in a
// group of their own alone (a twentieth of the deliveries). Target: the hot chat's ack p99 within 2× that of the same
// load spread over 20 chats.
//   BENCH_RATE=200 BENCH_SECONDS=10
import { type Client, groupOf, register } from '../tests/support/client.ts';
import { startSystem } from '../tests/support/system.ts';
import { WITHOUT_LIMITS } from './support/limits.ts';
import { ackLoad, member, members } from './support/fanout.ts';

const SENDERS = 20;
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const system = await startSystem(WITHOUT_LIMITS);
try {
  const users: Client[] = await Promise.all(Array.from({ length: SENDERS }, () => register(system.baseUrl, 'Hot')));
  const hot = await groupOf(users[0] as Client, users.slice(1), 'hot');
  const others = (u: Client) => users.filter((o) => o !== u);
  const spreadChats = await Promise.all(users.map((u) => groupOf(u, others(u), 'spread')));
  const alone = await Promise.all(users.map((u) => groupOf(u, [], 'alone')));
  const sockets = await members(SENDERS, (i) => member(system.baseUrl, (users[i] as Client).token));
  // warm up both paths
  await ackLoad(
    sockets.map((sender) => ({ sender, chatId: hot.id })),
    RATE / 4,
    2,
  );
  const oneChat = await ackLoad(
    sockets.map((sender) => ({ sender, chatId: hot.id })),
    RATE,
    SECONDS,
  );
  const spreadOver = async (chats: { id: string }[]) =>
    ackLoad(
      sockets.map((sender, i) => ({ sender, chatId: (chats[i] as { id: string }).id })),
      RATE,
      SECONDS,
    );
  const spread = await spreadOver(spreadChats);
  const lonely = await spreadOver(alone);
  for (const s of sockets) s.socket.close();
  const row = (what: string, r: typeof oneChat) =>
    `| ${what} | ${Math.round(r.perSecond)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.refused} |`;
  console.log(`\n${SENDERS} senders, ${RATE} messages/s offered for ${SECONDS} s, through the gateway\n`);
  console.log('| where | acked/s | ack p50 ms | ack p99 ms | refused |\n|---|---|---|---|---|');
  console.log(row('one chat of the 20', oneChat));
  console.log(row('20 chats of the same 20 (same deliveries)', spread));
  console.log(row('20 chats of one member each', lonely));
  const ratio = oneChat.p99 / Math.max(1, spread.p99);
  console.log(
    `\nhot / spread p99: ${ratio.toFixed(2)}× (target ≤ 2×): ${ratio <= 2 && oneChat.refused === 0 ? 'met' : 'NOT met'}`,
  );
} finally {
  await system.stop();
}
process.exit(0);

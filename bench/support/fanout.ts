// Shared by the delivery benchmarks: sockets that send `message:send` and count every `message:new` they receive,
// a saturated run (each sender keeps a few sends in flight) and a fixed-rate run (latency from send to each member),
// both checking that every acknowledged message reached every member exactly once. Works the same against the whole
// system (through the gateway or straight to the nodes) and against the raw Socket.IO ceiling.
// Senders are socket.io-client sockets; a member that only listens may be a `listener`, which speaks the same protocol
// with far less work per message (see there).
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKnex, repoRoot } from '@chat/kit';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';

export type Member = {
  /** message (numberOf its id) → how many times it arrived */
  got: Map<number, number>;
  latencies: number[];
  close(): void;
};

/** A member that can send: a socket.io-client socket. */
export type Sender = Member & { socket: Socket };

// Every message id heard, numbered once: members count arrivals by number, so that a message's id is kept once and not
// once per member (hundreds of thousands of strings the benchmark's own garbage collector would walk while measuring).
const numbers = new Map<string, number>();
const numberOf = (id: string) => {
  let n = numbers.get(id);
  if (n === undefined) {
    n = numbers.size;
    numbers.set(id, n);
  }
  return n;
};

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
};

/** Counts a `message:new`, and its latency when its body is a send time (`t<performance.now()>`). */
function heard(m: Member, message: { id: string; body: string }) {
  const n = numberOf(message.id);
  m.got.set(n, (m.got.get(n) ?? 0) + 1);
  const sentAt = Number(message.body.slice(1));
  if (message.body.startsWith('t') && Number.isFinite(sentAt)) m.latencies.push(performance.now() - sentAt);
}

/** A socket (websocket only) resolved once the server said `session`; it records what arrives. */
export async function member(url: string, token?: string): Promise<Sender> {
  const socket = io(url, {
    auth: token ? { token } : {},
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  const m: Sender = { socket, got: new Map(), latencies: [], close: () => socket.close() };
  socket.on('message:new', (message: { id: string; body: string }) => heard(m, message));
  await new Promise<void>((resolve, reject) => {
    socket.once('session', () => resolve());
    socket.once('connect_error', reject);
  });
  return m;
}

/**
 * A member that only listens, over a plain WebSocket speaking Engine.IO 4 and Socket.IO 5 as a socket.io-client
 * socket does on the websocket transport: it answers the open packet with a CONNECT carrying its token, each ping
 * with a pong, and reads each event packet (`42[name, payload]`) with one JSON.parse. Resolved once the server said
 * `session`. A benchmark holds hundreds of members in one process on the machine it measures: socket.io-client's
 * layers of decoders and emitters cost several times what the message's JSON does, and that process's delay in reading
 * is part of every latency it measures (its event loop delay is printed beside them).
 */
export async function listener(url: string, token?: string): Promise<Member> {
  const address = new URL('/socket.io/?EIO=4&transport=websocket', url);
  address.protocol = address.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(address, { perMessageDeflate: false });
  const m: Member = { got: new Map(), latencies: [], close: () => ws.close() };
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('close', () => reject(new Error(`${url} closed the socket before its session`)));
    ws.on('message', (data: Buffer) => {
      const packet = data.toString();
      // Engine.IO: 0 open, 2 ping, 4 message (its payload a Socket.IO packet: 0 connect, 2 event, 4 connect error)
      if (packet.startsWith('42')) {
        const [event, payload] = JSON.parse(packet.slice(2)) as [string, { id: string; body: string }];
        if (event === 'message:new') heard(m, payload);
        else if (event === 'session') resolve();
      } else if (packet[0] === '2') ws.send(`3${packet.slice(1)}`);
      else if (packet[0] === '0') ws.send(`40${JSON.stringify(token ? { token } : {})}`);
      else if (packet.startsWith('44')) reject(new Error(`connect refused: ${packet.slice(2)}`));
    });
  });
  return m;
}

/** Connects `count` members `batch` at a time. */
export async function members<T extends Member>(count: number, open: (i: number) => Promise<T>, batch = 25) {
  const all: T[] = [];
  for (let i = 0; i < count; i += batch)
    all.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => open(i + j)))));
  return all;
}

type Ack = { ok: boolean; message?: { id: string }; error?: { code: string } };

async function sendOne(sender: Sender, chatId: string, acked: Set<string>, refused: { n: number }) {
  const ack = (await sender.socket
    .timeout(10_000)
    .emitWithAck('message:send', { chatId, clientId: randomUUID(), body: `t${performance.now()}` })
    .catch(() => ({ ok: false, error: { code: 'timeout' } }))) as Ack;
  if (ack.ok && ack.message) acked.add(ack.message.id);
  else refused.n++;
}

/** Waits until every member holds every acked message (at most `ms`); then counts what is missing and doubled. */
async function settle(all: Member[], acked: Set<string>, ms = 20_000) {
  const deadline = Date.now() + ms;
  const ids = [...acked].map(numberOf);
  const missing = () => all.reduce((n, m) => n + ids.filter((id) => !m.got.has(id)).length, 0);
  // the exact count walks every member's arrivals: only once as many have arrived as are due, so that the walk does
  // not hold up the deliveries still on their way (and their latencies)
  const arrived = () => all.reduce((n, m) => n + m.got.size, 0);
  while (arrived() < all.length * ids.length && Date.now() < deadline) await sleep(50);
  while (missing() > 0 && Date.now() < deadline) await sleep(50);
  const duplicated = all.reduce((n, m) => n + [...m.got.values()].filter((c) => c > 1).length, 0);
  return { lost: missing(), duplicated };
}

function reset(all: Member[]) {
  for (const m of all) {
    m.got.clear();
    m.latencies.length = 0;
  }
}

/** Each sender keeps `window` sends in flight for `seconds`: messages and deliveries per second at saturation. */
export async function saturate(all: Member[], senders: Sender[], chatId: string, seconds: number, window = 4) {
  reset(all);
  const acked = new Set<string>();
  const refused = { n: 0 };
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    senders.flatMap((s) =>
      Array.from({ length: window }, async () => {
        while (performance.now() < until) await sendOne(s, chatId, acked, refused);
      }),
    ),
  );
  const elapsed = (performance.now() - started) / 1000;
  const ids = new Set([...acked].map(numberOf));
  const delivered = all.reduce((n, m) => n + [...m.got.keys()].filter((id) => ids.has(id)).length, 0);
  const { lost, duplicated } = await settle(all, acked);
  return {
    messagesPerSecond: acked.size / elapsed,
    deliveriesPerSecond: delivered / elapsed,
    refused: refused.n,
    lost,
    duplicated,
  };
}

export type BenchChat = { chatId: string; sender: Sender; members: Member[] };

/**
 * `inFlight` sends kept in flight for `seconds`, each to the next chat in turn (by its sender): messages and
 * deliveries per second at saturation over many chats, each delivery checked against its own chat's members.
 */
export async function saturateChats(chats: BenchChat[], seconds: number, inFlight = 64) {
  const everyone = [...new Set(chats.flatMap((c) => c.members))];
  reset(everyone);
  const acked = new Map(chats.map((c) => [c, new Set<string>()]));
  const refused = { n: 0 };
  let turn = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        const chat = chats[turn++ % chats.length] as BenchChat;
        await sendOne(chat.sender, chat.chatId, acked.get(chat) as Set<string>, refused);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const delivered = chats.reduce((n, c) => {
    const ids = new Set([...(acked.get(c) as Set<string>)].map(numberOf));
    return n + c.members.reduce((k, m) => k + [...m.got.keys()].filter((id) => ids.has(id)).length, 0);
  }, 0);
  const settled = await Promise.all(chats.map((c) => settle(c.members, acked.get(c) as Set<string>)));
  return {
    messagesPerSecond: [...acked.values()].reduce((n, ids) => n + ids.size, 0) / elapsed,
    deliveriesPerSecond: delivered / elapsed,
    refused: refused.n,
    lost: settled.reduce((n, s) => n + s.lost, 0),
    // a member in several chats is counted once per chat by settle: count its doubles once
    duplicated: everyone.reduce((n, m) => n + [...m.got.values()].filter((c) => c > 1).length, 0),
    elapsed,
  };
}

/** Starts `send(i)` `rate` times a second for `seconds`, on schedule, and waits for all; seconds it took. */
async function paced(rate: number, seconds: number, send: (i: number) => Promise<void>): Promise<number> {
  const total = Math.max(1, Math.round(rate * seconds));
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(send(i));
  }
  await Promise.all(inFlight);
  return (performance.now() - started) / 1000;
}

/** `rate` messages/s spread over the senders for `seconds`: latency from send to each member's receipt. */
export async function steady(all: Member[], senders: Sender[], chatId: string, rate: number, seconds: number) {
  reset(all);
  const acked = new Set<string>();
  const refused = { n: 0 };
  // how late this process itself ran its callbacks (its clients' reads), a part of every latency it measures
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  await paced(rate, seconds, (i) => sendOne(senders[i % senders.length] as Sender, chatId, acked, refused));
  loop.disable();
  const { lost, duplicated } = await settle(all, acked);
  const latencies = all.flatMap((m) => m.latencies);
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
    refused: refused.n,
    lost,
    duplicated,
  };
}

/** Two raw Socket.IO nodes on the same Redis adapter (the ceiling); resolves their URLs. */
export async function startRawNodes(redisUrl: string, ports: number[]) {
  const adapterKey = `bench-raw-${randomUUID().slice(0, 8)}`;
  const children = await Promise.all(
    ports.map(
      (port) =>
        new Promise<ReturnType<typeof spawn>>((resolve, reject) => {
          const child = spawn(process.execPath, [path.join(repoRoot, 'bench/support/raw-node.ts')], {
            env: { ...process.env, PORT: String(port), REDIS_URL: redisUrl, ADAPTER_KEY: adapterKey },
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          child.stdout?.once('data', () => resolve(child));
          child.once('exit', (code) => reject(new Error(`raw node exited with ${code}`)));
        }),
    ),
  );
  return {
    urls: ports.map((p) => `http://127.0.0.1:${p}`),
    stop: () => {
      for (const child of children) child.kill('SIGTERM');
    },
  };
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en');

/** `rate` sends/s for `seconds`, round robin over (sender, chat) pairs: ack latency, and how many were refused. */
export async function ackLoad(pairs: { sender: Sender; chatId: string }[], rate: number, seconds: number) {
  const acks: number[] = [];
  let refused = 0;
  const elapsed = await paced(rate, seconds, async (i) => {
    const { sender, chatId } = pairs[i % pairs.length] as { sender: Sender; chatId: string };
    const sentAt = performance.now();
    const ack = (await sender.socket
      .timeout(10_000)
      .emitWithAck('message:send', { chatId, clientId: randomUUID(), body: `t${sentAt}` })
      .catch(() => ({ ok: false }))) as Ack;
    if (ack.ok) acks.push(performance.now() - sentAt);
    else refused++;
  });
  return {
    p50: percentile(acks, 0.5),
    p99: percentile(acks, 0.99),
    perSecond: acks.length / elapsed,
    refused,
    /** Each acknowledged send's ack time, ms. */
    acks,
    elapsed,
  };
}

/**
 * ANALYZE of the system's database, as autovacuum does on one that has been running; called after a warm-up. A
 * benchmark's database is new, and PostgreSQL keeps a plan per connection made from the statistics it had: taken while
 * the messages were a few hundred, they make the send statement read the table whole to find a repeated clientId
 * (cheaper than the index then), and as the run adds a thousand messages a second that plan costs more with every
 * send, until autovacuum analyzes again, up to a minute later (docs/operations.md).
 */
export async function analyzeDatabase(databaseUrl: string) {
  const db = createKnex(databaseUrl, 'chat', { min: 0, max: 1 });
  try {
    await db.raw('analyze');
  } finally {
    await db.destroy();
  }
}

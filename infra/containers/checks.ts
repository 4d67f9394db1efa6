// What the running stack must do, seen only through the gateway as a browser sees it: users register and log in, a
// direct chat, two sockets on different realtime replicas, a message across them, a read receipt back to the author,
// and one replica stopped while both users keep sending: the other user reconnects to the survivor and nothing
// acknowledged is lost or doubled.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Chat, MessageAck, MessageWithRev } from '@chat/kit/contract';
import { io } from 'socket.io-client';
import { type ChatSocket, type Client, login, next, register } from '../../tests/support/client.ts';
import { info, seconds } from './log.ts';

const PASSWORD = 'correct horse battery';
const ms = (from: number) => `${Math.round(performance.now() - from)} ms`;

export type Person = {
  name: string;
  client: Client;
  socket: ChatSocket;
  /** The realtime node the socket is on now. */
  nodeId: string;
  /** The chat's messages this person holds (live events, own acknowledgements, catch-up), by seq. */
  seen: Map<number, MessageWithRev>;
  /** Every message this person's sends were acknowledged with, by clientId. */
  acked: Map<string, MessageWithRev>;
};

function check(ok: unknown, message: string): asserts ok {
  if (!ok) throw new Error(message);
}

/** The gateway answers its health check, serves the web app, and its API reaches the services and their storage. */
export async function gatewayServes(baseUrl: string): Promise<void> {
  const health = await fetch(`${baseUrl}/healthz`);
  check(health.status === 200, `GET /healthz answered ${health.status}`);
  const page = await fetch(`${baseUrl}/`);
  const html = await page.text();
  check(page.status === 200 && html.includes('<html'), `GET / answered ${page.status} without the web app`);
  info(`GET /healthz 200, GET / 200 (the web app, ${html.length} bytes)`);
  // the API behind it, down to PostgreSQL and Redis: an unknown user's login is refused (401), not unavailable (503)
  const from = performance.now();
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `nobody-${randomUUID().slice(0, 8)}@example.test`, password: PASSWORD }),
    });
    if (res.status === 401) {
      info(`POST /api/auth/login of an unknown user: 401 (attempt ${attempt}, ${ms(from)})`);
      return;
    }
    const text = (await res.text()).slice(0, 300);
    const retryable = [502, 503, 504].includes(res.status) && performance.now() - from < 60_000;
    check(retryable, `POST /api/auth/login of an unknown user answered ${res.status}: ${text}`);
    info(`POST /api/auth/login answered ${res.status} (${text}); again in 2 s`);
    await sleep(2_000);
  }
}

/** Two new users (production has no demo users); the first logs in again with its password. */
export async function twoUsers(baseUrl: string): Promise<[Client, Client]> {
  const registered = await register(baseUrl, 'Ann');
  const bob = await register(baseUrl, 'Bob');
  info(`registered ${registered.user.email} and ${bob.user.email} (POST /api/auth/register: 201)`);
  const ann = await login(baseUrl, registered.user.email, PASSWORD);
  check(ann.user.id === registered.user.id, 'login answered another user');
  info(`${ann.user.email} logged in (POST /api/auth/login: 200, an access token)`);
  return [ann, bob];
}

export async function directChat(ann: Client, bob: Client): Promise<Chat> {
  const { status, body } = await ann.api<Chat>('/api/chats/direct', { method: 'POST', body: { userId: bob.user.id } });
  check(status === 201 && body.kind === 'direct', `POST /api/chats/direct answered ${status}`);
  const seen = await bob.api<{ chats: Chat[] }>('/api/chats');
  check(
    seen.body.chats.some((c) => c.id === body.id),
    'the other member does not see the chat',
  );
  info(`direct chat ${body.id} (POST /api/chats/direct: 201; in both users' GET /api/chats)`);
  return body;
}

/** A socket through the gateway that reconnects by itself, as the web app's does; resolves on its first `session`. */
async function openSocket(baseUrl: string, name: string, client: Client, chatId: string): Promise<Person> {
  const socket: ChatSocket = io(baseUrl, {
    auth: { token: client.token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: true,
    reconnectionDelay: 250,
    reconnectionDelayMax: 1_000,
    randomizationFactor: 0.2,
  });
  const person: Person = { name, client, socket, nodeId: '', seen: new Map(), acked: new Map() };
  socket.on('session', (s) => {
    person.nodeId = s.nodeId;
  });
  socket.on('message:new', (m) => {
    if (m.chatId === chatId) person.seen.set(m.seq, m);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no session within 15 s`)), 15_000);
    socket.once('session', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return person;
}

/** Ann's socket, then Bob's until the gateway puts it on another replica than Ann's. */
export async function socketsOnTwoReplicas(
  baseUrl: string,
  [ann, bob]: [Client, Client],
  chatId: string,
  containerOf: (nodeId: string) => string,
): Promise<[Person, Person]> {
  const a = await openSocket(baseUrl, 'Ann', ann, chatId);
  info(`Ann's socket: node ${a.nodeId} (${containerOf(a.nodeId)})`);
  const deadline = performance.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    const b = await openSocket(baseUrl, 'Bob', bob, chatId);
    if (b.nodeId !== a.nodeId) {
      info(`Bob's socket: node ${b.nodeId} (${containerOf(b.nodeId)}), attempt ${attempt}`);
      return [a, b];
    }
    b.socket.close();
    check(performance.now() < deadline, 'every socket of Bob landed on the node of Ann');
    await sleep(300);
  }
}

/** One `message:send` with its acknowledgement; a send without an answer in 5 s is repeated with the same clientId. */
async function sendUntilAcked(
  p: Person,
  chatId: string,
  body: string,
  clientId: string = randomUUID(),
  timeoutMs = 60_000,
): Promise<{ message: MessageWithRev; attempts: number }> {
  const deadline = performance.now() + timeoutMs;
  for (let attempts = 1; ; attempts++) {
    check(performance.now() < deadline, `${p.name}: "${body}" not acknowledged within ${seconds(timeoutMs)}`);
    if (!p.socket.connected) {
      await sleep(100);
      attempts--;
      continue;
    }
    let ack: MessageAck;
    try {
      ack = await p.socket.timeout(5_000).emitWithAck('message:send', { chatId, clientId, body });
    } catch {
      // no answer: the node went away with the send; the same clientId again, wherever the socket is now
      continue;
    }
    if (ack.ok) {
      p.seen.set(ack.message.seq, ack.message);
      p.acked.set(clientId, ack.message);
      return { message: ack.message, attempts };
    }
    check(['unavailable', 'rate_limited'].includes(ack.error.code), `${p.name}: send refused: ${ack.error.code}`);
    await sleep(ack.error.retryAfterMs ?? 500);
  }
}

/** A message from one replica's socket reaches the other replica's, both ways. */
export async function messageAcrossReplicas(a: Person, b: Person, chatId: string): Promise<void> {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    const sentAt = performance.now();
    const arrives = next(to.socket, 'message:new', (m) => m.chatId === chatId && m.body === `hello from ${from.name}`);
    const { message } = await sendUntilAcked(from, chatId, `hello from ${from.name}`);
    const ackedIn = ms(sentAt);
    const got = await arrives;
    check(got.id === message.id, 'a different message arrived');
    info(
      `${from.name} → ${to.name}: seq ${message.seq} acknowledged in ${ackedIn}, delivered on the other node in ${ms(sentAt)}`,
    );
  }
}

/** The author sends a message; the reader, on its socket, marks the chat read up to it; the author gets `receipt`. */
export async function readReceipt(author: Person, reader: Person, chatId: string, body = 'read me'): Promise<void> {
  const arrives = next(reader.socket, 'message:new', (m) => m.chatId === chatId && m.body === body, 15_000);
  const { message } = await sendUntilAcked(author, chatId, body);
  check((await arrives).id === message.id, 'a different message arrived');
  const from = performance.now();
  const receipt = next(
    author.socket,
    'receipt',
    (r) => r.chatId === chatId && r.userId === reader.client.user.id && r.readSeq >= message.seq,
    15_000,
  );
  const ack = await reader.socket.emitWithAck('chat:read', { chatId, seq: message.seq });
  check(ack.ok, `chat:read answered ${JSON.stringify(ack)}`);
  const got = await receipt;
  info(
    `${reader.name} (node ${reader.nodeId}) read ${author.name}'s seq ${message.seq}; ` +
      `${author.name} (node ${author.nodeId}) got the receipt, readSeq ${got.readSeq}, in ${ms(from)}`,
  );
}

/** GET …/messages?after= from the highest seq held without a gap, as clients do after every reconnect. */
async function catchUp(p: Person, chatId: string): Promise<number> {
  let after = 0;
  while (p.seen.has(after + 1)) after++;
  let added = 0;
  for (;;) {
    const { status, body } = await p.client.api<{ messages: MessageWithRev[] }>(
      `/api/chats/${chatId}/messages?after=${after}&limit=100`,
    );
    check(status === 200, `catch-up answered ${status}`);
    for (const m of body.messages) {
      if (!p.seen.has(m.seq)) added++;
      p.seen.set(m.seq, m);
      after = Math.max(after, m.seq);
    }
    if (body.messages.length < 100) return added;
  }
}

async function history(client: Client, chatId: string): Promise<MessageWithRev[]> {
  const all: MessageWithRev[] = [];
  for (;;) {
    const after = all.at(-1)?.seq ?? 0;
    const { body } = await client.api<{ messages: MessageWithRev[] }>(
      `/api/chats/${chatId}/messages?after=${after}&limit=100`,
    );
    all.push(...body.messages);
    if (body.messages.length < 100) return all;
  }
}

export type Failover = {
  /** Stops (or kills) the given node's container; answers its name and how it went. */
  stopNode: (nodeId: string) => Promise<{ container: string; how: string }>;
  containerOf: (nodeId: string) => string;
};

/**
 * Both users send steadily (one message in flight each, every 250 ms); the replica holding Bob's socket is stopped.
 * Bob's socket reconnects through the gateway to the survivor and catches up; both keep sending there. Then: every
 * send was acknowledged, the history is gapless with each clientId once, both users hold all of it, and new messages
 * and a receipt still go live between them.
 */
export async function survivesStoppedReplica(a: Person, b: Person, chatId: string, failover: Failover): Promise<void> {
  let sending = true;
  const acked: { by: string; attempts: number }[] = [];
  const loop = async (p: Person) => {
    for (let i = 1; sending; i++) {
      const { attempts } = await sendUntilAcked(p, chatId, `${p.name} ${i}`);
      acked.push({ by: p.name, attempts });
      await sleep(250);
    }
  };
  const loops = Promise.all([loop(a), loop(b)]);
  // awaited below; a failure before that must not go unhandled meanwhile
  loops.catch(() => {});
  await sleep(2_000);

  const victimNode = b.nodeId;
  let annDisconnects = 0;
  const annDisconnected = () => annDisconnects++;
  a.socket.on('disconnect', annDisconnected);
  const stopAt = performance.now();
  let disconnectedAt = 0;
  b.socket.once('disconnect', () => {
    disconnectedAt = performance.now();
  });
  const beforeStop = acked.length;
  const reconnected = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Bob's socket did not come back within 60 s")), 60_000);
    const onSession = (s: { nodeId: string }) => {
      if (s.nodeId === victimNode) return;
      clearTimeout(timer);
      b.socket.off('session', onSession);
      resolve(performance.now());
    };
    b.socket.on('session', onSession);
  });
  reconnected.catch(() => {});
  const stopped = await failover.stopNode(victimNode);
  info(
    `${stopped.container} (node ${victimNode}, Bob's) ${stopped.how} in ${ms(stopAt)}, ` +
      `after ${beforeStop} acknowledged sends`,
  );
  const backAt = await reconnected;
  info(
    `Bob's socket: disconnected ${disconnectedAt ? `${Math.round(disconnectedAt - stopAt)} ms` : '?'} after the signal, ` +
      `back on node ${b.nodeId} (${failover.containerOf(b.nodeId)}) ${Math.round(backAt - (disconnectedAt || stopAt))} ms later`,
  );
  check(b.nodeId === a.nodeId, `Bob came back on ${b.nodeId}, not on the survivor ${a.nodeId}`);
  const fetched = await catchUp(b, chatId);
  info(
    `Bob's catch-up after the reconnect (GET …/messages?after=): ${fetched} message${fetched === 1 ? '' : 's'} ` +
      'he had not received live',
  );

  await sleep(2_000);
  sending = false;
  await loops;
  a.socket.off('disconnect', annDisconnected);
  info(
    annDisconnects === 0
      ? `Ann's socket stayed connected to ${failover.containerOf(a.nodeId)} throughout`
      : `Ann's socket was disconnected ${annDisconnects} times, now on ${failover.containerOf(a.nodeId)}`,
  );
  const retried = acked.filter((x) => x.attempts > 1);
  info(
    `${acked.length} sends, all acknowledged (Ann ${acked.filter((x) => x.by === 'Ann').length}, ` +
      `Bob ${acked.filter((x) => x.by === 'Bob').length}); ${retried.length} sent again with the same clientId after no answer`,
  );

  // still live both ways, and receipts still reach the author
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    const body = `${from.name} after the failover`;
    const sentAt = performance.now();
    const arrives = next(to.socket, 'message:new', (m) => m.chatId === chatId && m.body === body, 15_000);
    const { message } = await sendUntilAcked(from, chatId, body);
    check((await arrives).id === message.id, 'a different message arrived');
    info(`new message ${from.name} → ${to.name}: seq ${message.seq}, delivered live in ${ms(sentAt)}`);
  }
  await readReceipt(a, b, chatId, 'read me after the failover');

  // nothing acknowledged lost, nothing doubled, both users hold the whole chat
  const all = await history(a.client, chatId);
  const seqs = all.map((m) => m.seq);
  check(
    seqs.every((s, i) => s === i + 1),
    `the history's seqs have a gap: ${seqs.join(',')}`,
  );
  const byClientId = new Map<string, number>();
  for (const m of all) byClientId.set(m.clientId, (byClientId.get(m.clientId) ?? 0) + 1);
  const doubled = [...byClientId].filter(([, n]) => n > 1);
  check(doubled.length === 0, `messages stored twice: ${doubled.map(([c]) => c).join(', ')}`);
  const everyAck = [...a.acked.values(), ...b.acked.values()];
  const lost = everyAck.filter((m) => all[m.seq - 1]?.id !== m.id);
  check(lost.length === 0, `acknowledged but not in the history: ${lost.map((m) => m.body).join(', ')}`);
  const unacked = all.filter((m) => !a.acked.has(m.clientId) && !b.acked.has(m.clientId));
  check(unacked.length === 0, `messages no send was acknowledged with: ${unacked.map((m) => m.body).join(', ')}`);
  for (const p of [a, b]) {
    await catchUp(p, chatId);
    const missing = all.filter((m) => p.seen.get(m.seq)?.id !== m.id);
    check(missing.length === 0, `${p.name} lacks seq ${missing.map((m) => m.seq).join(',')}`);
  }
  info(
    `history: seq 1..${all.length} without a gap, every clientId once, all ${everyAck.length} acknowledged messages in it, ` +
      'both users hold every message: 0 lost, 0 duplicated',
  );
}

export function closeAll(people: Person[]) {
  for (const p of people) p.socket.close();
}

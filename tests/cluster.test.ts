// The whole system on a Redis Cluster (three masters, a replica each): live delivery across two realtime nodes over
// sharded Pub/Sub, presence, read receipts through the BullMQ worker, and a master killed under it.
import { randomUUID } from 'node:crypto';
import { startRedisCluster, type TestRedisCluster } from '@chat/infra/redis-cluster';
import { until } from '@chat/infra/testing';
import type { Message } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFor,
  type ChatSocket,
  type Client,
  connect,
  connectElsewhere,
  groupOf,
  next,
  register,
  send,
} from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

let cluster: TestRedisCluster;
let system: RunningSystem;
let base: string;

beforeAll(async () => {
  cluster = await startRedisCluster({ nodeTimeoutMs: 2_000 });
  system = await startSystem({
    REDIS_URL: cluster.url,
    REDIS_CLUSTER_NODES: cluster.nodeList,
    PRESENCE_HEARTBEAT_SECONDS: '1',
    PRESENCE_TTL_SECONDS: '3',
  });
  base = system.baseUrl;
}, 180_000);

afterAll(async () => {
  await system?.stop();
  await cluster?.stop();
});

/** Two members of a new group, each with a socket, on different realtime nodes. */
async function pairOnTwoNodes() {
  const [author, reader] = [await register(base, 'Author'), await register(base, 'Reader')];
  const chat = await groupOf(author, [reader]);
  const a = await connect(base, author.token);
  const b = await connectElsewhere(base, reader.token, a.nodeId);
  return { author, reader, chat, a, b };
}

/**
 * What a member sees of a chat, kept as the web app keeps it: live `message:new`, and a catch-up from history after
 * a gap in `seq`, a `resync` from its node, or a reconnect (to any node, through the gateway).
 */
function follow(member: Client, chatId: string, first: ChatSocket) {
  const seen = new Map<number, Message>();
  let caughtUpTo = 0;
  let closed = false;
  const contiguous = () => {
    while (seen.has(caughtUpTo + 1)) caughtUpTo++;
    return caughtUpTo;
  };
  let catching: Promise<void> | undefined;
  const catchUp = () => {
    catching ??= (async () => {
      for (;;) {
        const after = contiguous();
        const page = await member.api<{ messages: Message[] }>(
          `/api/chats/${chatId}/messages?after=${after}&limit=100`,
        );
        if (page.status !== 200) break;
        for (const m of page.body.messages) seen.set(m.seq, m);
        if (page.body.messages.length < 100) break;
      }
    })().finally(() => {
      catching = undefined;
    });
    return catching;
  };
  const attach = (socket: ChatSocket) => {
    socket.on('message:new', (m) => {
      if (m.chatId !== chatId) return;
      seen.set(m.seq, m);
      if (m.seq > contiguous() + 1) void catchUp().catch(() => {});
    });
    socket.on('resync', () => void catchUp().catch(() => {}));
    socket.on('disconnect', async () => {
      while (!closed) {
        try {
          const again = await connect(base, member.token);
          attach(again.socket);
          current = again.socket;
          await catchUp();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    });
  };
  let current = first;
  attach(first);
  return {
    socket: () => current,
    has: (ids: string[]) => ids.every((id) => [...seen.values()].some((m) => m.id === id)),
    close() {
      closed = true;
      current.close();
    },
  };
}

describe('on a Redis Cluster', () => {
  it('delivers a message sent on one node live to a member on the other', async () => {
    const { chat, a, b } = await pairOnTwoNodes();
    expect(a.nodeId).not.toBe(b.nodeId);
    const arriving = next(b.socket, 'message:new', (m) => m.chatId === chat.id, 20_000);
    const sent = await send(a.socket, chat.id, 'over sharded Pub/Sub');
    expect(sent.ok).toBe(true);
    expect(await arriving).toMatchObject({ chatId: chat.id, body: 'over sharded Pub/Sub', seq: 1 });
    a.socket.close();
    b.socket.close();
  });

  it('announces a member online and offline to a contact on the other node', async () => {
    const { author, a, b } = await pairOnTwoNodes();
    // the author goes away and comes back on the other node than the reader's
    const gone = next(b.socket, 'presence', (p) => !p.online && p.userId === author.user.id, 20_000);
    a.socket.close();
    await gone;
    const online = next(b.socket, 'presence', (p) => p.online && p.userId === author.user.id, 20_000);
    const again = await connectElsewhere(base, author.token, b.nodeId);
    expect(await online).toMatchObject({ userId: author.user.id, online: true });
    const offline = next(b.socket, 'presence', (p) => !p.online && p.userId === author.user.id, 20_000);
    again.socket.close();
    expect(await offline).toMatchObject({ userId: author.user.id, online: false });
    b.socket.close();
  });

  it("brings the reader's read mark to the author through the receipts worker", async () => {
    const { reader, chat, a, b } = await pairOnTwoNodes();
    const sent = await send(a.socket, chat.id, 'read me');
    if (!sent.ok) throw new Error(sent.error.code);
    const receipt = next(a.socket, 'receipt', (r) => r.userId === reader.user.id && r.readSeq === 1, 20_000);
    expect(await b.socket.emitWithAck('chat:read', { chatId: chat.id, seq: sent.message.seq })).toEqual({ ok: true });
    expect(await receipt).toEqual({ chatId: chat.id, userId: reader.user.id, readSeq: 1 });
    a.socket.close();
    b.socket.close();
  });

  it('ends a session everywhere: its sockets on both nodes are cut off and its token refused', async () => {
    const { user } = await register(base, 'Leaver');
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: 'correct horse battery' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const one = await connect(base, accessToken);
    const other = await connectElsewhere(base, accessToken, one.nodeId);
    const ended = [one, other].map((c) => next(c.socket, 'session:ended', () => true, 20_000));
    const logout = await fetch(`${base}/api/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(logout.status).toBe(204);
    expect(await Promise.all(ended)).toEqual([{ reason: 'logout' }, { reason: 'logout' }]);
    await until(async () => (await apiFor(base, accessToken)('/api/chats')).status === 401, 20_000);
  });

  it('keeps delivering when a master dies and its replica takes over', async () => {
    const { author, reader, chat, a, b } = await pairOnTwoNodes();
    const view = follow(reader, chat.id, b.socket);
    const acked: string[] = [];
    /** Sends as the web app's outbox does: the same clientId until it is acknowledged. */
    const sendUntilAcked = async (body: string) => {
      const clientId = randomUUID();
      await until(
        async () => {
          const res = await author.api<Message>(`/api/chats/${chat.id}/messages`, {
            method: 'POST',
            body: { clientId, body },
          });
          if (res.status !== 200 && res.status !== 201) return false;
          acked.push(res.body.id);
          return true;
        },
        60_000,
        200,
      );
    };
    for (let i = 0; i < 5; i++) await sendUntilAcked(`before ${i}`);
    await until(() => view.has(acked), 30_000);

    // the master of the chat room's channel dies (the reader's node is subscribed there), and its replica takes over
    const roomChannel = `${system.plan.redisPrefix}:socket.io#/#chat:${chat.id}#`;
    const sending = (async () => {
      for (let i = 0; i < 10; i++) await sendUntilAcked(`during ${i}`);
    })();
    await cluster.killMaster(await cluster.masterOf(roomChannel));
    await sending;
    for (let i = 0; i < 10; i++) await sendUntilAcked(`after ${i}`);

    await until(() => view.has(acked), 60_000, 100);
    expect(acked).toHaveLength(25);
    // and live delivery is back on the reader's socket (the one it held, or the one it reconnected with)
    await until(async () => {
      const body = `live ${randomUUID()}`;
      const heard = next(view.socket(), 'message:new', (m) => m.body === body, 3_000).then(
        () => true,
        () => false,
      );
      await sendUntilAcked(body);
      return heard;
    }, 60_000);
    await until(() => view.has(acked), 30_000, 100);
    view.close();
    a.socket.close();
  });
});

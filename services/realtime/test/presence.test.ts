// Presence in Redis as two nodes see it: each transition is announced once, whichever node makes it.
import { randomUUID } from 'node:crypto';
import { createRedis, presenceKeyPrefix } from '@chat/kit';
import { startRedisServer, testPrefix, testRedisUrl, until } from '@chat/infra/testing';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { createPresence } from '../src/presence.ts';
import { tokenBucket } from '../src/rateLimit.ts';

const redis = createRedis(testRedisUrl());
afterAll(() => redis.disconnect());

const node = (prefix: string, nodeId: string, ttlSeconds = 30) => createPresence(redis, prefix, { nodeId, ttlSeconds });

describe('presence', () => {
  it('announces online for the first socket and offline only when the last one leaves, across nodes', async () => {
    const prefix = testPrefix();
    const nodeA = node(prefix, 'a');
    const nodeB = node(prefix, 'b');
    const user = randomUUID();
    expect(await nodeA.arrive(user, 'socket-a')).toBe(true);
    expect(await nodeB.arrive(user, 'socket-b')).toBe(false);
    expect(await nodeA.leave(user, 'socket-a')).toBeNull();
    const lastSeen = await nodeB.leave(user, 'socket-b');
    expect(lastSeen).not.toBeNull();
    expect(await nodeA.stateOf([user])).toEqual([{ userId: user, online: false, lastSeenAt: lastSeen }]);
  });

  it("lets exactly one node announce a dead node's users offline once its liveness key expires", async () => {
    const prefix = testPrefix();
    const dead = node(prefix, 'dead', 1);
    const survivors = [node(prefix, 'left'), node(prefix, 'right')];
    for (const n of [dead, ...survivors]) await n.start();
    const [user, other] = [randomUUID(), randomUUID()];
    await dead.arrive(user, 'socket-on-dead-node');
    await dead.arrive(other, 'socket-on-dead-node-2');
    await survivors[0]?.arrive(other, 'socket-on-a-survivor');
    expect((await survivors[0]!.stateOf([user]))[0]?.online).toBe(true);
    // while its key lives, nobody touches its sockets
    expect(await survivors[0]!.sweepDeadNodes()).toEqual([]);
    // without a heartbeat its key expires after its TTL (1 s)
    await until(async () => (await redis.exists(`${presenceKeyPrefix(prefix)}:node:dead`)) === 0, 5_000);
    const sweeps = (await Promise.all(survivors.flatMap((s) => [s.sweepDeadNodes(), s.sweepDeadNodes()]))).flat();
    expect(sweeps.map((s) => s.userId)).toEqual([user]);
    expect((await survivors[1]!.stateOf([user, other])).map((s) => s.online)).toEqual([false, true]);
  });

  it('takes out what a previous run under the same node id left, before its first socket', async () => {
    const prefix = testPrefix();
    const user = randomUUID();
    await node(prefix, 'realtime-1').arrive(user, 'from-the-run-that-crashed');
    const restarted = node(prefix, 'realtime-1');
    expect((await restarted.start()).map((s) => s.userId)).toEqual([user]);
    expect((await restarted.stateOf([user]))[0]?.online).toBe(false);
  });

  it('costs Redis nothing per idle socket: a heartbeat and a sweep are the same few commands for 1 or 1,000 sockets', async () => {
    // a Redis of its own: the command counter is the server's, and other tests share the usual one
    const own = await startRedisServer();
    const ownClient = createRedis(own.url);
    onTestFinished(async () => {
      ownClient.disconnect();
      await own.stop();
    });
    const commandsProcessed = async () =>
      Number(/total_commands_processed:(\d+)/.exec(await ownClient.info('stats'))?.[1]);
    const prefix = testPrefix();
    const busy = createPresence(ownClient, prefix, { nodeId: 'busy', ttlSeconds: 30 });
    await busy.start();
    await Promise.all(Array.from({ length: 1_000 }, (_, i) => busy.arrive(randomUUID(), `s${i}`)));
    const before = await commandsProcessed();
    await busy.heartbeat();
    await busy.sweepDeadNodes();
    const perRound = (await commandsProcessed()) - before;
    // INFO, MULTI/SET/SADD/EXEC, SMEMBERS (and EXISTS per other node): independent of the sockets held
    expect(perRound).toBeLessThan(10);
  });
});

describe('socket rate limit', () => {
  it('allows a burst, then refuses while no token has refilled', () => {
    const allow = tokenBucket(5, 0.001);
    expect(Array.from({ length: 8 }, () => allow())).toEqual([true, true, true, true, true, false, false, false]);
  });
});

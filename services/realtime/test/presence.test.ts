// Presence in Redis as two nodes see it: each transition is announced once, whichever node makes it.
import { randomUUID } from 'node:crypto';
import { createRedis } from '@chat/kit';
import { testPrefix, testRedisUrl } from '@chat/infra/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createPresence } from '../src/presence.ts';
import { tokenBucket } from '../src/rateLimit.ts';

const redis = createRedis(testRedisUrl());
afterAll(() => redis.disconnect());

describe('presence', () => {
  it('announces online for the first socket and offline only when the last one leaves, across nodes', async () => {
    const prefix = testPrefix();
    const nodeA = createPresence(redis, prefix, 30);
    const nodeB = createPresence(redis, prefix, 30);
    const user = randomUUID();
    expect(await nodeA.arrive(user, 'socket-a')).toBe(true);
    expect(await nodeB.arrive(user, 'socket-b')).toBe(false);
    expect(await nodeA.leave(user, 'socket-a')).toBeNull();
    const lastSeen = await nodeB.leave(user, 'socket-b');
    expect(lastSeen).not.toBeNull();
    expect(await nodeA.stateOf([user])).toEqual([{ userId: user, online: false, lastSeenAt: lastSeen }]);
  });

  it("lets exactly one node announce a dead node's user offline once the heartbeats stop", async () => {
    const prefix = testPrefix();
    const dead = createPresence(redis, prefix, 1);
    const survivors = [createPresence(redis, prefix, 30), createPresence(redis, prefix, 30)];
    const user = randomUUID();
    await dead.arrive(user, 'socket-on-dead-node');
    expect((await survivors[0]!.stateOf([user]))[0]?.online).toBe(true);
    // the dead node's entry expires after its TTL (1 s) without a heartbeat
    await new Promise((r) => setTimeout(r, 1_100));
    const sweeps = await Promise.all(survivors.flatMap((node) => [node.leave(user), node.leave(user)]));
    expect(sweeps.filter(Boolean)).toHaveLength(1);
    expect(await survivors[1]!.onlineUsers()).not.toContain(user);
  });

  it('keeps a socket alive while its node heartbeats', async () => {
    const prefix = testPrefix();
    const node = createPresence(redis, prefix, 1);
    const user = randomUUID();
    await node.arrive(user, 's');
    await new Promise((r) => setTimeout(r, 600));
    await node.heartbeat([{ userId: user, socketId: 's' }]);
    await new Promise((r) => setTimeout(r, 600));
    expect(await node.leave(user)).toBeNull();
    expect((await node.stateOf([user]))[0]?.online).toBe(true);
  });
});

describe('socket rate limit', () => {
  it('allows a burst, then refuses while no token has refilled', () => {
    const allow = tokenBucket(5, 0.001);
    expect(Array.from({ length: 8 }, () => allow())).toEqual([true, true, true, true, true, false, false, false]);
  });
});

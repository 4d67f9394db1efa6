// The whole system both ways of carrying the browsers' WebSockets: in the gateway's one connection to each realtime node
// (REALTIME_STREAMS, the default, which every other whole-system test runs with) and each proxied in a connection of its
// own. Either way sends are acked and delivered live across nodes, and long-polling upgrades on its pinned node.
import type { Message } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, collect, connect, connectElsewhere, groupOf, next, register, send } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

describe.each([
  { mode: 'with the browsers carried to each node in one connection', REALTIME_STREAMS: 'true' },
  { mode: 'with each browser proxied in a connection of its own', REALTIME_STREAMS: 'false' },
])('$mode', ({ REALTIME_STREAMS }) => {
  let system: RunningSystem;
  let alice: Client;
  let bob: Client;

  beforeAll(async () => {
    system = await startSystem({ REALTIME_STREAMS });
    [alice, bob] = await Promise.all([register(system.baseUrl, 'Alice'), register(system.baseUrl, 'Bob')]);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('delivers live across nodes, in order, each once, over WebSocket and after long-polling upgraded', async () => {
    const chat = await groupOf(alice, [bob], 'Carried');
    const a = await connect(system.baseUrl, alice.token);
    const b = await connectElsewhere(system.baseUrl, bob.token, a.nodeId);
    const polling = await connect(system.baseUrl, bob.token, ['polling', 'websocket']);
    const heard = collect(b.socket, 'message:new');
    const heardPolling = collect(polling.socket, 'message:new');
    const last = next(b.socket, 'message:new', (m) => m.body === 'm20');
    const acks = [];
    for (let i = 1; i <= 20; i++) acks.push(await send(a.socket, chat.id, `m${i}`));
    expect(acks.every((ack) => ack.ok)).toBe(true);
    await last;
    const bodies = (ms: Message[]) => ms.filter((m) => m.chatId === chat.id).map((m) => m.body);
    expect(bodies(heard)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 1}`));
    await expect.poll(() => bodies(heardPolling).length).toBe(20);
    expect(bodies(heardPolling)).toEqual(bodies(heard));
    expect(polling.socket.io.engine.transport.name).toBe('websocket');
    for (const s of [a.socket, b.socket, polling.socket]) s.close();
  });
});

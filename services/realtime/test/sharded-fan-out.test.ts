// On a Redis Cluster: what the services publish with the kit's sharded publisher reaches sockets on a node that uses
// the sharded adapter, and is what the adapter itself would have sent.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, createRedis, encodeShardedMessage, type Redis, ShardedEmitter, SingleRedis } from '@chat/kit';
import { startRedisCluster, type TestRedisCluster } from '@chat/infra/redis-cluster';
import { testPrefix, until } from '@chat/infra/testing';
import { Server } from 'socket.io';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFanOut, type FanOut } from '../src/fanOut.ts';

type Events = { note: (payload: { text: string }) => void };

let cluster: TestRedisCluster;
let redis: Redis;
let fanOut: FanOut;
let server: Server;
let url: string;
const prefix = testPrefix();
const channelPrefix = `${prefix}:socket.io`;

beforeAll(async () => {
  cluster = await startRedisCluster();
  redis = createRedis({ REDIS_URL: cluster.url, REDIS_CLUSTER_NODES: cluster.nodes });
  fanOut = createFanOut(redis, prefix, createLogger('test', 'silent'));
  const http = createServer();
  server = new Server(http, { adapter: fanOut.adapter });
  // a socket joins the rooms it names
  server.on('connection', (socket) => socket.join(String(socket.handshake.query.rooms).split(',')));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  server?.close();
  fanOut?.close();
  redis?.disconnect();
  await cluster?.stop();
});

async function socketIn(rooms: string[]): Promise<Socket> {
  const socket = connectClient(url, { transports: ['websocket'], query: { rooms: rooms.join(',') }, forceNew: true });
  await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
  return socket;
}

/** What `socket` hears of `event` while `publish` is repeated (a new room's channel is subscribed a moment later). */
async function heardWhile(socket: Socket, publish: () => Promise<unknown>, match: (text: string) => boolean) {
  const heard: string[] = [];
  socket.on('note', ({ text }: { text: string }) => heard.push(text));
  await until(
    async () => {
      await publish();
      return heard.some(match);
    },
    20_000,
    100,
  );
  return heard;
}

describe('the sharded publisher', () => {
  it('reaches a socket in a room on a node that uses the sharded adapter', async () => {
    const socket = await socketIn(['chat:a', 'user:u1']);
    const publisher = new ShardedEmitter<Events>(redis, { channelPrefix });
    await heardWhile(
      socket,
      () => publisher.to('chat:a').emit('note', { text: 'to the chat' }),
      (t) => t === 'to the chat',
    );
    // several rooms at once go through the namespace's channel
    await heardWhile(
      socket,
      () => publisher.to(['user:u1', 'user:u2']).emit('note', { text: 'to users' }),
      (t) => t === 'to users',
    );
    socket.close();
  });

  it('skips the sockets of excepted rooms', async () => {
    const kept = await socketIn(['chat:b', 'user:kept']);
    const excepted = await socketIn(['chat:b', 'user:excepted']);
    const publisher = new ShardedEmitter<Events>(redis, { channelPrefix });
    const heardByExcepted: string[] = [];
    excepted.on('note', ({ text }: { text: string }) => heardByExcepted.push(text));
    await heardWhile(
      kept,
      () => publisher.to('chat:b').except('user:excepted').emit('note', { text: 'not for all' }),
      (t) => t === 'not for all',
    );
    // the excepted socket is in the same room on the same node: had it been sent, it would have arrived first
    expect(heardByExcepted).toEqual([]);
    kept.close();
    excepted.close();
  });

  it("makes a room's sockets join and leave another room", async () => {
    const socket = await socketIn(['user:joiner']);
    const publisher = new ShardedEmitter<Events>(redis, { channelPrefix });
    await heardWhile(
      socket,
      async () => {
        await publisher.in('user:joiner').socketsJoin('chat:joined');
        await publisher.to('chat:joined').emit('note', { text: 'after joining' });
      },
      (t) => t === 'after joining',
    );
    await publisher.in('user:joiner').socketsLeave('chat:joined');
    await until(() => !server.of('/').adapter.rooms.get('chat:joined')?.size);
    socket.close();
  });

  it("publishes, byte for byte, what the adapter publishes (but for the sender's uid)", async () => {
    const room = 'chat:bytes';
    const listener = await socketIn([room]);
    const channel = `${channelPrefix}#/#${room}#`;
    const sub = new SingleRedis(`redis://${await cluster.masterOf(channel)}`);
    const raw: Buffer[] = [];
    sub.on('smessageBuffer', (_channel: Buffer, message: Buffer) => raw.push(message));
    await sub.ssubscribe(channel);
    const payload = { text: 'the same bytes', at: 1, list: [1, 'two', null], nested: { ok: true } };
    server.to(room).emit('note', payload);
    await until(() => raw.length === 1);
    const fromAdapter = JSON.parse(String(raw[0])) as { uid: string };
    const publisher = new ShardedEmitter<Events>(redis, { channelPrefix });
    await publisher.to(room).emit('note', payload as never);
    await until(() => raw.length === 2);
    expect(String(raw[1])).toBe(String(raw[0]).replace(`"uid":"${fromAdapter.uid}"`, '"uid":"emitter"'));
    // flags and except travel as the adapter writes them
    server.to(room).except('user:nobody').volatile.emit('note', payload);
    await publisher
      .to(room)
      .except('user:nobody')
      .volatile.emit('note', payload as never);
    await until(() => raw.length === 4);
    expect(String(raw[2])).toContain('"except":["user:nobody"],"flags":{"volatile":true}');
    expect(String(raw[3])).toBe(String(raw[2]).replace(`"uid":"${fromAdapter.uid}"`, '"uid":"emitter"'));
    // binary goes as MessagePack, which the adapter reads too
    const binary = encodeShardedMessage(3, { packet: { data: ['note', Buffer.from('x')] } }, '/');
    expect(Buffer.isBuffer(binary) && binary[0] !== 0x7b).toBe(true);
    sub.disconnect();
    listener.close();
  });
});

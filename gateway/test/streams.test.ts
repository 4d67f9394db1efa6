// Browsers' WebSockets carried to a realtime node in one connection: what a browser and a node say arrives whole and
// in order both ways, a broadcast crosses once for all its members, and either side ending ends the other.
import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, INTERNAL_TOKEN_HEADER, STREAMS_PATH } from '@chat/kit';
import { until } from '@chat/infra/testing';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { acceptGatewayStreams } from '../../services/realtime/src/streams.ts';
import { createGatewayStreams } from '../src/routes/streams.ts';

const TOKEN = 'a-token-of-twenty-chars';
const log = createLogger('test', 'silent');
const cleanup: (() => unknown)[] = [];

afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function listening(server: HttpServer) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A Socket.IO node taking the gateway's streams, and a gateway carrying browsers to it. */
async function nodeAndGateway(maxFrameBytes = 64 * 1024) {
  const nodeHttp = createServer();
  const io = new Server(nodeHttp, { transports: ['websocket', 'polling'] });
  const streams = acceptGatewayStreams(io, nodeHttp, { internalToken: TOKEN, maxFrameBytes, logger: log });
  const nodeUrl = await listening(nodeHttp);
  const sockets: ServerSocket[] = [];
  io.on('connection', (socket) => {
    sockets.push(socket);
    void socket.join('room');
  });
  cleanup.push(() => {
    streams.close();
    io.close();
  });
  const gateway = createGatewayStreams({
    internalToken: TOKEN,
    maxFrameBytes: 1024 * 1024,
    maxBufferedBytes: 1024 * 1024,
    log,
  });
  const gatewayHttp = createServer();
  gatewayHttp.on('upgrade', (req, socket, head) => {
    void gateway.upgrade(req, socket, head, nodeUrl, {
      url: req.url ?? '/',
      headers: { 'x-forwarded-for': '203.0.113.7' },
      address: '203.0.113.7',
    });
  });
  const gatewayUrl = await listening(gatewayHttp);
  cleanup.push(() => gateway.close());
  return { io, sockets, gatewayUrl, nodeUrl, gateway, nodeStreams: streams };
}

/** The first `event` a browser's socket hears, with what came with it. */
const heard = (socket: Socket, event: string) =>
  new Promise<unknown[]>((resolve) => socket.once(event, (...args: unknown[]) => resolve(args)));

async function browser(url: string): Promise<Socket> {
  const socket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  cleanup.push(() => socket.close());
  await heard(socket, 'connect');
  return socket;
}

/** `count` browsers carried to a node, in its room, each keeping the numbers it hears as `note`, in order. */
async function browsersNoting(count: number) {
  const node = await nodeAndGateway();
  const browsers = await Promise.all(Array.from({ length: count }, () => browser(node.gatewayUrl)));
  await until(() => node.sockets.length === count);
  const notes = browsers.map((b) => {
    const got: number[] = [];
    b.on('note', (n: number) => got.push(n));
    return got;
  });
  return { ...node, notes };
}

describe('a browser carried to a node', () => {
  it('talks to it both ways, in order, with acks, as from its own address', async () => {
    const { io, sockets, gatewayUrl } = await nodeAndGateway();
    io.on('connection', (socket) => socket.on('echo', (n: number, ack: (n: number) => void) => ack(n)));
    const b = await browser(gatewayUrl);
    await until(() => sockets.length === 1);
    expect(sockets[0]?.handshake.address).toBe('203.0.113.7');
    const notes: number[] = [];
    b.on('note', (n: number) => notes.push(n));
    for (let n = 0; n < 100; n++) (sockets[0] as ServerSocket).emit('note', n);
    const acks = await Promise.all(Array.from({ length: 50 }, (_, n) => b.emitWithAck('echo', n)));
    expect(acks).toEqual(Array.from({ length: 50 }, (_, n) => n));
    await until(() => notes.length === 100);
    expect(notes).toEqual(Array.from({ length: 100 }, (_, n) => n));
  });

  it('gets a broadcast once each, in order, with every other browser of the room', async () => {
    const { io, notes } = await browsersNoting(20);
    for (let n = 0; n < 30; n++) io.to('room').emit('note', n);
    await until(() => notes.every((got) => got.length === 30));
    for (const got of notes) expect(got).toEqual(Array.from({ length: 30 }, (_, n) => n));
  });

  it('gets a broadcast in its place among what the node sent it alone, in one turn or over several', async () => {
    const { io, sockets, notes } = await browsersNoting(3);
    // a socket's own packets wait while one is on its way: a broadcast after them waits behind them
    const pattern = ['own', 'own', 'room', 'room', 'own', 'room'];
    let n = 0;
    for (let turn = 0; turn < 10; turn++) {
      for (const to of pattern) {
        if (to === 'room') io.to('room').emit('note', n);
        else for (const socket of sockets) socket.emit('note', n);
        n++;
      }
      await new Promise(setImmediate);
    }
    await until(() => notes.every((got) => got.length === n));
    for (const got of notes) expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('gets messages of every frame length whole, text and binary, short and long', async () => {
    const { sockets, gatewayUrl } = await nodeAndGateway();
    const b = await browser(gatewayUrl);
    await until(() => sockets.length === 1);
    // each side of the lengths where a frame's header changes, 125/126 and 65,535/65,536 bytes: a binary frame is the
    // data itself, a text frame the data and 13 bytes of the event around it
    const sizes = [0, 1, 112, 113, 125, 126, 200, 65_522, 65_523, 65_535, 65_536, 200_000];
    const texts: string[] = [];
    const bins: number[] = [];
    b.on('text', (s: string) => texts.push(s));
    b.on('bin', (data: ArrayBuffer) => bins.push(data.byteLength));
    for (const size of sizes) {
      (sockets[0] as ServerSocket).emit('text', 'é'.repeat(Math.floor(size / 2)) + 'x'.repeat(size % 2));
      (sockets[0] as ServerSocket).emit('bin', Buffer.alloc(size, 7));
    }
    await until(() => texts.length === sizes.length && bins.length === sizes.length);
    expect(texts.map((t) => Buffer.byteLength(t))).toEqual(sizes);
    expect(bins).toEqual(sizes);
  });

  it('ends when the node ends it, and the node hears when the browser leaves', async () => {
    const { sockets, gatewayUrl } = await nodeAndGateway();
    const b = await browser(gatewayUrl);
    await until(() => sockets.length === 1);
    const gone = heard(b, 'disconnect');
    (sockets[0] as ServerSocket).disconnect(true);
    expect((await gone)[0]).toBe('io server disconnect');

    const c = await browser(gatewayUrl);
    await until(() => sockets.length === 2);
    const left = once(sockets[1] as ServerSocket, 'disconnect');
    c.close();
    expect((await left)[0]).toBe('client namespace disconnect');
  });

  it('is cut off when its node goes away, as a dropped connection would be', async () => {
    const { sockets, gatewayUrl, nodeStreams } = await nodeAndGateway();
    const b = await browser(gatewayUrl);
    await until(() => sockets.length === 1);
    const gone = heard(b, 'disconnect');
    // the node's end of the gateway's connection goes: its browsers go with it
    nodeStreams.close();
    expect(['transport close', 'transport error']).toContain((await gone)[0]);
  });

  it('is closed by the node for a frame past its limit, and the others on the connection go on', async () => {
    const { io, sockets, gatewayUrl } = await nodeAndGateway(32 * 1024);
    io.on('connection', (socket) => socket.on('echo', (s: string, ack: (s: string) => void) => ack(s)));
    const [big, other] = [await browser(gatewayUrl), await browser(gatewayUrl)];
    await until(() => sockets.length === 2);
    const gone = heard(big, 'disconnect');
    big.emit('echo', 'x'.repeat(40 * 1024));
    await gone;
    expect(await other.emitWithAck('echo', 'still here')).toBe('still here');
  });
});

describe('the node end of the connection', () => {
  it('refuses a connection without the internal token', async () => {
    const { nodeUrl } = await nodeAndGateway();
    const url = `${nodeUrl.replace('http', 'ws')}${STREAMS_PATH}`;
    const refused = new WebSocket(url, { headers: { [INTERNAL_TOKEN_HEADER]: 'not-the-token-at-all' } });
    const [, res] = (await once(refused, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res.statusCode).toBe(401);
    const noToken = new WebSocket(url);
    const [, res2] = (await once(noToken, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res2.statusCode).toBe(401);
  });
});

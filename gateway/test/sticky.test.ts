// How the gateway counts each realtime node's load between its health checks: no socket it sent may drop out of the
// count, or new sockets pile onto the node that looks emptier than it is.
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, listen } from '@chat/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { RealtimeNodes } from '../src/routes/sticky.ts';

type FakeNode = {
  url: string;
  sockets: number;
  answer: 'now' | 'never' | Promise<void>;
  server: Server;
  /** Called when a question arrives. */
  asked?: () => void;
};
const started: FakeNode[] = [];

/** A node's /status: `sockets` as it is when the question arrives, answered now, later, or never. */
async function fakeNode(sockets: number): Promise<FakeNode> {
  const node = { sockets, answer: 'now' } as FakeNode;
  node.server = createServer(async (_req, res) => {
    const counted = node.sockets;
    node.asked?.();
    if (node.answer === 'never') return;
    if (node.answer !== 'now') await node.answer;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ready: true, sockets: counted }));
  });
  await listen(node.server, 0, '127.0.0.1');
  node.url = `http://127.0.0.1:${(node.server.address() as AddressInfo).port}`;
  started.push(node);
  return node;
}

const newSocket = () => ({ headers: {} }) as IncomingMessage;

/** The node's next status answer waits for `release()`; `asked` settles once that question has reached it. */
function holdAnswer(node: FakeNode) {
  let release!: () => void;
  node.answer = new Promise((r) => (release = r));
  const asked = new Promise<void>((r) => (node.asked = r));
  return { asked, release: () => release() };
}

/** Where the next two new sockets go. */
const nextTwo = (nodes: RealtimeNodes) => new Set([nodes.pick(newSocket()), nodes.pick(newSocket())]);

afterEach(async () => {
  for (const node of started.splice(0)) {
    node.server.closeAllConnections();
    await closeServer(node.server);
  }
});

describe('the load the gateway counts per realtime node', () => {
  it('keeps the sockets sent while a health check was on its way, which the node had not counted yet', async () => {
    const [a, b] = [await fakeNode(0), await fakeNode(4)];
    const nodes = new RealtimeNodes([a.url, b.url]);
    await nodes.checkHealth();
    const held = holdAnswer(a);
    const checking = nodes.checkHealth();
    // the question reached node a (which counts 0) before these four sockets went to it
    await held.asked;
    expect([1, 2, 3, 4].map(() => nodes.pick(newSocket()))).toEqual([a.url, a.url, a.url, a.url]);
    held.release();
    await checking;
    // a holds 4 now, as b does: the next two go one to each
    expect(nextTwo(nodes)).toEqual(new Set([a.url, b.url]));
    nodes.stop();
  });

  it('loses no socket from the count when a check is asked for while the last one is still out', async () => {
    const [a, b] = [await fakeNode(0), await fakeNode(6)];
    const nodes = new RealtimeNodes([a.url, b.url]);
    await nodes.checkHealth();
    const held = holdAnswer(a);
    const first = nodes.checkHealth();
    await held.asked;
    // three sockets go to a after the first question, three more before the next check is asked for
    for (let i = 0; i < 3; i++) expect(nodes.pick(newSocket())).toBe(a.url);
    a.sockets = 3;
    for (let i = 0; i < 3; i++) expect(nodes.pick(newSocket())).toBe(a.url);
    const second = nodes.checkHealth();
    held.release();
    await Promise.all([first, second]);
    // a holds 6 (it counted 0 when asked; all six came after), as b does: the next two go one to each
    expect(nextTwo(nodes)).toEqual(new Set([a.url, b.url]));
    nodes.stop();
  });

  it('keeps the last known load and the sockets sent since when a node misses a check', async () => {
    const [a, b] = [await fakeNode(0), await fakeNode(0)];
    const nodes = new RealtimeNodes([a.url, b.url]);
    await nodes.checkHealth();
    const sent = [1, 2, 3, 4].map(() => nodes.pick(newSocket()));
    expect(sent.filter((n) => n === a.url)).toHaveLength(2);
    a.answer = 'never';
    b.sockets = 2;
    await nodes.checkHealth(100);
    // a missed one check (still in), with its 2 sockets still counted: the next two go one to each
    expect(nextTwo(nodes)).toEqual(new Set([a.url, b.url]));
    nodes.stop();
  });
});

describe('a node whose connection dropped', () => {
  it('gets no new socket until a check finds it ready, and then counts none of those it had', async () => {
    const [a, b] = [await fakeNode(0), await fakeNode(3)];
    const nodes = new RealtimeNodes([a.url, b.url]);
    await nodes.checkHealth();
    // three sockets to a evens the two out; then a restarts, and its sockets go with it
    expect([1, 2, 3].map(() => nodes.pick(newSocket()))).toEqual([a.url, a.url, a.url]);
    nodes.lost(a.url);
    expect(nextTwo(nodes)).toEqual(new Set([b.url]));
    // back, holding none: it takes the next ones until it holds as many as b (3 and the 2 just sent, counted there)
    b.sockets = 5;
    await nodes.checkHealth();
    expect([1, 2, 3, 4, 5].map(() => nodes.pick(newSocket()))).toEqual([a.url, a.url, a.url, a.url, a.url]);
    expect(nextTwo(nodes)).toEqual(new Set([a.url, b.url]));
    nodes.stop();
  });
});

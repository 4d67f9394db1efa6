// The gateway as several processes sharing one port, as the launcher runs it (and as a deployment runs replicas): the
// browsers' connections are spread among them, and a process that dies takes only its own browsers' connections with
// it. Those come back through another process at once; the others never notice.
import { randomUUID } from 'node:crypto';
import type { Chat } from '@chat/kit/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatSocket, type Client, groupOf, next, reconnectingSocket, register } from './support/client.ts';
import { type RunningSystem, startSystem } from './support/system.ts';

// enough that both processes hold some (all on one: a chance of 2 in 2^16)
const READERS = 16;

let system: RunningSystem;
let ann: Client;
let readers: Client[];
let group: Chat;

beforeAll(async () => {
  system = await startSystem({}, { gateways: 2 });
  ann = await register(system.baseUrl, 'Ann');
  readers = await Promise.all(Array.from({ length: READERS }, (_, i) => register(system.baseUrl, `Reader ${i}`)));
  group = await groupOf(ann, readers);
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

/**
 * Ann sends through the gateway's port. A kept-alive connection to the process just killed may fail it: then it goes
 * again with the same clientId, as the web app sends again (the first, if it got through, answers for both).
 */
async function post(body: string) {
  const clientId = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      return await ann.api(`/api/chats/${group.id}/messages`, { method: 'POST', body: { clientId, body } });
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

/** How a socket lived through the death of a gateway process: it heard `body` live without a break, or came back. */
function outcome(socket: ChatSocket, body: string) {
  return new Promise<'stayed' | 'came back'>((resolve) => {
    let dropped = false;
    socket.once('disconnect', () => {
      dropped = true;
      socket.once('session', () => resolve('came back'));
    });
    socket.on('message:new', (message) => {
      if (!dropped && message.body === body) resolve('stayed');
    });
  });
}

describe('a gateway process that dies', () => {
  it('leaves the browsers on the other connected and live, and its own come back through it', async () => {
    const sockets = (await Promise.all(readers.map((r) => reconnectingSocket(system.baseUrl, r.token)))).map(
      (s) => s.socket,
    );
    const outcomes = sockets.map((socket) => outcome(socket, 'while one gateway is down'));

    await system.supervisor.kill('gateway-1', 'SIGKILL');
    // the port now leads to the other process only
    expect([200, 201]).toContain((await post('while one gateway is down')).status);
    const how = await Promise.all(outcomes);
    // both processes held browsers: some were dropped, the rest heard the message without a break
    expect(how.filter((h) => h === 'stayed').length).toBeGreaterThan(0);
    expect(how.filter((h) => h === 'came back').length).toBeGreaterThan(0);

    // every browser is live again, those that came back through the remaining process too
    const heard = sockets.map((socket) => next(socket, 'message:new', (m) => m.body === 'back together'));
    expect((await post('back together')).status).toBe(201);
    await Promise.all(heard);

    // restarted, it takes connections again
    system.supervisor.revive('gateway-1');
    expect(await system.ready()).toBe(true);
    for (const socket of sockets) socket.close();
  }, 60_000);
});

// Sends on their way to chat-history: those of one moment share a request, and each ack follows its own line of the
// answer, whatever order the lines come in and whatever happens to the others.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInternalClient } from '@chat/kit';
import type { SendBatchRequest } from '@chat/kit/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { createSendBatches, type SendItem } from '../src/sendBatches.ts';

let server: Server | undefined;

afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

type Handler = (batch: SendBatchRequest, res: ServerResponse, req: IncomingMessage) => void;

/** A stand-in for chat-history's batch route; resolves with the batches it was sent. */
async function serve(handle: Handler) {
  const batches: SendBatchRequest[] = [];
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const batch = JSON.parse(text) as SendBatchRequest;
      batches.push(batch);
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      handle(batch, res, req);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { send: createSendBatches(createInternalClient(url, 'a-token-of-sixteen-chars')), batches };
}

const item = (body: string): SendItem => ({
  userId: randomUUID(),
  displayName: 'Ann',
  chatId: randomUUID(),
  message: { clientId: randomUUID(), body },
});
const line = (i: number, status: number, body: unknown) => `${JSON.stringify({ i, status, body })}\n`;

describe('send batches', () => {
  it('sends what comes in one turn as one request, and acks each send from its own line, in any order', async () => {
    const { send, batches } = await serve((batch, res) => {
      // the last one is answered first
      const lines = batch.sends.map((s, i) => line(i, 201, { body: (s.message as { body: string }).body }));
      res.end(lines.reverse().join(''));
    });
    const answers = await Promise.all(['a', 'b', 'c'].map((body) => send(item(body))));
    expect(answers.map((a) => a.body)).toEqual(['a', 'b', 'c']);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.sends.map((s) => (s.message as { body: string }).body)).toEqual(['a', 'b', 'c']);
    // a send made later goes in a request of its own
    expect((await send(item('d'))).body).toBe('d');
    expect(batches).toHaveLength(2);
  });

  it('fails only the sends whose lines say so, with their own error and retry hint', async () => {
    const { send } = await serve((_batch, res) => {
      res.write(line(1, 404, { code: 'not_found', detail: 'No such chat' }));
      res.write(
        `${JSON.stringify({ i: 2, status: 503, body: { code: 'unavailable', detail: 'busy' }, retryAfter: 3 })}\n`,
      );
      res.end(line(0, 201, { body: 'made' }));
    });
    const [made, notMember, busy] = await Promise.allSettled(['x', 'y', 'z'].map((body) => send(item(body))));
    expect(made).toMatchObject({ status: 'fulfilled', value: { body: 'made' } });
    expect(notMember).toMatchObject({ status: 'rejected', reason: { code: 'not_found', message: 'No such chat' } });
    expect(busy).toMatchObject({ status: 'rejected', reason: { code: 'unavailable', retryAfterSeconds: 3 } });
  });

  it('fails the sends still unanswered as unavailable when the answer is cut off, keeping those already acked', async () => {
    const { send } = await serve((_batch, res, req) => {
      res.write(line(0, 201, { body: 'made' }));
      setImmediate(() => req.socket.destroy());
    });
    const [made, cut] = await Promise.allSettled(['x', 'y'].map((body) => send(item(body))));
    expect(made).toMatchObject({ status: 'fulfilled', value: { body: 'made' } });
    expect(cut).toMatchObject({ status: 'rejected', reason: { code: 'unavailable' } });
  });

  it('splits a turn with more sends than one request takes', async () => {
    const { send, batches } = await serve((batch, res) => {
      res.end(batch.sends.map((_s, i) => line(i, 201, { n: i })).join(''));
    });
    // 250 short sends: at most 100 per request; 20 long ones: at most 60 kB of JSON per request
    await Promise.all(Array.from({ length: 250 }, () => send(item('short'))));
    expect(batches.map((b) => b.sends.length)).toEqual([100, 100, 50]);
    batches.length = 0;
    await Promise.all(Array.from({ length: 20 }, () => send(item('я'.repeat(4000)))));
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.every((b) => Buffer.byteLength(JSON.stringify(b)) < 64 * 1024)).toBe(true);
  });
});

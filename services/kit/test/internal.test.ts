// Calls between services: answers and problems as the caller sees them, over connections kept alive between calls.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createInternalClient } from '../src/internal.ts';

let server: Server | undefined;

afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('internal client', () => {
  it('sends the token and a JSON body, and reuses one connection for calls one after another', async () => {
    const seen: { token?: string; body: string; remotePort?: number }[] = [];
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ token: req.headers['x-internal-token'] as string, body, remotePort: req.socket.remotePort });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ echo: JSON.parse(body || 'null') }));
      });
    });
    const call = createInternalClient(url, 'a-token-of-sixteen-chars');
    expect(await call('/x', { method: 'POST', body: { n: 'ёлка' } })).toEqual({ echo: { n: 'ёлка' } });
    expect(await call('/x', { method: 'POST', body: { n: 2 } })).toEqual({ echo: { n: 2 } });
    expect(seen.map((s) => s.token)).toEqual(['a-token-of-sixteen-chars', 'a-token-of-sixteen-chars']);
    expect(seen[0]?.remotePort).toBe(seen[1]?.remotePort);
  });

  it('turns a problem answer into the same error, with the retry hint of an unavailable one', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '7' });
      res.end(JSON.stringify({ code: 'unavailable', detail: 'busy' }));
    });
    await expect(createInternalClient(url, 'a-token-of-sixteen-chars')('/x')).rejects.toMatchObject({
      code: 'unavailable',
      message: 'busy',
      retryAfterSeconds: 7,
    });
  });

  it('sends a call again on a new connection when the kept-alive one is reset under it', async () => {
    let calls = 0;
    const url = await serve((req, res) => {
      calls++;
      // the second request on a connection finds it gone, as when the server ended it while idle
      if (calls === 2) return req.socket.destroy();
      res.end(JSON.stringify({ call: calls }));
    });
    const call = createInternalClient(url, 'a-token-of-sixteen-chars');
    expect(await call('/x')).toEqual({ call: 1 });
    expect(await call('/x')).toEqual({ call: 3 });
  });

  it('calls a service that does not answer unavailable', async () => {
    const url = await serve(() => {});
    await expect(createInternalClient(url, 'a-token-of-sixteen-chars')('/x', { timeoutMs: 200 })).rejects.toMatchObject(
      {
        code: 'unavailable',
      },
    );
  });
  it('hands each line of a streamed answer over as it arrives, across chunk boundaries and split characters', async () => {
    let sendRest!: () => void;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const bytes = Buffer.from(`${JSON.stringify({ i: 0, name: 'ёлка' })}\n${JSON.stringify({ i: 1, name: 'ёж' })}\n`);
      // the first line arrives whole with part of the second; the rest (from inside its "ё") only when asked
      const cut = bytes.lastIndexOf('ё') + 1;
      res.write(bytes.subarray(0, cut));
      sendRest = () => res.end(bytes.subarray(cut));
    });
    const lines: unknown[] = [];
    const call = createInternalClient(url, 'a-token-of-sixteen-chars')('/x', {
      method: 'POST',
      body: {},
      onLine: (line) => {
        lines.push(line);
        if (lines.length === 1) sendRest();
      },
    });
    await call;
    expect(lines).toEqual([
      { i: 0, name: 'ёлка' },
      { i: 1, name: 'ёж' },
    ]);
  });

  it('fails a streamed call whose answer is cut off or not JSON lines, without throwing from the stream', async () => {
    const url = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      if (req.url === '/cut') {
        res.write(`${JSON.stringify({ i: 0 })}\n`);
        setImmediate(() => req.socket.destroy());
      } else res.end('not json\n');
    });
    const call = createInternalClient(url, 'a-token-of-sixteen-chars');
    const lines: unknown[] = [];
    await expect(call('/cut', { onLine: (line) => lines.push(line) })).rejects.toMatchObject({ code: 'unavailable' });
    expect(lines).toEqual([{ i: 0 }]);
    await expect(call('/garbled', { onLine: () => {} })).rejects.toMatchObject({ code: 'unavailable' });
  });
});

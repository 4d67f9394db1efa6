import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, createLogger, createMetrics, listen } from '@chat/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../src/app.ts';
import { loadGatewayConfig } from '../src/config.ts';

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('gateway', () => {
  let upstream: Server;
  let gateway: Server;
  let base: string;
  const seen: { url?: string; requestId?: string } = {};
  let upstreamConnections = 0;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      seen.url = req.url;
      seen.requestId = req.headers['x-request-id'] as string;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"chats":[]}');
    });
    upstream.on('connection', () => upstreamConnections++);
    await listen(upstream, 0, '127.0.0.1');
    // A port nothing listens on: the auth upstream is down.
    const dead = createServer();
    await listen(dead, 0, '127.0.0.1');
    const deadUrl = urlOf(dead);
    await closeServer(dead);
    const config = loadGatewayConfig({
      AUTH_URL: deadUrl,
      CHAT_HISTORY_URL: urlOf(upstream),
      REALTIME_URLS: deadUrl,
      WEB_DIR: '/nonexistent',
      BODY_LIMIT_BYTES: '2048',
    });
    ({ server: gateway } = createGateway({
      config,
      logger: createLogger('gateway', 'silent'),
      metrics: createMetrics('gateway'),
    }));
    await listen(gateway, 0, '127.0.0.1');
    base = urlOf(gateway);
  });

  afterAll(async () => {
    await closeServer(gateway);
    await closeServer(upstream);
  });

  it('answers /healthz once it serves', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
  });

  it('routes chat calls to chat-history with the full path and one request id', async () => {
    const res = await fetch(`${base}/api/chats?x=1`, { headers: { 'x-request-id': 'req-123' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ chats: [] });
    expect(seen).toEqual({ url: '/api/chats?x=1', requestId: 'req-123' });
  });

  it('carries call after call to a service over the connection it already has', async () => {
    await (await fetch(`${base}/api/chats`)).text();
    const before = upstreamConnections;
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${base}/api/chats`, { method: i % 2 ? 'GET' : 'POST', body: i % 2 ? undefined : '{}' });
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(upstreamConnections).toBe(before);
  });

  it('answers a down upstream quickly with problem+json instead of hanging', async () => {
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(5_000),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 503, code: 'unavailable' });
  });

  it('refuses bodies over the limit with problem+json', async () => {
    const res = await fetch(`${base}/api/chats`, { method: 'POST', body: 'x'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ status: 413, code: 'bad_request' });
  });

  it('sends security headers', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

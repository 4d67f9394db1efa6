// Proxies to the services: the API by path, Socket.IO spread across the realtime nodes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { AppError, INTERNAL_HEADERS, keptAliveAgent, type Logger, REQUEST_ID_HEADER, problemOf } from '@chat/kit';
import { createProxyMiddleware, type RequestHandler } from 'http-proxy-middleware';
import type { GatewayConfig } from '../config.ts';
import { RealtimeNodes, UNPIN_COOKIE } from './sticky.ts';

type Req = IncomingMessage & { id?: string };

function answerUnavailable(
  res: ServerResponse | Socket,
  upstream: string,
  log: Logger,
  err: Error,
  headers: Record<string, string> = {},
) {
  log.warn({ upstream, err: err.message }, 'upstream unavailable');
  if (!('writeHead' in res)) {
    res.destroy();
    return;
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  const problem = problemOf(new AppError('unavailable', `The ${upstream} service is not answering; try again shortly`));
  res.writeHead(problem.status, { 'content-type': 'application/problem+json', 'retry-after': '2', ...headers });
  res.end(JSON.stringify(problem));
}

type ProxyReq = { setHeader: (k: string, v: string) => void; removeHeader: (k: string) => void };

/**
 * Carries the request id; drops the headers only services may set (a client never acts as a service). The client's
 * address is the one this gateway saw (Express's `req.ip`, which follows X-Forwarded-For only from TRUSTED_PROXIES),
 * set rather than appended, so a client cannot name an address of its choosing.
 */
function forwardRequestId(proxyReq: ProxyReq, req: Req) {
  for (const header of INTERNAL_HEADERS) proxyReq.removeHeader(header);
  const id = req.headers[REQUEST_ID_HEADER];
  if (typeof id === 'string') proxyReq.setHeader(REQUEST_ID_HEADER, id);
  proxyReq.setHeader('x-forwarded-for', clientAddressOf(req));
  proxyReq.setHeader('x-forwarded-proto', (req as Req & { protocol?: string }).protocol ?? 'http');
  proxyReq.removeHeader('x-forwarded-host');
  proxyReq.removeHeader('x-forwarded-port');
  proxyReq.removeHeader('forwarded');
}

/** A WebSocket upgrade's headers as a node gets them: the same rules as for the requests proxied (above). */
export function forwardedHeadersOf(req: Req): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (typeof value === 'string') headers[name] = value;
    else if (Array.isArray(value)) headers[name] = value.join(', ');
  forwardRequestId(
    {
      setHeader: (name, value) => {
        headers[name] = value;
      },
      removeHeader: (name) => {
        delete headers[name];
      },
    },
    req,
  );
  return headers;
}

/** Express's client address where Express saw the request; the peer itself for a WebSocket upgrade. */
export function clientAddressOf(req: Req): string {
  return (req as Req & { ip?: string }).ip ?? req.socket.remoteAddress ?? 'unknown';
}

function apiProxy(
  name: string,
  target: string,
  pathFilter: string[],
  config: GatewayConfig,
  log: Logger,
  timeoutMs = config.UPSTREAM_TIMEOUT_MS,
) {
  // bodies are streamed through as they come, in both directions (uploads and downloads included)
  return createProxyMiddleware<Req, ServerResponse>({
    target,
    pathFilter,
    // Without an agent the proxy opens a connection per request and closes it after the answer: a handshake on every
    // call, and on a busy gateway thousands of closed connections waiting out TIME_WAIT on the ports it connects from.
    agent: keptAliveAgent(target),
    xfwd: false,
    proxyTimeout: timeoutMs,
    timeout: timeoutMs,
    on: {
      proxyReq: (proxyReq, req) => forwardRequestId(proxyReq, req),
      error: (err, _req, res) => answerUnavailable(res, name, log, err),
    },
  });
}

export type Upstreams = {
  handlers: RequestHandler<Req, ServerResponse>[];
  realtime: RequestHandler<Req, ServerResponse>;
  nodes: RealtimeNodes;
};

export function createUpstreams(config: GatewayConfig, log: Logger): Upstreams {
  const auth = apiProxy('auth', config.AUTH_URL, ['/api/auth', '/api/users', '/api/admin'], config, log);
  const chats = apiProxy(
    'chat-history',
    config.CHAT_HISTORY_URL,
    ['/api/chats', '/api/sync', '/api/search', '/api/push'],
    config,
    log,
  );
  const media = apiProxy(
    'media',
    config.MEDIA_URL,
    ['/api/uploads', '/api/files'],
    config,
    log,
    config.MEDIA_TIMEOUT_MS,
  );
  const nodes = new RealtimeNodes(config.REALTIME_URLS);
  const realtime = createProxyMiddleware<Req, ServerResponse>({
    target: config.REALTIME_URLS[0],
    pathFilter: '/socket.io',
    // with REALTIME_STREAMS the gateway carries WebSocket upgrades itself (streams.ts), else they are proxied here
    ws: config.REALTIME_STREAMS !== 'true',
    xfwd: false,
    router: (req) => nodes.pick(req),
    on: {
      proxyReq: (proxyReq, req, res) => {
        forwardRequestId(proxyReq, req);
        const cookie = nodes.stickyCookieOf(req);
        if (cookie) res.setHeader('set-cookie', cookie);
      },
      proxyReqWs: (proxyReq, req) => forwardRequestId(proxyReq, req),
      // a dead node: drop the pin so the client's reconnect lands on a live one
      error: (err, _req, res) => answerUnavailable(res, 'realtime', log, err, { 'set-cookie': UNPIN_COOKIE }),
    },
  });
  return { handlers: [auth, chats, media], realtime, nodes };
}

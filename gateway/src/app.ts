import { createServer } from 'node:http';
import {
  PayloadTooLarge,
  AppError,
  type Logger,
  type Metrics,
  createServiceApp,
  finishServiceApp,
  operationsRoutes,
  requestIdOf,
  REQUEST_ID_HEADER,
  sendProblem,
} from '@chat/kit';
import express from 'express';
import helmet from 'helmet';
import type { GatewayConfig } from './config.ts';
import { createGatewayStreams } from './routes/streams.ts';
import { clientAddressOf, createUpstreams, forwardedHeadersOf } from './routes/upstreams.ts';
import { inlineScriptHashes, webRoutes } from './routes/web.ts';

// A browser's frames are checked against the node's own limit there; this one only bounds what the gateway reads.
const MAX_SOCKET_FRAME_BYTES = 1024 * 1024;
// What may wait to be written to a browser that reads nothing before its socket is closed (it reconnects, catches up).
const MAX_SOCKET_BUFFERED_BYTES = 16 * 1024 * 1024;

export type GatewayDeps = { config: GatewayConfig; logger: Logger; metrics: Metrics };

export function createGateway({ config, logger, metrics }: GatewayDeps) {
  const upstreams = createUpstreams(config, logger);
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'", ...inlineScriptHashes(config.WEB_DIR)],
        'connect-src': ["'self'"],
        // attachments are fetched with the token and shown from object URLs
        'img-src': ["'self'", 'data:', 'blob:'],
        'media-src': ["'self'", 'blob:'],
      },
    },
    strictTransportSecurity: config.NODE_ENV === 'production',
  });
  const app = createServiceApp({
    logger,
    metrics,
    checks: [],
    first: [securityHeaders],
    parseJson: false,
    trustedProxies: config.TRUSTED_PROXIES,
    operations: false,
  });
  app.use((req, res, next) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (req.path === '/api/uploads') {
      if (length > config.UPLOAD_BODY_LIMIT_BYTES) {
        // a body up to twice the limit is read and dropped after the answer, so that clients which only read the
        // answer once they have sent everything (browsers, fetch) see the 413; a larger one is cut off
        if (length > 2 * config.UPLOAD_BODY_LIMIT_BYTES) res.setHeader('Connection', 'close');
        return sendProblem(
          res,
          new PayloadTooLarge(`An upload may have at most ${config.UPLOAD_BODY_LIMIT_BYTES} bytes`),
        );
      }
    } else if (length > config.BODY_LIMIT_BYTES) {
      const tooLarge = new AppError('bad_request', `The request body is larger than ${config.BODY_LIMIT_BYTES} bytes`);
      return sendProblem(res.status(413), Object.assign(tooLarge, { status: 413, title: 'Content Too Large' }));
    }
    req.headers[REQUEST_ID_HEADER] = res.getHeader(REQUEST_ID_HEADER) as string;
    next();
  });
  for (const handler of upstreams.handlers) app.use(handler);
  app.use(upstreams.realtime);
  app.use(webRoutes(config.WEB_DIR));
  finishServiceApp(app);

  const server = createServer(app);
  const streams =
    config.REALTIME_STREAMS === 'true'
      ? createGatewayStreams({
          internalToken: config.INTERNAL_TOKEN,
          maxFrameBytes: MAX_SOCKET_FRAME_BYTES,
          maxBufferedBytes: MAX_SOCKET_BUFFERED_BYTES,
          log: logger,
          onNodeGone: (node) => upstreams.nodes.lost(node),
        })
      : undefined;
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/socket.io')) return socket.destroy();
    req.headers[REQUEST_ID_HEADER] = requestIdOf(req as never);
    if (!streams) return upstreams.realtime.upgrade(req, socket as never, head);
    socket.on('error', () => socket.destroy());
    const node = upstreams.nodes.pick(req);
    void streams.upgrade(req, socket, head, node, {
      url: req.url,
      headers: forwardedHeadersOf(req),
      address: clientAddressOf(req),
    });
  });
  upstreams.nodes.watch();
  upstreams.nodes.watchHealth();
  server.on('close', () => {
    upstreams.nodes.stop();
    streams?.close();
  });
  // readiness and metrics for the operators' network only (OPS_PORT), never on the public port
  const operations = finishServiceApp(express().use(operationsRoutes(metrics, [])));
  return { app, server, operations: createServer(operations) };
}

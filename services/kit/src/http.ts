// The Express frame every service shares: request ids, access log, metrics, health, readiness, problem+json.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { AppError, NotFound, problemOf, toAppError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export type ReadinessCheck = { name: string; check: () => Promise<void> };

export type ServiceAppOptions = {
  logger: Logger;
  metrics: Metrics;
  checks: ReadinessCheck[];
  bodyLimit?: string;
  /** Runs before everything else, health endpoints included (e.g. security headers). */
  first?: RequestHandler[];
  /** The gateway streams bodies to the services and must not parse them. */
  parseJson?: boolean;
  /** Peers whose X-Forwarded-For names the client (Express `trust proxy`); none when empty. */
  trustedProxies?: string[];
  /** /readyz and /metrics on this app; the gateway serves them on a port of their own instead. */
  operations?: boolean;
};

export const REQUEST_ID_HEADER = 'x-request-id';

export function requestIdOf(req: Request): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Answers readiness: every check must pass within two seconds. */
export async function runChecks(checks: ReadinessCheck[]): Promise<Record<string, string>> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2_000).unref()),
        ]);
        return [name, 'ok'] as const;
      } catch (err) {
        return [name, (err as Error).message || 'failed'] as const;
      }
    }),
  );
  return Object.fromEntries(results);
}

export function createServiceApp({
  logger,
  metrics,
  checks,
  bodyLimit = '64kb',
  first = [],
  parseJson = true,
  trustedProxies = ['loopback'],
  operations = true,
}: ServiceAppOptions) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustedProxies.length > 0 ? trustedProxies : false);
  for (const middleware of first) app.use(middleware);

  app.use((req, res, next) => {
    const reqId = requestIdOf(req);
    const started = process.hrtime.bigint();
    res.setHeader(REQUEST_ID_HEADER, reqId);
    res.locals.log = logger.child({ reqId });
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      if (req.path === '/healthz' || req.path === '/readyz' || req.path === '/metrics') return;
      (res.locals.log as Logger).info(
        { method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(seconds * 1000) },
        'request',
      );
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  if (operations) app.use(operationsRoutes(metrics, checks));
  if (parseJson) app.use(express.json({ limit: bodyLimit }));
  return app;
}

/** Readiness and Prometheus metrics: for the operators' network, never through the public gateway. */
export function operationsRoutes(metrics: Metrics, checks: ReadinessCheck[]) {
  const router = express.Router();
  router.get('/readyz', async (_req, res) => {
    const results = await runChecks(checks);
    const ready = Object.values(results).every((r) => r === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: results });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}

export function logOf(res: Response): Logger {
  return res.locals.log as Logger;
}

/** Adds the not-found answer and the one error middleware; call after the routes. */
export function finishServiceApp(app: express.Express) {
  app.use((_req, _res, next) => next(new NotFound('No such route')));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendProblem(res, answerableError(err, logOf(res)));
  });
  return app;
}

/**
 * The AppError a failure is answered with. One that is not an AppError and answers `internal` (a bug, or something
 * this service cannot name) is logged first, with `bindings`.
 */
export function answerableError(err: unknown, log: Logger, bindings: Record<string, unknown> = {}): AppError {
  const appError = toAppError(err);
  if (!(err instanceof AppError) && appError.code === 'internal') log.error({ err, ...bindings }, 'unhandled error');
  return appError;
}

export function sendProblem(res: Response, err: AppError) {
  if (err.retryAfterSeconds) res.setHeader('Retry-After', String(err.retryAfterSeconds));
  res
    .status(err.status)
    .type('application/problem+json')
    .send(JSON.stringify(problemOf(err)));
}

/**
 * `reusePort`: other processes of the same user may listen on the port too, and the kernel spreads the connections
 * among them (SO_REUSEPORT; Linux).
 */
export function listen(server: Server, port: number, host: string, { reusePort = false } = {}): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, reusePort }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Stops accepting, lets requests in flight finish, then drops idle keep-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

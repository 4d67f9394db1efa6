// Service-to-service calls: not routed by the gateway, authenticated with a shared internal token.
import { timingSafeEqual } from 'node:crypto';
import { Agent as HttpAgent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { type ParamsOf, pathOf, type Route } from './contract/routes.ts';
import { AppError, Unauthorized, Unavailable } from './errors.ts';
import { type Principal, requireBearer, type TokenVerifier } from './tokens.ts';

export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
/** DEVELOPMENT DEFAULT, not a secret: production refuses to start with it. */
export const DEV_INTERNAL_TOKEN = 'dev-internal-token-not-secret';

export const internalTokenVar = z.string().min(16, 'must be at least 16 characters').default(DEV_INTERNAL_TOKEN);

/** A call a realtime node makes on behalf of its socket's user, who it authenticated: these name the user. */
export const ON_BEHALF_OF_HEADER = 'x-on-behalf-of';
export const ON_BEHALF_OF_NAME_HEADER = 'x-on-behalf-of-name';
/** Headers only services set; the gateway drops them from whatever a client sends. */
export const INTERNAL_HEADERS = [INTERNAL_TOKEN_HEADER, ON_BEHALF_OF_HEADER, ON_BEHALF_OF_NAME_HEADER];

/** True when a request carries the internal token (compared in constant time). */
export function internalTokenMatches(req: { headers: IncomingHttpHeaders }, expected: Buffer): boolean {
  const given = Buffer.from(String(req.headers[INTERNAL_TOKEN_HEADER] ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function requireInternal(expected: string) {
  const expectedBuf = Buffer.from(expected);
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!internalTokenMatches(req, expectedBuf)) return next(new Unauthorized());
    next();
  };
}

const onBehalfOf = z.uuid();

/**
 * The public routes' gate: a user's access token, or a service's internal token naming the user it acts for (a
 * realtime node that verified its socket's token). Either way the principal ends up in `res.locals.principal`.
 */
export function requireUser(verify: TokenVerifier, internalToken: string) {
  const bearer = requireBearer(verify);
  const expectedBuf = Buffer.from(internalToken);
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.headers[INTERNAL_TOKEN_HEADER] === undefined) return bearer(req, res, next);
    const userId = onBehalfOf.safeParse(req.headers[ON_BEHALF_OF_HEADER]);
    if (!internalTokenMatches(req, expectedBuf) || !userId.success) return next(new Unauthorized());
    const name = String(req.headers[ON_BEHALF_OF_NAME_HEADER] ?? '');
    const principal: Principal = {
      userId: userId.data,
      displayName: safeDecode(name),
      isAdmin: false,
      // the node cuts a socket off when its session ends (see realtime's sessions.ts)
      sessionId: '',
      expiresAt: Number.POSITIVE_INFINITY,
    };
    res.locals.principal = principal;
    next();
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return '';
  }
}

type CallOptions = {
  method?: string;
  body?: unknown;
  requestId?: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** The answer is JSON lines: each one, parsed, as it arrives. */
  onLine?: (line: unknown) => void;
};

type Answer = { status: number; headers: IncomingHttpHeaders; text: string };

/**
 * One request over a kept-alive connection of `agent`. node:http rather than fetch: a realtime node makes one such
 * call per socket event, and fetch's streams cost several times the CPU of the request itself. With `onLine`, a 200
 * answer is read as lines (NDJSON), each handed over as it arrives; any other answer is read whole.
 */
function request(
  url: URL,
  options: { agent: HttpAgent; method: string; headers: Record<string, string>; signal: AbortSignal },
  body?: string,
  onLine?: (line: string) => void,
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
      const byLine = onLine !== undefined && res.statusCode === 200;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (!byLine) return;
        let end = text.indexOf('\n');
        while (end >= 0) {
          const line = text.slice(0, end);
          text = text.slice(end + 1);
          try {
            if (line) onLine(line);
          } catch (err) {
            // a line that is not what it should be ends the call, not the process
            res.destroy(err as Error);
            return;
          }
          end = text.indexOf('\n');
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
      res.on('close', () => {
        if (!res.complete) reject(new Error('the answer was cut off'));
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(Object.assign(err, { staleConnection: req.reusedSocket && err.code === 'ECONNRESET' })),
    );
    req.end(body);
  });
}

/** The AppError a service's problem+json answer stands for (its code, detail, field errors and retry hint). */
export function errorOfAnswer(status: number, problem: unknown, retryAfter?: string | number): AppError {
  const p = problem as { code?: AppError['code']; detail?: string; errors?: AppError['errors'] } | undefined;
  const error = new AppError(p?.code ?? (status >= 500 ? 'unavailable' : 'internal'), p?.detail);
  // pass the upstream's retry hint on (to the socket ack or the REST answer)
  if (error.code === 'unavailable' || error.code === 'rate_limited') error.retryAfterSeconds = Number(retryAfter) || 2;
  if (p?.errors) error.errors = p.errors;
  return error;
}

/**
 * Kept-alive connections to another service at `url` (http or https, as the URL says), reused call after call. An idle
 * connection is let go after 4 s, before the other side's keep-alive (Node's default, 5 s) would close it under a
 * request being sent on it.
 */
export function keptAliveAgent(url: string | URL): HttpAgent {
  const Agent = new URL(url).protocol === 'https:' ? HttpsAgent : HttpAgent;
  return new Agent({ keepAlive: true, timeout: 4_000 });
}

/**
 * A JSON client for another service's internal API; its problem+json answers come back as the same AppError. With
 * `onLine`, the answer is a stream of JSON lines, each handed over as it arrives (the call then answers nothing).
 */
export function createInternalClient(baseUrl: string, token: string) {
  const base = new URL(baseUrl);
  const agent = keptAliveAgent(base);
  return async function call<T>(
    path: string,
    { method = 'GET', body, requestId, timeoutMs = 5_000, headers = {}, onLine }: CallOptions = {},
  ) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // a timer cleared with the answer (AbortSignal.timeout's would fire later, for every call, and make an error)
    const send = () => {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      return request(
        new URL(path, base),
        {
          agent,
          method,
          headers: {
            [INTERNAL_TOKEN_HEADER]: token,
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
            ...(requestId ? { 'x-request-id': requestId } : {}),
            ...headers,
          },
          signal: abort.signal,
        },
        payload,
        onLine && ((line) => onLine(JSON.parse(line))),
      ).finally(() => clearTimeout(timer));
    };
    let res: Answer;
    try {
      // a kept-alive connection the other side closed while idle, before reading this request: it goes again, once
      res = await send().catch((err: { staleConnection?: boolean }) =>
        err.staleConnection ? send() : Promise.reject(err),
      );
    } catch (err) {
      throw new Unavailable(`${base.host} did not answer: ${(err as Error).message}`);
    }
    if (res.status < 200 || res.status > 299) {
      throw errorOfAnswer(res.status, res.text ? JSON.parse(res.text) : undefined, res.headers['retry-after']);
    }
    if (onLine) return undefined as T;
    return (res.text ? JSON.parse(res.text) : undefined) as T;
  };
}
export type InternalClient = ReturnType<typeof createInternalClient>;

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;
type Input<S> = S extends z.ZodType ? z.input<S> : undefined;

/** Who a call acts for: the user a realtime node authenticated. */
export type Acting = { userId: string; displayName: string };

/** A client of routes from the contract's route table, over `call`: parameters, body and answer typed from the route. */
export function createRouteClient(call: InternalClient) {
  return function callRoute<P extends string, B extends z.ZodType | undefined, R extends z.ZodType | undefined>(
    route: Route<P, B, R>,
    params: ParamsOf<P>,
    options: { body?: Input<B>; as?: Acting; requestId?: string } = {},
  ): Promise<Output<R>> {
    const headers = options.as
      ? {
          [ON_BEHALF_OF_HEADER]: options.as.userId,
          [ON_BEHALF_OF_NAME_HEADER]: encodeURIComponent(options.as.displayName),
        }
      : undefined;
    return call<Output<R>>(pathOf(route.path, params), {
      method: route.method,
      body: options.body,
      requestId: options.requestId,
      headers,
    });
  };
}
export type RouteClient = ReturnType<typeof createRouteClient>;

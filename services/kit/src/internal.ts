// Service-to-service calls: not routed by the gateway, authenticated with a shared internal token.
import { timingSafeEqual } from 'node:crypto';
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

function internalTokenMatches(req: Request, expected: Buffer): boolean {
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
};

/** A JSON client for another service's internal API; its problem+json answers come back as the same AppError. */
export function createInternalClient(baseUrl: string, token: string) {
  return async function call<T>(
    path: string,
    { method = 'GET', body, requestId, timeoutMs = 5_000, headers = {} }: CallOptions = {},
  ) {
    let res: Response | globalThis.Response;
    try {
      res = await fetch(new URL(path, baseUrl), {
        method,
        headers: {
          [INTERNAL_TOKEN_HEADER]: token,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(requestId ? { 'x-request-id': requestId } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new Unavailable(`${new URL(baseUrl).host} did not answer: ${(err as Error).message}`);
    }
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const problem = json as { code?: AppError['code']; detail?: string; errors?: AppError['errors'] } | undefined;
      const error = new AppError(problem?.code ?? (res.status >= 500 ? 'unavailable' : 'internal'), problem?.detail);
      // pass the upstream's retry hint on (to the socket ack or the REST answer)
      if (error.code === 'unavailable' || error.code === 'rate_limited') {
        error.retryAfterSeconds = Number(res.headers.get('retry-after')) || 2;
      }
      if (problem?.errors) error.errors = problem.errors;
      throw error;
    }
    return json as T;
  };
}
export type InternalClient = ReturnType<typeof createInternalClient>;

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;
type Input<S> = S extends z.ZodType ? z.input<S> : undefined;

/** Who a call acts for: the user a realtime node authenticated. */
export type Acting = { userId: string; displayName: string };

/** A client of routes from the contract's route table: parameters, body and answer typed from the route. */
export function createRouteClient(baseUrl: string, token: string) {
  const call = createInternalClient(baseUrl, token);
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

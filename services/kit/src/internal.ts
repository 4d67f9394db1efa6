// Service-to-service calls: not routed by the gateway, authenticated with a shared internal token.
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { AppError, Unauthorized, Unavailable } from './errors.ts';

export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
/** DEVELOPMENT DEFAULT, not a secret: production refuses to start with it. */
export const DEV_INTERNAL_TOKEN = 'dev-internal-token-not-secret';

export const internalTokenVar = z.string().min(16, 'must be at least 16 characters').default(DEV_INTERNAL_TOKEN);

export function requireInternal(expected: string) {
  const expectedBuf = Buffer.from(expected);
  return (req: Request, _res: Response, next: NextFunction) => {
    const given = Buffer.from(String(req.headers[INTERNAL_TOKEN_HEADER] ?? ''));
    if (given.length !== expectedBuf.length || !timingSafeEqual(given, expectedBuf)) return next(new Unauthorized());
    next();
  };
}

type CallOptions = { method?: string; body?: unknown; requestId?: string; timeoutMs?: number };

/** A JSON client for another service's internal API; its problem+json answers come back as the same AppError. */
export function createInternalClient(baseUrl: string, token: string) {
  return async function call<T>(
    path: string,
    { method = 'GET', body, requestId, timeoutMs = 5_000 }: CallOptions = {},
  ) {
    let res: Response | globalThis.Response;
    try {
      res = await fetch(new URL(path, baseUrl), {
        method,
        headers: {
          [INTERNAL_TOKEN_HEADER]: token,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(requestId ? { 'x-request-id': requestId } : {}),
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
      if (problem?.errors) error.errors = problem.errors;
      throw error;
    }
    return json as T;
  };
}
export type InternalClient = ReturnType<typeof createInternalClient>;

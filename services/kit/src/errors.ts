// Typed domain errors and their one mapping to problem+json and socket acks.
import type { AckError, ErrorCode } from './contract/index.ts';

const titles: Record<ErrorCode, [number, string]> = {
  bad_request: [400, 'Bad Request'],
  unauthorized: [401, 'Unauthorized'],
  forbidden: [403, 'Forbidden'],
  not_found: [404, 'Not Found'],
  conflict: [409, 'Conflict'],
  rate_limited: [429, 'Too Many Requests'],
  internal: [500, 'Internal Server Error'],
  unavailable: [503, 'Service Unavailable'],
  payload_too_large: [413, 'Payload Too Large'],
  resync_required: [410, 'Gone'],
};

export type FieldError = { path: string; message: string };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  errors?: FieldError[];
  retryAfterSeconds?: number;

  constructor(code: ErrorCode, message?: string) {
    const [status, title] = titles[code];
    super(message ?? title);
    this.code = code;
    this.status = status;
    this.title = title;
  }
}

export class BadRequest extends AppError {
  constructor(message = 'The request is invalid', errors?: FieldError[]) {
    super('bad_request', message);
    this.errors = errors;
  }
}
export class Unauthorized extends AppError {
  constructor(message = 'Authentication is required') {
    super('unauthorized', message);
  }
}
export class Forbidden extends AppError {
  constructor(message = 'You may not do this') {
    super('forbidden', message);
  }
}
export class NotFound extends AppError {
  constructor(message = 'Not found') {
    super('not_found', message);
  }
}
export class Conflict extends AppError {
  constructor(message = 'Conflict') {
    super('conflict', message);
  }
}
export class PayloadTooLarge extends AppError {
  constructor(message = 'The request body is larger than allowed') {
    super('payload_too_large', message);
  }
}
export class RateLimited extends AppError {
  constructor(retryAfterSeconds: number, message = 'Too many requests, try again later') {
    super('rate_limited', message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}
export class Unavailable extends AppError {
  constructor(message = 'A dependency is unavailable', retryAfterSeconds = 2) {
    super('unavailable', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

// PostgreSQL's connection-class and shutdown SQLSTATEs, and the socket errors of a server gone away
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/**
 * A dependency (PostgreSQL, Redis) that cannot be reached or answered too late: the client should retry, and is told
 * so, rather than see a failure.
 */
function isDependencyOutage(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string };
  if (typeof e?.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  // knex waiting for a pool connection; ioredis giving up on a command while reconnecting
  if (e?.name === 'KnexTimeoutError' || e?.name === 'MaxRetriesPerRequestError') return true;
  const message = e?.message ?? '';
  return /Connection terminated|Connection ended unexpectedly|not queryable|Connection is closed|connect ECONNREFUSED|Stream isn't writeable|the database system is (starting up|shutting down)/.test(
    message,
  );
}

export class ResyncRequired extends AppError {
  constructor(message = 'Changes that old are no longer kept; reload the newest page') {
    super('resync_required', message);
  }
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // body-parser errors carry a status and a type
  const e = err as { status?: number; type?: string; message?: string; expose?: boolean };
  if (e?.type === 'entity.too.large') return new AppError('bad_request', 'The request body is too large');
  if (e?.type === 'entity.parse.failed') return new BadRequest('The request body is not valid JSON');
  // what Express itself refuses (a path that does not decode, a missing static file): the client's mistake
  if (err instanceof URIError) return new BadRequest('The request path does not decode');
  if (e?.expose && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return e.status === 404 ? new NotFound() : new BadRequest('The request is malformed');
  }
  if (isDependencyOutage(err))
    return new Unavailable('The service cannot reach its storage right now; try again shortly');
  return new AppError('internal', 'Something went wrong on our side');
}

export type Problem = {
  type: 'about:blank';
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: FieldError[];
};

export function problemOf(err: AppError): Problem {
  const body: Problem = {
    type: 'about:blank',
    title: err.title,
    status: err.status,
    code: err.code,
    detail: err.message,
  };
  if (err.errors) body.errors = err.errors;
  return body;
}

export function ackErrorOf(err: unknown): AckError {
  const e = toAppError(err);
  const retry = e.retryAfterSeconds ? { retryAfterMs: e.retryAfterSeconds * 1000 } : {};
  return { ok: false, error: { code: e.code, message: e.message, ...retry } };
}

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
export class RateLimited extends AppError {
  constructor(retryAfterSeconds: number, message = 'Too many requests, try again later') {
    super('rate_limited', message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}
export class Unavailable extends AppError {
  constructor(message = 'A dependency is unavailable') {
    super('unavailable', message);
  }
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // body-parser errors carry a status and a type
  const e = err as { status?: number; type?: string; message?: string };
  if (e?.type === 'entity.too.large') return new AppError('bad_request', 'The request body is too large');
  if (e?.type === 'entity.parse.failed') return new BadRequest('The request body is not valid JSON');
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
  return { ok: false, error: { code: e.code, message: e.message } };
}

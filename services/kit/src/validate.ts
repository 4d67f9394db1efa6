import type { z } from 'zod';
import { BadRequest } from './errors.ts';

/** Parses untrusted input with a contract schema; a failure is a BadRequest naming each invalid field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  throw new BadRequest(`Invalid ${errors.map((e) => e.path).join(', ')}`, errors);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path or query id: a UUID (returned lower-cased), else a BadRequest naming the parameter. */
export function uuidParam(value: unknown, name: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new BadRequest(`Invalid ${name}`, [{ path: name, message: 'must be a UUID' }]);
  }
  return value.toLowerCase();
}

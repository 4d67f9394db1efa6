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

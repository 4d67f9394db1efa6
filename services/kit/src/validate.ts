import type { z } from 'zod';
import { BadRequest } from './errors.ts';

/** Parses untrusted input with a contract schema; a failure is a BadRequest naming each invalid field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const nul = pathOfNul(input);
  // PostgreSQL cannot store U+0000 in text, and no name, body or id needs it
  if (nul !== undefined) throw new BadRequest(`Invalid ${nul}`, [{ path: nul, message: 'must not contain U+0000' }]);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  throw new BadRequest(`Invalid ${errors.map((e) => e.path).join(', ')}`, errors);
}

/** Where a NUL character is, in a string, a key or a value at any depth (as a field path), else undefined. */
function pathOfNul(value: unknown, path: string[] = [], depth = 0): string | undefined {
  const here = () => path.join('.') || '(root)';
  if (typeof value === 'string') return value.includes('\0') ? here() : undefined;
  if (typeof value !== 'object' || value === null || depth > 32) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\0')) return here();
    const found = pathOfNul(item, [...path, key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path or query id: a UUID (returned lower-cased), else a BadRequest naming the parameter. */
export function uuidParam(value: unknown, name: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new BadRequest(`Invalid ${name}`, [{ path: name, message: 'must be a UUID' }]);
  }
  return value.toLowerCase();
}

// Path ids and the caller, as the domain takes them: validated UUIDs, lower-cased.
import { parseInput, principalOf, REQUEST_ID_HEADER } from '@chat/kit';
import { uuid } from '@chat/kit/contract';
import type { Request, Response } from 'express';
import { z } from 'zod';

const id = uuid.transform((s) => s.toLowerCase());

// one schema per set of names, made once: zod compiles an object schema on its first parse
const schemas = new Map<string, z.ZodType>();

/** The named path parameters, each a UUID; a malformed one is a bad request naming it. */
export function idsOf<K extends string>(req: Request, ...names: K[]): Record<K, string> {
  return idsIn(req.params, ...names);
}

/** The named ids among `values`, each a UUID; a malformed one is a bad request naming it. */
export function idsIn<K extends string>(values: unknown, ...names: K[]): Record<K, string> {
  const key = names.join(',');
  let schema = schemas.get(key);
  if (!schema) {
    schema = z.object(Object.fromEntries(names.map((name) => [name, id])));
    schemas.set(key, schema);
  }
  return parseInput(schema, values) as Record<K, string>;
}

/** The signed-in user's id. */
export const callerOf = (res: Response) => principalOf(res).userId.toLowerCase();

export const requestIdOf = (res: Response) => String(res.getHeader(REQUEST_ID_HEADER) ?? '') || undefined;

/** A user id in a body, lower-cased like every id the domain compares. */
export const lower = (userId: string) => userId.toLowerCase();

// Path ids and the caller, as the domain takes them: validated UUIDs, lower-cased.
import { parseInput, principalOf, REQUEST_ID_HEADER } from '@chat/kit';
import { uuid } from '@chat/kit/contract';
import type { Request, Response } from 'express';
import { z } from 'zod';

const id = uuid.transform((s) => s.toLowerCase());

/** The named path parameters, each a UUID; a malformed one is a bad request naming it. */
export function idsOf<K extends string>(req: Request, ...names: K[]): Record<K, string> {
  const shape = Object.fromEntries(names.map((name) => [name, id])) as Record<K, typeof id>;
  return parseInput(z.object(shape), req.params) as Record<K, string>;
}

/** The signed-in user's id. */
export const callerOf = (res: Response) => principalOf(res).userId.toLowerCase();

export const requestIdOf = (res: Response) => String(res.getHeader(REQUEST_ID_HEADER) ?? '') || undefined;

/** A user id in a body, lower-cased like every id the domain compares. */
export const lower = (userId: string) => userId.toLowerCase();

// What the user asked for and did not happen (create a chat, rename, edit…): said on screen until dismissed.
import type { ErrorCode } from '@chat/kit/contract';
import type { Key } from './i18n.svelte.ts';
import { ApiError } from './session.svelte.ts';

/** `action` names what failed; `reason` says why, as a text key or as the server's own words. */
export type Notice = { id: number; action: Key; reason: { key: Key } | { text: string } };

export const notices = $state({ items: [] as Notice[] });
let nextId = 1;

/** A refusal from the server or the socket, or the lack of an answer. */
export class ActionFailed extends Error {
  code: ErrorCode | 'offline';
  constructor(code: ActionFailed['code'], message: string = code) {
    super(message);
    this.code = code;
  }
}

const reasonKeys: Partial<Record<ActionFailed['code'], Key>> = {
  offline: 'noConnection',
  forbidden: 'notAllowed',
  not_found: 'notFound',
  rate_limited: 'tryLater',
  unavailable: 'tryLater',
  internal: 'tryLater',
};

function reasonOf(err: unknown): Notice['reason'] {
  if (err instanceof ApiError) {
    const key = reasonKeys[err.problem.code as ErrorCode];
    if (key) return { key };
    const field = err.problem.errors?.[0];
    return { text: field ? field.message : (err.problem.detail ?? err.message) };
  }
  if (err instanceof ActionFailed) {
    const key = reasonKeys[err.code];
    return key ? { key } : { text: err.message };
  }
  // fetch rejects with a TypeError when the network is gone
  return { key: 'noConnection' };
}

export function report(action: Key, err: unknown): void {
  const notice = { id: nextId++, action, reason: reasonOf(err) };
  notices.items.push(notice);
  setTimeout(() => dismiss(notice.id), 10_000);
}

export function dismiss(id: number): void {
  notices.items = notices.items.filter((n) => n.id !== id);
}

/** Runs an action; a failure is reported under `action` and answered with undefined instead of thrown. */
export async function attempt<T>(action: Key, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    report(action, err);
    return undefined;
  }
}

// Messages typed but not yet acknowledged, kept in localStorage per user so a closed tab or an offline hour loses
// nothing. Each keeps its clientId; the server turns a repeated clientId into the original, so a resend is safe.
import type { Attachment } from '@chat/kit/contract';
import { type Pending, withoutArrived } from './sync/pending.ts';

export type { Pending };

export const outbox = $state({ items: [] as Pending[] });
let storageKey = '';

function save() {
  if (storageKey) localStorage.setItem(storageKey, JSON.stringify(outbox.items));
}

export function loadOutbox(userId: string) {
  storageKey = `outbox:${userId}`;
  try {
    outbox.items = JSON.parse(localStorage.getItem(storageKey) ?? '[]');
  } catch {
    outbox.items = [];
  }
}

export function enqueue(chatId: string, body: string, replyTo?: Pending['replyTo'], uploads: string[] = []): Pending {
  const item: Pending = {
    clientId: crypto.randomUUID(),
    chatId,
    body,
    ...(replyTo ? { replyTo } : {}),
    ...(uploads.length > 0 ? { uploads } : {}),
    createdAt: new Date().toISOString(),
    status: 'pending',
  };
  outbox.items.push(item);
  save();
  return item;
}

/** Drops every item that has arrived as a committed message. */
export function settleArrived(messages: readonly { chatId: string; clientId: string }[]) {
  const left = withoutArrived(outbox.items, messages);
  if (left.length === outbox.items.length) return;
  outbox.items = left;
  save();
}

export function markFailed(clientId: string, error: string) {
  const item = outbox.items.find((i) => i.clientId === clientId);
  if (item) Object.assign(item, { status: 'failed', error });
  save();
}

export function markPending(clientId: string) {
  const item = outbox.items.find((i) => i.clientId === clientId);
  if (item) item.status = 'pending';
  save();
}

/** The message's uploads are done: it carries their attachments and can be sent. */
export function attachUploaded(clientId: string, attachments: Attachment[]) {
  const item = outbox.items.find((i) => i.clientId === clientId);
  if (!item) return;
  item.attachments = attachments;
  item.uploads = undefined;
  save();
}

/** A message left with nothing to send (its only files were cancelled). */
export function drop(clientId: string) {
  outbox.items = outbox.items.filter((i) => i.clientId !== clientId);
  save();
}

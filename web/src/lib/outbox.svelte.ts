// Messages typed but not yet acknowledged, kept in localStorage per user so a closed tab or an offline hour loses
// nothing. Each keeps its clientId; the server turns a repeated clientId into the original, so a resend is safe.
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

export function enqueue(chatId: string, body: string, replyTo?: Pending['replyTo']): Pending {
  const item: Pending = {
    clientId: crypto.randomUUID(),
    chatId,
    body,
    ...(replyTo ? { replyTo } : {}),
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

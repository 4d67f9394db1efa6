// Deletes a message softly: its place in the history stays (seq, deletedAt), its body goes.
import { Forbidden, NotFound } from '@chat/kit';
import type { Message } from '@chat/kit/contract';
import { lockMessage, toMessage, updateMessage } from '../../db/messages.ts';
import { requireMember } from '../access.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export type DeleteMessageProps = { chatId: string; messageId: string; userId: string };

export async function deleteMessage(
  { db, events }: Pick<ChatHistoryDeps, 'db' | 'events'>,
  { chatId, messageId, userId }: DeleteMessageProps,
): Promise<Message> {
  const { message, changed } = await db.transaction(async (trx) => {
    await requireMember(trx, chatId, userId);
    const row = await lockMessage(trx, chatId, messageId);
    if (!row) throw new NotFound('No such message');
    if (row.sender_id !== userId) throw new Forbidden('Only the sender may delete a message');
    // deleting again answers the same deleted message and announces nothing new
    if (row.deleted_at) return { message: toMessage(row), changed: false };
    return { message: await updateMessage(trx, messageId, { body: '', deleted: true }), changed: true };
  });
  if (changed) await events.messageUpdated(message);
  return message;
}

// Edits a message's body: its sender only, while it is not deleted; members see the change live.
import { Conflict, Forbidden, NotFound } from '@chat/kit';
import type { Message } from '@chat/kit/contract';
import { lockMessage, updateMessage } from '../../db/messages.ts';
import { requireMember } from '../access.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export type EditMessageProps = {
  chatId: string;
  messageId: string;
  userId: string;
  /** Already validated and trimmed. */
  body: string;
};

export async function editMessage(
  { db, events }: Pick<ChatHistoryDeps, 'db' | 'events'>,
  { chatId, messageId, userId, body }: EditMessageProps,
): Promise<Message> {
  const message = await db.transaction(async (trx) => {
    await requireMember(trx, chatId, userId);
    const row = await lockMessage(trx, chatId, messageId);
    if (!row) throw new NotFound('No such message');
    if (row.sender_id !== userId) throw new Forbidden('Only the sender may edit a message');
    if (row.deleted_at) throw new Conflict('The message was deleted');
    return updateMessage(trx, messageId, { body, edited: true });
  });
  await events.messageUpdated(message);
  return message;
}

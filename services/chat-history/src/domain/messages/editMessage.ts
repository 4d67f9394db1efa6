// Edits a message's body: its sender only, while it is not deleted; a change with a rev that members see live.
import { Conflict, Forbidden, NotFound } from '@chat/kit';
import type { MessageWithRev } from '@chat/kit/contract';
import { indexMentions } from '../../db/mentions.ts';
import { lockMessage, updateMessage } from '../../db/messages.ts';
import { requireMember } from '../access.ts';
import { inChangeTransaction } from '../changes/changeTransaction.ts';
import type { ChatHistoryDeps } from '../deps.ts';
import { mentionsIn } from './mentions.ts';

export type EditMessageProps = {
  chatId: string;
  messageId: string;
  userId: string;
  /** Already validated and trimmed. */
  body: string;
};

export async function editMessage(
  deps: Pick<ChatHistoryDeps, 'db' | 'events'> & Partial<Pick<ChatHistoryDeps, 'admission'>>,
  { chatId, messageId, userId, body }: EditMessageProps,
): Promise<MessageWithRev> {
  // lock order as everywhere: the message row, then the chat row (taking the rev)
  const { message, rev } = await inChangeTransaction(
    deps,
    async (tx) => {
      await requireMember(tx.trx, chatId, userId);
      const row = await lockMessage(tx.trx, chatId, messageId);
      if (!row) throw new NotFound('No such message');
      if (row.sender_id !== userId) throw new Forbidden('Only the sender may edit a message');
      if (row.deleted_at) throw new Conflict('The message was deleted');
      // mentions follow the new body, against the members of now
      const mentions = await mentionsIn(tx.trx, chatId, body);
      const edited = await updateMessage(tx.trx, messageId, { body, mentions, edited: true });
      await indexMentions(tx.trx, chatId, Number(row.seq), mentions);
      return { message: edited, rev: await tx.record({ chatId, kind: 'message.updated', messageId }) };
    },
    chatId,
  );
  await deps.events.messageUpdated(message, rev);
  return { ...message, rev };
}

// Adds or removes the caller's reaction to a message: a change of the message with a rev, seen live by members.
import { BadRequest, Conflict, NotFound } from '@chat/kit';
import { MAX_REACTIONS_PER_MESSAGE, type MessageWithRev } from '@chat/kit/contract';
import { latestRevOfMessage } from '../../db/changes.ts';
import { messageOf, messageRowOf } from '../../db/messages.ts';
import { deleteReaction, emojiCountOf, insertReaction } from '../../db/reactions.ts';
import { requireMember } from '../access.ts';
import { inChangeTransaction } from '../changes/changeTransaction.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export type ReactProps = {
  chatId: string;
  messageId: string;
  userId: string;
  /** Already validated: one emoji. */
  emoji: string;
  /** True to add, false to remove. */
  on: boolean;
};

export async function react(
  deps: Pick<ChatHistoryDeps, 'db' | 'events'> & Partial<Pick<ChatHistoryDeps, 'admission'>>,
  { chatId, messageId, userId, emoji, on }: ReactProps,
): Promise<MessageWithRev> {
  await requireMember(deps.db, chatId, userId);
  const outcome = await inChangeTransaction(
    deps,
    async (tx) => {
      const row = await messageRowOf(tx.trx, chatId, messageId);
      if (!row) throw new NotFound('No such message');
      if (row.deleted_at) throw new Conflict('The message was deleted');
      if (on) {
        const { distinct, has } = await emojiCountOf(tx.trx, messageId, emoji);
        if (!has && distinct >= MAX_REACTIONS_PER_MESSAGE) {
          throw new BadRequest(`A message takes at most ${MAX_REACTIONS_PER_MESSAGE} different reactions`, [
            { path: 'emoji', message: `at most ${MAX_REACTIONS_PER_MESSAGE} different emoji per message` },
          ]);
        }
      }
      const changed = on
        ? await insertReaction(tx.trx, messageId, emoji, userId)
        : await deleteReaction(tx.trx, messageId, emoji, userId);
      // adding one twice, or removing one that is not there, changes nothing and records nothing
      if (!changed) return { message: await messageOf(tx.trx, row), rev: undefined };
      const rev = await tx.record({ chatId, kind: 'message.updated', messageId });
      return { message: await messageOf(tx.trx, row), rev };
    },
    chatId,
  );
  if (outcome.rev === undefined) {
    return { ...outcome.message, rev: await latestRevOfMessage(deps.db, chatId, messageId) };
  }
  await deps.events.messageUpdated(outcome.message, outcome.rev);
  return { ...outcome.message, rev: outcome.rev };
}

// Deletes a message softly: its place in the history stays (seq, deletedAt), its body, mentions, reactions, pin and
// attachments go (the media service removes their files after its grace period); a change with a rev (and one more
// for the pinned list when it was pinned).
import { Forbidden, NotFound } from '@chat/kit';
import type { Message, MessageWithRev } from '@chat/kit/contract';
import { deleteAttachmentsOf } from '../../db/attachments.ts';
import { latestRevOfMessage } from '../../db/changes.ts';
import { indexMentions } from '../../db/mentions.ts';
import { lockMessage, messageOf, updateMessage } from '../../db/messages.ts';
import { deletePin } from '../../db/pins.ts';
import { requireMember } from '../access.ts';
import { publishPins } from '../chats/pinMessage.ts';
import { inChangeTransaction } from '../changes/changeTransaction.ts';
import type { ChatHistoryDeps } from '../deps.ts';

export type DeleteMessageProps = { chatId: string; messageId: string; userId: string; requestId?: string };

export async function deleteMessage(
  deps: Pick<ChatHistoryDeps, 'db' | 'events'> & Partial<Pick<ChatHistoryDeps, 'admission' | 'uploads' | 'logger'>>,
  { chatId, messageId, userId, requestId }: DeleteMessageProps,
): Promise<MessageWithRev> {
  type Outcome = { message: Message; rev?: number; pinsRev?: number; uploadIds?: string[] };
  const outcome = await inChangeTransaction(
    deps,
    async (tx): Promise<Outcome> => {
      await requireMember(tx.trx, chatId, userId);
      const row = await lockMessage(tx.trx, chatId, messageId);
      if (!row) throw new NotFound('No such message');
      if (row.sender_id !== userId) throw new Forbidden('Only the sender may delete a message');
      // deleting again answers the same deleted message and records nothing new
      if (row.deleted_at) return { message: await messageOf(tx.trx, row) };
      const deleted = await updateMessage(tx.trx, messageId, { body: '', mentions: [], deleted: true });
      await indexMentions(tx.trx, chatId, Number(row.seq), []);
      const rev = await tx.record({ chatId, kind: 'message.updated', messageId });
      const unpinned = await deletePin(tx.trx, chatId, messageId);
      return {
        message: deleted,
        uploadIds: await deleteAttachmentsOf(tx.trx, messageId),
        rev,
        pinsRev: unpinned ? await tx.record({ chatId, kind: 'chat.updated' }) : undefined,
      };
    },
    chatId,
  );
  if (outcome.rev === undefined) {
    return { ...outcome.message, rev: await latestRevOfMessage(deps.db, chatId, messageId) };
  }
  await deps.events.messageUpdated(outcome.message, outcome.rev);
  // members lost access with the commit; the bytes go after the media service's grace period. A release that fails
  // here leaves them stored but unreachable to anyone but the uploader (see docs/operations.md).
  if (outcome.uploadIds?.length && deps.uploads) {
    await deps.uploads.release(outcome.uploadIds, requestId).catch((err: unknown) => {
      deps.logger?.warn({ err: (err as Error).message, uploadIds: outcome.uploadIds }, 'uploads not released');
    });
  }
  if (outcome.pinsRev !== undefined) await publishPins(deps, chatId, outcome.pinsRev);
  return { ...outcome.message, rev: outcome.rev };
}

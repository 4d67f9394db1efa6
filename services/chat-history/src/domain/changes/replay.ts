// Recorded changes as a member replays them: each with the message or the chat as it is now.
import type { Knex } from '@chat/kit';
import type { Change, Chat } from '@chat/kit/contract';
import type { RecordedChange } from '../../db/changes.ts';
import { messagesByIds } from '../../db/messages.ts';

/** `views`: the viewer's view of each chat the changes are about (for `chat.updated`). */
export async function replayChanges(db: Knex, recorded: RecordedChange[], views: Map<string, Chat>): Promise<Change[]> {
  const messages = await messagesByIds(
    db,
    recorded.flatMap((c) => (c.messageId ? [c.messageId] : [])),
  );
  return recorded.map((c): Change => {
    switch (c.kind) {
      case 'message.new':
      case 'message.updated': {
        const message = c.messageId ? messages.get(c.messageId) : undefined;
        if (!message) throw new Error(`change ${c.chatId}#${c.rev} names a missing message`);
        return { rev: c.rev, kind: c.kind, message };
      }
      case 'chat.updated': {
        const chat = views.get(c.chatId);
        if (!chat) throw new Error(`change ${c.chatId}#${c.rev} has no view of its chat`);
        return { rev: c.rev, kind: c.kind, chat };
      }
      default:
        return { rev: c.rev, kind: c.kind, userId: c.userId };
    }
  });
}

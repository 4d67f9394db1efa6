// The internal API the realtime nodes call (never routed by the gateway): who is in which chat, and the sends their
// sockets make, several per request. Everything else a socket does as its user goes through the public routes, on
// behalf of that user.
import { answerableError, type Logger, logOf, parseInput, problemOf } from '@chat/kit';
import { membershipApi, SEND_BATCH_PATH, type SendBatchLine, sendBatchRequest } from '@chat/kit/contract';
import { Router } from 'express';
import { canViewUpload } from '../db/attachments.ts';
import { listChatIdsOf, listContactsOf } from '../domain/chats/memberships.ts';
import type { ChatHistoryDeps } from '../domain/deps.ts';
import type { AppendResult } from '../domain/messages/appendMessage.ts';
import { send } from './messages.ts';
import { idsOf, lower } from './params.ts';

export function internalRoutes(deps: ChatHistoryDeps): Router {
  const router = Router();

  router.get(membershipApi.chatsOfUser.path, async (req, res) => {
    const { userId } = idsOf(req, 'userId');
    res.json({ chatIds: await listChatIdsOf(deps, { userId }) });
  });

  router.get(membershipApi.contactsOfUser.path, async (req, res) => {
    const { userId } = idsOf(req, 'userId');
    res.json({ userIds: await listContactsOf(deps, { userId }) });
  });

  // the media service asks before it serves an upload's bytes to anyone but its uploader
  router.get(membershipApi.uploadViewer.path, async (req, res) => {
    const { uploadId, userId } = idsOf(req, 'uploadId', 'userId');
    res.json({ canView: await canViewUpload(deps.db, uploadId, userId) });
  });

  // Each send's outcome is a line of the answer as soon as it is known, so a send waiting for a busy chat holds up no
  // other send's ack. A send goes through exactly what a REST send does (send in messages.ts), as its user.
  router.post(SEND_BATCH_PATH, async (req, res) => {
    const { sends } = parseInput(sendBatchRequest, req.body);
    // member lists show names from the latest token each user came with, as for REST calls
    await deps.profiles.remember(sends.map((s) => ({ userId: lower(s.userId), displayName: s.displayName })));
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const log = logOf(res);
    // The lines known at once (a group's sends commit together) go out as one chunk in one write, and the last ones
    // with the answer's end. (A corked response would not do: Node writes the chunk it held piece by piece after the
    // uncork, a system call each.)
    let held: string[] = [];
    const takeHeld = () => {
      const text = held.join('');
      held = [];
      return text;
    };
    const writeHeld = () => {
      if (held.length > 0) res.write(takeHeld());
    };
    const writeLine = (line: SendBatchLine) => {
      if (held.length === 0) process.nextTick(writeHeld);
      held.push(`${JSON.stringify(line)}\n`);
    };
    await Promise.all(
      sends.map(async (s, i) => {
        const sending = () => send(deps, lower(s.userId), s.chatId, s.message, s.requestId);
        writeLine(await outcomeOf(i, sending, log, s.requestId));
      }),
    );
    res.end(takeHeld());
  });

  return router;
}

/** The line of send `i`: its status and message, or its problem (logged when it is a failure of this service). */
async function outcomeOf(
  i: number,
  sending: () => Promise<AppendResult>,
  log: Logger,
  requestId?: string,
): Promise<SendBatchLine> {
  try {
    const { message, created } = await sending();
    return { i, status: created ? 201 : 200, body: message };
  } catch (err) {
    const error = answerableError(err, log, { requestId });
    return { i, status: error.status, body: problemOf(error), retryAfter: error.retryAfterSeconds };
  }
}

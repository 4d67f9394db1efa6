// REST: a chat's history, sending, editing and deleting, read cursors and receipts. Realtime nodes call the same
// routes on behalf of their sockets' users, so a socket event and its REST call are one command with one answer.
import { parseInput, requestIdOf } from '@chat/kit';
import { chatApi, emoji, historyQuery, notifyRequest } from '@chat/kit/contract';
import { Router } from 'express';
import type { ChatHistoryDeps } from '../domain/deps.ts';
import { type AppendResult, appendMessage } from '../domain/messages/appendMessage.ts';
import { deleteMessage } from '../domain/messages/deleteMessage.ts';
import { editMessage } from '../domain/messages/editMessage.ts';
import { readHistory } from '../domain/messages/readHistory.ts';
import { react } from '../domain/messages/react.ts';
import { listReceipts } from '../domain/reads/listReceipts.ts';
import { markRead } from '../domain/reads/markRead.ts';
import { markUnread, setNotifyLevel } from '../domain/reads/memberState.ts';
import { callerOf, idsIn, idsOf } from './params.ts';

/** One send, as REST and the realtime nodes' batches (see internal.ts) make it: checked, counted, appended. */
export async function send(
  deps: ChatHistoryDeps,
  senderId: string,
  chatId: unknown,
  input: unknown,
  requestId?: string,
): Promise<AppendResult> {
  const { id } = idsIn({ id: chatId }, 'id');
  const { clientId, body, replyTo, attachments } = parseInput(chatApi.sendMessage.body, input);
  await deps.countSend(senderId);
  return appendMessage(deps, { chatId: id, senderId, clientId, body: body ?? '', replyTo, attachments, requestId });
}

export function messageRoutes(deps: ChatHistoryDeps): Router {
  const router = Router();
  const { sendMessage, editMessage: edit, deleteMessage: remove, markRead: read } = chatApi;

  router.get('/api/chats/:id/messages', async (req, res) => {
    const { id } = idsOf(req, 'id');
    const page = parseInput(historyQuery, req.query);
    res.json({ messages: await readHistory(deps, { chatId: id, userId: callerOf(res), page }) });
  });

  router.post(sendMessage.path, async (req, res) => {
    const { message, created } = await send(deps, callerOf(res), req.params.id, req.body, requestIdOf(req));
    res.status(created ? 201 : 200).json(message);
  });

  router.patch(edit.path, async (req, res) => {
    const { id, messageId } = idsOf(req, 'id', 'messageId');
    const { body } = parseInput(edit.body, req.body);
    res.json(await editMessage(deps, { chatId: id, messageId, userId: callerOf(res), body }));
  });

  router.delete(remove.path, async (req, res) => {
    const { id, messageId } = idsOf(req, 'id', 'messageId');
    res.json(await deleteMessage(deps, { chatId: id, messageId, userId: callerOf(res), requestId: requestIdOf(req) }));
  });

  router.post(read.path, async (req, res) => {
    const { id } = idsOf(req, 'id');
    const { seq } = parseInput(read.body, req.body);
    await markRead(deps, { chatId: id, userId: callerOf(res), seq });
    res.status(202).end();
  });

  for (const [route, on] of [
    [chatApi.addReaction, true],
    [chatApi.removeReaction, false],
  ] as const) {
    router[on ? 'put' : 'delete'](route.path, async (req, res) => {
      const { id, messageId } = idsOf(req, 'id', 'messageId');
      const given = parseInput(emoji, req.params.emoji);
      res.json(await react(deps, { chatId: id, messageId, userId: callerOf(res), emoji: given, on }));
    });
  }

  router.post('/api/chats/:id/unread', async (req, res) => {
    const { id } = idsOf(req, 'id');
    await markUnread(deps, { chatId: id, userId: callerOf(res) });
    res.status(204).end();
  });

  router.put('/api/chats/:id/notify', async (req, res) => {
    const { id } = idsOf(req, 'id');
    const { notify } = parseInput(notifyRequest, req.body);
    res.json(await setNotifyLevel(deps, { chatId: id, userId: callerOf(res), notify }));
  });

  router.get('/api/chats/:id/receipts', async (req, res) => {
    const { id } = idsOf(req, 'id');
    res.json({ receipts: await listReceipts(deps, { chatId: id, userId: callerOf(res) }) });
  });

  return router;
}

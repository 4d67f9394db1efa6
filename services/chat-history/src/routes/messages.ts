// REST: a chat's history, sending, editing and deleting, read cursors and receipts.
import { parseInput } from '@chat/kit';
import { editMessageEvent, historyQuery, readRequest, sendMessageRequest } from '@chat/kit/contract';
import { Router } from 'express';
import type { ChatHistoryDeps } from '../domain/deps.ts';
import { appendMessage } from '../domain/messages/appendMessage.ts';
import { deleteMessage } from '../domain/messages/deleteMessage.ts';
import { editMessage } from '../domain/messages/editMessage.ts';
import { readHistory } from '../domain/messages/readHistory.ts';
import { listReceipts } from '../domain/reads/listReceipts.ts';
import { markRead } from '../domain/reads/markRead.ts';
import { callerOf, idsOf } from './params.ts';

// the same body rule as the socket's message:edit
const editBody = editMessageEvent.pick({ body: true });

export function messageRoutes(deps: ChatHistoryDeps): Router {
  const router = Router();

  router.get('/api/chats/:id/messages', async (req, res) => {
    const { id } = idsOf(req, 'id');
    const page = parseInput(historyQuery, req.query);
    res.json({ messages: await readHistory(deps, { chatId: id, userId: callerOf(res), page }) });
  });

  router.post('/api/chats/:id/messages', async (req, res) => {
    const { id } = idsOf(req, 'id');
    const { clientId, body } = parseInput(sendMessageRequest, req.body);
    const { message, created } = await appendMessage(deps, { chatId: id, senderId: callerOf(res), clientId, body });
    res.status(created ? 201 : 200).json(message);
  });

  router.patch('/api/chats/:id/messages/:messageId', async (req, res) => {
    const { id, messageId } = idsOf(req, 'id', 'messageId');
    const { body } = parseInput(editBody, req.body);
    res.json(await editMessage(deps, { chatId: id, messageId, userId: callerOf(res), body }));
  });

  router.delete('/api/chats/:id/messages/:messageId', async (req, res) => {
    const { id, messageId } = idsOf(req, 'id', 'messageId');
    res.json(await deleteMessage(deps, { chatId: id, messageId, userId: callerOf(res) }));
  });

  router.post('/api/chats/:id/read', async (req, res) => {
    const { id } = idsOf(req, 'id');
    const { seq } = parseInput(readRequest, req.body);
    await markRead(deps, { chatId: id, userId: callerOf(res), seq });
    res.status(202).end();
  });

  router.get('/api/chats/:id/receipts', async (req, res) => {
    const { id } = idsOf(req, 'id');
    res.json({ receipts: await listReceipts(deps, { chatId: id, userId: callerOf(res) }) });
  });

  return router;
}

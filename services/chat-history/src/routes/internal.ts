// The internal API the realtime nodes call (never routed by the gateway): membership, and message writes for sockets.
import { parseInput } from '@chat/kit';
import {
  internalDeleteMessageRequest,
  internalEditMessageRequest,
  internalReadRequest,
  internalSendMessageRequest,
} from '@chat/kit/contract';
import { Router } from 'express';
import { listChatIdsOf, listContactsOf, roleOf } from '../domain/chats/memberships.ts';
import type { ChatHistoryDeps } from '../domain/deps.ts';
import { appendMessage } from '../domain/messages/appendMessage.ts';
import { deleteMessage } from '../domain/messages/deleteMessage.ts';
import { editMessage } from '../domain/messages/editMessage.ts';
import { markRead } from '../domain/reads/markRead.ts';
import { idsOf, lower } from './params.ts';

export function internalRoutes(deps: ChatHistoryDeps): Router {
  const router = Router();

  router.get('/internal/users/:userId/chats', async (req, res) => {
    const { userId } = idsOf(req, 'userId');
    res.json({ chatIds: await listChatIdsOf(deps, { userId }) });
  });

  router.get('/internal/users/:userId/contacts', async (req, res) => {
    const { userId } = idsOf(req, 'userId');
    res.json({ userIds: await listContactsOf(deps, { userId }) });
  });

  router.get('/internal/chats/:chatId/members/:userId', async (req, res) => {
    const { chatId, userId } = idsOf(req, 'chatId', 'userId');
    res.json({ role: await roleOf(deps, { chatId, userId }) });
  });

  router.post('/internal/chats/:chatId/messages', async (req, res) => {
    const { chatId } = idsOf(req, 'chatId');
    const input = parseInput(internalSendMessageRequest, req.body);
    const senderId = lower(input.userId);
    const result = await appendMessage(deps, { chatId, senderId, clientId: input.clientId, body: input.body });
    if (input.displayName) await deps.profiles.remember([{ userId: senderId, displayName: input.displayName }]);
    res.status(result.created ? 201 : 200).json(result);
  });

  router.patch('/internal/chats/:chatId/messages/:messageId', async (req, res) => {
    const { chatId, messageId } = idsOf(req, 'chatId', 'messageId');
    const { userId, body } = parseInput(internalEditMessageRequest, req.body);
    res.json({ message: await editMessage(deps, { chatId, messageId, userId: lower(userId), body }) });
  });

  router.delete('/internal/chats/:chatId/messages/:messageId', async (req, res) => {
    const { chatId, messageId } = idsOf(req, 'chatId', 'messageId');
    const { userId } = parseInput(internalDeleteMessageRequest, req.body);
    res.json({ message: await deleteMessage(deps, { chatId, messageId, userId: lower(userId) }) });
  });

  router.post('/internal/chats/:chatId/read', async (req, res) => {
    const { chatId } = idsOf(req, 'chatId');
    const { userId, seq } = parseInput(internalReadRequest, req.body);
    await markRead(deps, { chatId, userId: lower(userId), seq });
    res.status(202).end();
  });

  return router;
}

// REST: chats and their members.
import { parseInput } from '@chat/kit';
import { addMembersRequest, chatApi, createDirectChatRequest, createGroupChatRequest } from '@chat/kit/contract';
import { Router } from 'express';
import { addMembers } from '../domain/chats/addMembers.ts';
import { createDirectChat } from '../domain/chats/createDirectChat.ts';
import { createGroupChat } from '../domain/chats/createGroupChat.ts';
import { getChat } from '../domain/chats/getChat.ts';
import { pinMessage } from '../domain/chats/pinMessage.ts';
import { listChats } from '../domain/chats/listChats.ts';
import { removeMember } from '../domain/chats/removeMember.ts';
import { renameChat } from '../domain/chats/renameChat.ts';
import type { ChatHistoryDeps } from '../domain/deps.ts';
import { callerOf, idsOf, requestIdOf } from './params.ts';

export function chatRoutes(deps: ChatHistoryDeps): Router {
  const router = Router();

  router.get('/api/chats', async (_req, res) => {
    res.json({ chats: await listChats(deps, { userId: callerOf(res) }) });
  });

  router.post('/api/chats/direct', async (req, res) => {
    const { userId: otherId } = parseInput(createDirectChatRequest, req.body);
    const { chat, created } = await createDirectChat(deps, {
      userId: callerOf(res),
      otherId,
      requestId: requestIdOf(res),
    });
    res.status(created ? 201 : 200).json(chat);
  });

  router.post('/api/chats/groups', async (req, res) => {
    const { title, memberIds } = parseInput(createGroupChatRequest, req.body);
    const chat = await createGroupChat(deps, { userId: callerOf(res), title, memberIds, requestId: requestIdOf(res) });
    res.status(201).json(chat);
  });

  router.get(chatApi.getChat.path, async (req, res) => {
    const { id } = idsOf(req, 'id');
    res.json(await getChat(deps, { chatId: id, userId: callerOf(res) }));
  });

  router.patch(chatApi.renameChat.path, async (req, res) => {
    const { id } = idsOf(req, 'id');
    const { title } = parseInput(chatApi.renameChat.body, req.body);
    res.json(await renameChat(deps, { chatId: id, userId: callerOf(res), title }));
  });

  for (const [route, pinned] of [
    [chatApi.pin, true],
    [chatApi.unpin, false],
  ] as const) {
    router[pinned ? 'put' : 'delete'](route.path, async (req, res) => {
      const { id, messageId } = idsOf(req, 'id', 'messageId');
      res.json(await pinMessage(deps, { chatId: id, messageId, userId: callerOf(res), pinned }));
    });
  }

  router.post('/api/chats/:id/members', async (req, res) => {
    const { id } = idsOf(req, 'id');
    const { userIds } = parseInput(addMembersRequest, req.body);
    res.json(await addMembers(deps, { chatId: id, userId: callerOf(res), userIds, requestId: requestIdOf(res) }));
  });

  router.delete('/api/chats/:id/members/:userId', async (req, res) => {
    const { id, userId } = idsOf(req, 'id', 'userId');
    await removeMember(deps, { chatId: id, userId: callerOf(res), memberId: userId });
    res.status(204).end();
  });

  return router;
}

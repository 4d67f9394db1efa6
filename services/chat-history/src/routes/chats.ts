// REST: chats and their members.
import { parseInput } from '@chat/kit';
import { addMembersRequest, createDirectChatRequest, createGroupChatRequest } from '@chat/kit/contract';
import { Router } from 'express';
import { addMembers } from '../domain/chats/addMembers.ts';
import { createDirectChat } from '../domain/chats/createDirectChat.ts';
import { createGroupChat } from '../domain/chats/createGroupChat.ts';
import { getChat } from '../domain/chats/getChat.ts';
import { listChats } from '../domain/chats/listChats.ts';
import { removeMember } from '../domain/chats/removeMember.ts';
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

  router.get('/api/chats/:id', async (req, res) => {
    const { id } = idsOf(req, 'id');
    res.json(await getChat(deps, { chatId: id, userId: callerOf(res) }));
  });

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

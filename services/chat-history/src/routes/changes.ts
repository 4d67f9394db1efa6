// REST: change sync — one chat's changes after a rev, and every chat's in one round trip after a reconnect.
import { parseInput } from '@chat/kit';
import { changesQuery, chatApi } from '@chat/kit/contract';
import { Router } from 'express';
import { readChanges } from '../domain/changes/readChanges.ts';
import { syncChats } from '../domain/changes/syncChats.ts';
import type { ChatHistoryDeps } from '../domain/deps.ts';
import { callerOf, idsOf } from './params.ts';

export function changeRoutes(deps: ChatHistoryDeps): Router {
  const router = Router();

  router.get(chatApi.changes.path, async (req, res) => {
    const { id } = idsOf(req, 'id');
    const { after, limit } = parseInput(changesQuery, req.query);
    res.json(await readChanges(deps, { chatId: id, userId: callerOf(res), after, limit }));
  });

  router.post(chatApi.sync.path, async (req, res) => {
    const { chats } = parseInput(chatApi.sync.body, req.body);
    res.json(await syncChats(deps, { userId: callerOf(res), held: chats }));
  });

  return router;
}

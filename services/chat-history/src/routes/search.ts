// REST: message search.
import { parseInput } from '@chat/kit';
import { searchQuery } from '@chat/kit/contract';
import { Router } from 'express';
import type { ChatHistoryDeps } from '../domain/deps.ts';
import { searchMessages } from '../domain/search/searchMessages.ts';
import { callerOf } from './params.ts';

export function searchRoutes(deps: ChatHistoryDeps): Router {
  const router = Router();
  router.get('/api/search', async (req, res) => {
    const { q, chatId, limit, cursor } = parseInput(searchQuery, req.query);
    res.json(await searchMessages(deps, { userId: callerOf(res), q, chatId: chatId?.toLowerCase(), limit, cursor }));
  });
  return router;
}

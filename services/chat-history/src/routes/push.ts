// REST: Web Push — the server's public key and the user's subscriptions.
import { parseInput } from '@chat/kit';
import { pushSubscriptionRequest, pushUnsubscribeRequest } from '@chat/kit/contract';
import { Router } from 'express';
import type { ChatHistoryDeps } from '../domain/deps.ts';
import { subscribeToPushes, unsubscribeFromPushes } from '../domain/push/subscriptions.ts';
import { callerOf } from './params.ts';

export function pushRoutes(deps: ChatHistoryDeps): Router {
  const router = Router();

  router.get('/api/push/key', (_req, res) => {
    res.json({ publicKey: deps.push.publicKey });
  });

  router.post('/api/push/subscriptions', async (req, res) => {
    const { endpoint, keys } = parseInput(pushSubscriptionRequest, req.body);
    await subscribeToPushes(deps, { userId: callerOf(res), endpoint, p256dh: keys.p256dh, auth: keys.auth });
    res.status(201).json({ endpoint });
  });

  router.delete('/api/push/subscriptions', async (req, res) => {
    const { endpoint } = parseInput(pushUnsubscribeRequest, req.body);
    await unsubscribeFromPushes(deps, { userId: callerOf(res), endpoint });
    res.status(204).end();
  });

  return router;
}

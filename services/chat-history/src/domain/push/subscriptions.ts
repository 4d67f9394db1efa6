// Web Push subscriptions of the signed-in user: a browser subscribes with its push service's endpoint and keys.
import { BadRequest } from '@chat/kit';
import { deletePushSubscription, savePushSubscription } from '../../db/pushSubscriptions.ts';
import type { ChatHistoryDeps } from '../deps.ts';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export type SubscribeProps = { userId: string; endpoint: string; p256dh: string; auth: string };

/** Push services are reached over https; a plain-http endpoint on this machine only outside production (tests). */
function checkEndpoint(endpoint: string, allowLocal: boolean) {
  const url = new URL(endpoint);
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && allowLocal && LOCAL_HOSTS.has(url.hostname)) return;
  throw new BadRequest('A push endpoint must be an https URL', [{ path: 'endpoint', message: 'must be https' }]);
}

export async function subscribeToPushes({ db, push }: Pick<ChatHistoryDeps, 'db' | 'push'>, s: SubscribeProps) {
  checkEndpoint(s.endpoint, push.allowLocalEndpoints);
  await savePushSubscription(db, s);
}

export async function unsubscribeFromPushes(
  { db }: Pick<ChatHistoryDeps, 'db'>,
  { userId, endpoint }: { userId: string; endpoint: string },
) {
  await deletePushSubscription(db, userId, endpoint);
}

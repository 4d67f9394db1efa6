// The push worker: for each sent message, the recipients it should reach who have no connected socket get a push on
// every subscription (RFC 8291 encrypted, VAPID signed, by `web-push`), each a job with its own retries; a push
// service that answers 404 or 410 has dropped the subscription, so it is deleted.
import {
  closeQueue,
  type Knex,
  type Logger,
  type Metrics,
  presenceSocketsKey,
  queuePrefix,
  type Redis,
} from '@chat/kit';
import { type Job, Worker } from 'bullmq';
import { Counter } from 'prom-client';
import webPush from 'web-push';
import { deletePushSubscriptionById, subscriptionById } from '../db/pushSubscriptions.ts';
import { createPushQueue, PUSH_QUEUE, type PushJob, type SentMessage } from './queue.ts';
import { chatsWithSubscribers, pushTargetsOf } from './recipients.ts';
import type { VapidKeys } from './vapid.ts';

export type PushWorkerDeps = {
  db: Knex;
  /** For BullMQ: maxRetriesPerRequest null. */
  redis: Redis;
  /** Reads presence (who has a live socket). */
  presence: Redis;
  redisPrefix: string;
  vapid: VapidKeys;
  /** `mailto:` or https URL push services may contact. */
  subject: string;
  logger: Logger;
  metrics: Metrics;
  concurrency?: number;
};

/** A push service answered with a status worth retrying. */
class PushRejected extends Error {}

export function createPushWorker(deps: PushWorkerDeps) {
  const { db, redis, presence, redisPrefix, logger } = deps;
  const queue = createPushQueue(redis, redisPrefix);
  const sent = new Counter({
    name: 'pushes_total',
    help: 'Web Push deliveries by outcome (sent, gone: subscription deleted, failed: retried)',
    labelNames: ['outcome'] as const,
    registers: [deps.metrics.registry],
  });

  async function onlineOf(userIds: string[]): Promise<Set<string>> {
    const pipeline = presence.pipeline();
    const now = Date.now();
    for (const id of userIds) pipeline.zcount(presenceSocketsKey(redisPrefix, id), now, '+inf');
    const counts = (await pipeline.exec()) ?? [];
    return new Set(userIds.filter((_, i) => Number(counts[i]?.[1] ?? 0) > 0));
  }

  async function fanOut(chatId: string, messageId: string) {
    const target = await pushTargetsOf(db, chatId, messageId);
    if (!target || target.subscriptions.length === 0) return;
    const online = await onlineOf([...new Set(target.subscriptions.map((s) => s.user_id))]);
    const jobs = target.subscriptions
      .filter((s) => !online.has(s.user_id))
      .map((s) => ({
        name: 'deliver',
        data: { kind: 'deliver' as const, subscriptionId: String(s.id), payload: target.payload },
      }));
    if (jobs.length > 0) await queue.addBulk(jobs);
  }

  /** A batch: one query finds the chats anyone could be pushed in; a message that fails goes back on its own. */
  async function fanOutAll(messages: SentMessage[]) {
    const reachable = await chatsWithSubscribers(db, [...new Set(messages.map((m) => m.chatId))]);
    const failed: SentMessage[] = [];
    for (const m of messages.filter((m) => reachable.has(m.chatId))) {
      try {
        await fanOut(m.chatId, m.messageId);
      } catch (err) {
        logger.warn({ err: (err as Error).message, ...m }, 'push fan-out failed; retried on its own');
        failed.push(m);
      }
    }
    if (failed.length > 0)
      await queue.addBulk(failed.map((m) => ({ name: 'message', data: { kind: 'message', ...m } })));
  }

  async function deliver(job: Extract<PushJob, { kind: 'deliver' }>) {
    const subscription = await subscriptionById(db, job.subscriptionId);
    if (!subscription) return;
    const request = webPush.generateRequestDetails(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      JSON.stringify(job.payload),
      {
        vapidDetails: { subject: deps.subject, publicKey: deps.vapid.publicKey, privateKey: deps.vapid.privateKey },
        TTL: 24 * 3600,
        urgency: 'high',
      },
    );
    const res = await fetch(request.endpoint, {
      method: request.method,
      headers: request.headers as Record<string, string>,
      body: request.body ?? undefined,
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status === 404 || res.status === 410) {
      await deletePushSubscriptionById(db, subscription.id);
      sent.inc({ outcome: 'gone' });
      return;
    }
    if (!res.ok) {
      sent.inc({ outcome: 'failed' });
      // 429 and 5xx may pass; other 4xx will not get better by retrying
      if (res.status === 429 || res.status >= 500) throw new PushRejected(`push service answered ${res.status}`);
      logger.warn({ status: res.status, subscriptionId: subscription.id }, 'push refused');
      return;
    }
    sent.inc({ outcome: 'sent' });
  }

  const worker = new Worker<PushJob>(
    PUSH_QUEUE,
    async (job: Job<PushJob>) => {
      if (job.data.kind === 'messages') await fanOutAll(job.data.messages);
      else if (job.data.kind === 'message') await fanOut(job.data.chatId, job.data.messageId);
      else await deliver(job.data);
    },
    {
      connection: redis,
      prefix: queuePrefix(redis, redisPrefix, PUSH_QUEUE),
      concurrency: deps.concurrency ?? 50,
      autorun: false,
    },
  );
  worker.on('failed', (job, err) =>
    logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'push job failed'),
  );
  worker.on('error', (err) => logger.error({ err: err.message }, 'push worker error'));

  return {
    worker,
    queue,
    start: () => void worker.run(),
    async close() {
      await closeQueue(worker);
      await closeQueue(queue);
    },
  };
}

// The relay: publishes again, from the change record, every change whose live events did not reach Redis (Redis was
// down, or the process died between commit and publish). Each pass looks at the chats changed since the last good
// pass, compares their rev with the rev Redis marks as published, and publishes what lies between, oldest first.
// Changes younger than the grace period are left to the fast path. A pass that fails (Redis or PostgreSQL down) moves
// nothing forward, so the next good pass covers the whole outage.
import type { Knex, Logger, Metrics } from '@chat/kit';
import { Counter } from 'prom-client';
import { chatsChangedSince, databaseTime, type RecordedChange, unpublishedChanges } from '../db/changes.ts';
import { messagesByIds } from '../db/messages.ts';
import { viewsByMember } from '../domain/access.ts';
import type { ChangePublisher } from '../events.ts';

export type RelayOptions = {
  /** Time between passes. */
  intervalMs: number;
  /** Changes younger than this are left to the fast path. */
  graceMs: number;
  /** How far back the first pass of a process looks (a process that died before it may have left changes). */
  lookbackMs: number;
};

const BATCH = 500;
// the window of the next pass starts this much before the previous one's end: clocks and commit order are not exact
const OVERLAP_MS = 5_000;

export function createRelay(
  { db, events, logger, metrics }: { db: Knex; events: ChangePublisher; logger: Logger; metrics: Metrics },
  { intervalMs, graceMs, lookbackMs }: RelayOptions,
) {
  const relayed = new Counter({
    name: 'changes_relayed_total',
    help: 'Changes published again by the relay because their live events had not reached Redis',
    registers: [metrics.registry],
  });
  let scanFrom: Date | undefined;
  let timer: NodeJS.Timeout | undefined;
  let passing: Promise<number> | undefined;

  async function publishAgain(chatId: string, changes: RecordedChange[]): Promise<boolean> {
    const messages = await messagesByIds(
      db,
      changes.flatMap((c) => (c.messageId ? [c.messageId] : [])),
    );
    const needsViews = changes.some((c) => c.kind === 'chat.updated' || c.kind === 'member.removed');
    const views = needsViews ? await viewsByMember(db, chatId) : new Map();
    for (const change of changes) {
      const message = change.messageId ? messages.get(change.messageId) : undefined;
      let ok = true;
      if (change.kind === 'message.new' && message) ok = await events.messageNew(message, change.rev);
      if (change.kind === 'message.updated' && message) ok = await events.messageUpdated(message, change.rev);
      if (change.kind === 'chat.updated') ok = await events.chatChanged(chatId, change.rev, views, { joinAll: true });
      if (change.kind === 'member.removed' && change.userId) {
        ok = await events.memberRemoved(chatId, change.rev, change.userId, views);
      }
      if (!ok) return false;
      relayed.inc();
    }
    await events.markRelayed(chatId, changes.at(-1)?.rev ?? 0);
    return true;
  }

  /** One pass; the number of changes published again. Throws when PostgreSQL or Redis cannot be reached. */
  async function pass(): Promise<number> {
    const since = scanFrom ?? (await databaseTime(db, lookbackMs / 1000));
    const nextFrom = await databaseTime(db, (graceMs + OVERLAP_MS) / 1000);
    const until = await databaseTime(db, graceMs / 1000);
    const chats = await chatsChangedSince(db, since);
    const marks = await events.publishedRevs(chats.map((c) => c.chatId));
    let count = 0;
    let complete = true;
    for (const { chatId, rev } of chats) {
      const mark = marks.get(chatId) ?? -1;
      if (mark >= rev) continue;
      const changes = await unpublishedChanges(db, chatId, { afterRev: Math.max(mark, 0), since, until, limit: BATCH });
      if (changes.length === 0) continue;
      if (!(await publishAgain(chatId, changes))) {
        complete = false;
        continue;
      }
      count += changes.length;
      if (changes.length === BATCH) complete = false;
    }
    if (complete && nextFrom > since) scanFrom = nextFrom;
    if (count > 0) logger.info({ changes: count, chats: chats.length }, 'relayed changes that had not been published');
    return count;
  }

  async function tick() {
    try {
      await pass();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'relay pass failed; the next one covers it');
    }
  }

  return {
    /** One pass now (tests, and start-up). */
    pass: () => {
      passing ??= pass().finally(() => {
        passing = undefined;
      });
      return passing;
    },
    start() {
      timer = setInterval(() => {
        if (!passing) void tick();
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await passing?.catch(() => {});
    },
  };
}

export type Relay = ReturnType<typeof createRelay>;

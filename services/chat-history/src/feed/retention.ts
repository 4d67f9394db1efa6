// Keeps the change record bounded: changes older than the retention are deleted; a client holding a rev from before
// that gets 410 resync_required and reloads the chat's newest page.
import type { Knex, Logger } from '@chat/kit';
import { databaseTime, deleteChangesBefore } from '../db/changes.ts';

const BATCH = 10_000;

/** Deletes every change older than `retentionDays`; the number deleted. */
export async function pruneChanges(db: Knex, retentionDays: number): Promise<number> {
  const before = await databaseTime(db, retentionDays * 86_400);
  let total = 0;
  for (;;) {
    const deleted = await deleteChangesBefore(db, before, BATCH);
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

/** Prunes now and then every `everyMs`. */
export function startRetention(db: Knex, retentionDays: number, everyMs: number, logger: Logger) {
  const run = async () => {
    try {
      const deleted = await pruneChanges(db, retentionDays);
      if (deleted > 0) logger.info({ deleted, retentionDays }, 'old changes pruned');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'pruning changes failed; the next run retries');
    }
  };
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

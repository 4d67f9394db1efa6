// What the domain functions work with; built once in app.ts.
import type { Knex } from '@chat/kit';
import type { UserDirectory } from '../directory.ts';
import type { ChatEvents } from '../events.ts';
import type { ReceiptsQueue } from '../receipts/queue.ts';
import type { ProfileKeeper } from './profiles.ts';

export type ChatHistoryDeps = {
  db: Knex;
  /** Broadcasts after commit. */
  events: ChatEvents;
  /** The auth service's user directory. */
  directory: UserDirectory;
  profiles: ProfileKeeper;
  /** Read events go here; the receipts worker persists them. */
  receipts: ReceiptsQueue;
};

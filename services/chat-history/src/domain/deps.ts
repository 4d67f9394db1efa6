// What the domain functions work with; built once in app.ts.
import type { Knex, Logger } from '@chat/kit';
import type { UserDirectory } from '../directory.ts';
import type { ChatEvents } from '../events.ts';
import type { PushNotifier } from '../push/queue.ts';
import type { ReadEnqueuer } from '../receipts/queue.ts';
import type { UploadCatalog } from '../uploads.ts';
import type { Admission } from './admission.ts';
import type { PlainSendGroups } from './messages/appendMessage.ts';
import type { ProfileKeeper } from './profiles.ts';

export type ChatHistoryDeps = {
  db: Knex;
  /** Broadcasts after commit. */
  events: ChatEvents;
  /** The auth service's user directory. */
  directory: UserDirectory;
  profiles: ProfileKeeper;
  /** The media service's uploads, for attachments. */
  uploads: UploadCatalog;
  logger: Logger;
  /** Writes of one chat wait in a bounded line (see admission.ts). */
  admission: Admission;
  /** Plain sends of one chat commit together when they arrive together (see sendGroups.ts). */
  sendGroups: PlainSendGroups;
  /** Read events go here; the receipts worker persists them. */
  receipts: ReadEnqueuer;
  /** Sent messages go here; the push worker notifies recipients who are not connected. */
  pushes: PushNotifier;
  /** Counts a send of the user's; throws RateLimited past their limit. */
  countSend: (userId: string) => Promise<void>;
  push: {
    /** The VAPID public key browsers subscribe with. */
    publicKey: string;
    /** Plain-http push endpoints on this machine (tests and local runs, never production). */
    allowLocalEndpoints: boolean;
  };
};

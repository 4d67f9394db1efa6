// What the routes work with; built once in app.ts.
import type { Knex, Logger, Metrics } from '@chat/kit';
import type { PurgeQueue } from '../domain/purge.ts';
import type { ChatViewers } from '../domain/viewers.ts';
import type { Storage } from '../storage/storage.ts';

export type MediaDeps = {
  db: Knex;
  storage: Storage;
  viewers: ChatViewers;
  purges: PurgeQueue;
  logger: Logger;
  metrics: Metrics;
  limits: {
    maxUploadBytes: number;
    uploadsPerUser: number;
    /** How long released uploads keep their bytes. */
    purgeGraceMs: number;
  };
};

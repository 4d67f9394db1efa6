// Where the bytes of uploads live: one interface, a driver per kind of storage.
import type { Readable } from 'node:stream';
import type { MediaConfig } from '../config.ts';
import { createLocalStorage } from './localDisk.ts';
import { createS3Storage } from './s3.ts';

/** Inclusive byte offsets, as in a Range header. */
export type ByteRange = { start: number; end: number };

export interface Storage {
  /** Stores the stream under `key`; when the stream fails or ends early, nothing stays under `key`. */
  put(key: string, body: Readable, contentType: string): Promise<void>;
  /** The stored bytes (or the range of them). */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes the object; removing one that is gone is not an error. */
  remove(key: string): Promise<void>;
  /** Readiness: the storage answers. */
  check(): Promise<void>;
}

export function createStorage(config: MediaConfig): Storage {
  if (config.MEDIA_STORAGE === 'local') return createLocalStorage(config.MEDIA_DATA_DIR);
  return createS3Storage({
    endpoint: config.MEDIA_S3_ENDPOINT,
    bucket: config.MEDIA_S3_BUCKET,
    region: config.MEDIA_S3_REGION,
    accessKeyId: config.MEDIA_S3_ACCESS_KEY_ID,
    secretAccessKey: config.MEDIA_S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.MEDIA_S3_FORCE_PATH_STYLE === 'true',
  });
}

// The media schema's migrations, in order (no file globbing at run time).
import type { SchemaMigrations } from '@chat/kit';
import * as media from '../../migrations/001_media.ts';

export const mediaMigrations: SchemaMigrations = {
  schema: 'media',
  migrations: { '001_media': media },
  formerNames: { '009_media': '001_media' },
};

// Opens an upload for a reader: its uploader, or a member (now) of a chat where it is posted; 404 for anyone else,
// so no one learns that a file exists they may not see.
import { type Knex, NotFound } from '@chat/kit';
import { liveUpload, type UploadRow } from '../db/uploads.ts';
import type { ChatViewers } from './viewers.ts';

export type OpenFileProps = {
  uploadId: string;
  userId: string;
  /** The thumbnail rather than the file. */
  thumbnail?: boolean;
  requestId?: string;
};

export type OpenedFile = { row: UploadRow; key: string; size?: number; mime: string };

export async function openFile(
  deps: { db: Knex; viewers: ChatViewers },
  { uploadId, userId, thumbnail, requestId }: OpenFileProps,
): Promise<OpenedFile> {
  const row = await liveUpload(deps.db, uploadId);
  if (!row || (thumbnail && !row.thumbnail_key)) throw new NotFound('No such file');
  if (row.owner_id !== userId && !(await deps.viewers.canView(uploadId, userId, requestId))) {
    throw new NotFound('No such file');
  }
  if (thumbnail) return { row, key: row.thumbnail_key as string, mime: 'image/webp' };
  return { row, key: row.storage_key, size: Number(row.size), mime: row.mime };
}

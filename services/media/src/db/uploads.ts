// SQL for uploads: the row of each stored file, its owner and where its bytes are.
import type { Knex } from '@chat/kit';
import type { StoredUpload } from '@chat/kit/contract';

export type UploadRow = {
  id: string;
  owner_id: string;
  name: string;
  size: string | number;
  mime: string;
  width: number | null;
  height: number | null;
  storage_key: string;
  thumbnail_key: string | null;
  created_at: Date;
  released_at: Date | null;
};

export type NewUpload = {
  id: string;
  ownerId: string;
  name: string;
  size: number;
  mime: string;
  width: number | null;
  height: number | null;
  storageKey: string;
  thumbnailKey: string | null;
};

export function storedUploadOf(row: UploadRow): StoredUpload {
  return {
    id: row.id,
    name: row.name,
    size: Number(row.size),
    mime: row.mime,
    width: row.width,
    height: row.height,
    hasThumbnail: row.thumbnail_key !== null,
  };
}

export async function insertUpload(db: Knex, u: NewUpload): Promise<UploadRow> {
  const [row] = await db<UploadRow>('uploads')
    .insert({
      id: u.id,
      owner_id: u.ownerId,
      name: u.name,
      size: u.size,
      mime: u.mime,
      width: u.width,
      height: u.height,
      storage_key: u.storageKey,
      thumbnail_key: u.thumbnailKey,
    })
    .returning('*');
  return row as UploadRow;
}

/** An upload that is not released, or undefined. */
export async function liveUpload(db: Knex, id: string): Promise<UploadRow | undefined> {
  return db<UploadRow>('uploads').where({ id }).whereNull('released_at').first();
}

export async function liveUploadsOf(db: Knex, ownerId: string, ids: string[]): Promise<UploadRow[]> {
  if (ids.length === 0) return [];
  return db<UploadRow>('uploads').whereIn('id', ids).where({ owner_id: ownerId }).whereNull('released_at');
}

/** Marks the uploads released (once); answers the ids it marked now. */
export async function markReleased(db: Knex, ids: string[]): Promise<string[]> {
  const rows: { id: string }[] = await db('uploads')
    .whereIn('id', ids)
    .whereNull('released_at')
    .update({ released_at: db.fn.now() })
    .returning('id');
  return rows.map((r) => r.id);
}

export async function uploadRow(db: Knex, id: string): Promise<UploadRow | undefined> {
  return db<UploadRow>('uploads').where({ id }).first();
}

export async function deleteUploadRow(db: Knex, id: string): Promise<void> {
  await db('uploads').where({ id }).delete();
}

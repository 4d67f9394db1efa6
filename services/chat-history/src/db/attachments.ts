// SQL for attachments of messages: what each message shows of its uploads, and who may fetch an upload's bytes.
import type { Knex } from '@chat/kit';
import { type Attachment, attachmentOf, type StoredUpload } from '@chat/kit/contract';

type Db = Knex | Knex.Transaction;

type AttachmentRow = {
  message_id: string;
  upload_id: string;
  name: string;
  size: string | number;
  mime: string;
  width: number | null;
  height: number | null;
  has_thumbnail: boolean;
};

/** Each message's attachments in the order they were sent. */
export async function attachmentsOf(db: Db, messageIds: string[]): Promise<Map<string, Attachment[]>> {
  const byMessage = new Map<string, Attachment[]>();
  if (messageIds.length === 0) return byMessage;
  const rows: AttachmentRow[] = await db('message_attachments')
    .whereIn('message_id', messageIds)
    .orderBy(['message_id', 'position'])
    .select('message_id', 'upload_id', 'name', 'size', 'mime', 'width', 'height', 'has_thumbnail');
  for (const r of rows) {
    const list = byMessage.get(r.message_id) ?? [];
    list.push(
      attachmentOf({
        id: r.upload_id,
        name: r.name,
        size: Number(r.size),
        mime: r.mime,
        width: r.width,
        height: r.height,
        hasThumbnail: r.has_thumbnail,
      }),
    );
    byMessage.set(r.message_id, list);
  }
  return byMessage;
}

/** The ids among these that are already posted in a message. */
export async function postedUploadIds(db: Db, uploadIds: string[]): Promise<string[]> {
  if (uploadIds.length === 0) return [];
  const rows: { upload_id: string }[] = await db('message_attachments')
    .whereIn('upload_id', uploadIds)
    .select('upload_id');
  return rows.map((r) => r.upload_id);
}

export async function insertAttachments(trx: Knex.Transaction, messageId: string, uploads: StoredUpload[]) {
  if (uploads.length === 0) return;
  await trx('message_attachments').insert(
    uploads.map((u, position) => ({
      message_id: messageId,
      position,
      upload_id: u.id,
      name: u.name,
      size: u.size,
      mime: u.mime,
      width: u.width,
      height: u.height,
      has_thumbnail: u.hasThumbnail,
    })),
  );
}

/** True for the unique violation of upload_id: a concurrent send posted the same upload first. */
export function isAlreadyPosted(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && Boolean(e.constraint?.includes('upload_id'));
}

/** Takes a deleted message's attachments away; answers the uploads they named. */
export async function deleteAttachmentsOf(trx: Knex.Transaction, messageId: string): Promise<string[]> {
  const rows: { upload_id: string }[] = await trx('message_attachments')
    .where({ message_id: messageId })
    .delete()
    .returning('upload_id');
  return rows.map((r) => r.upload_id);
}

/** Whether the user is now a member of the chat where the upload is posted, in a message that is not deleted. */
export async function canViewUpload(db: Db, uploadId: string, userId: string): Promise<boolean> {
  const row = await db('message_attachments as a')
    .join('messages as m', 'm.id', 'a.message_id')
    .join('members as mb', 'mb.chat_id', 'm.chat_id')
    .where({ 'a.upload_id': uploadId, 'mb.user_id': userId })
    .whereNull('m.deleted_at')
    .first('a.upload_id');
  return row !== undefined;
}

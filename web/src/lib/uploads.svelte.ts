// Files attached in the composer: each is uploaded at once (XMLHttpRequest, for its progress), can be cancelled, and
// is retried when the network comes back. A message waits in the outbox until its uploads are done.
import type { Attachment } from '@chat/kit/contract';
import { t } from './i18n.svelte.ts';
import { ActionFailed, report } from './notices.svelte.ts';
import { refresh, session } from './session.svelte.ts';
import { forgetFile, keepFile, keptFile } from './uploadFiles.ts';

/** The service's limit (MEDIA_MAX_UPLOAD_BYTES); a larger file is refused here before any byte is sent. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;

export type Upload = {
  id: string;
  chatId: string;
  name: string;
  size: number;
  /** Bytes sent so far. */
  loaded: number;
  status: 'uploading' | 'done' | 'failed';
  error?: string;
  attachment?: Attachment;
  /** Still in the composer (not yet part of a sent message). */
  inComposer: boolean;
};

export const uploads = $state({ items: [] as Upload[] });

const files = new Map<string, File>();
const requests = new Map<string, XMLHttpRequest>();
const waiters = new Map<string, ((attachment: Attachment | null) => void)[]>();

const find = (id: string) => uploads.items.find((u) => u.id === id);

/** The files attached in a chat's composer, in the order they were attached. */
export const composerUploads = (chatId: string) => uploads.items.filter((u) => u.chatId === chatId && u.inComposer);

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Attaches files to the chat's composer and starts uploading them; too large ones are refused with a clear error. */
export function attachFiles(chatId: string, list: Iterable<File>): void {
  for (const file of list) {
    if (composerUploads(chatId).length >= MAX_ATTACHMENTS) {
      report('failedAttach', new ActionFailed('bad_request', t('tooManyAttachments', { n: MAX_ATTACHMENTS })));
      return;
    }
    const item: Upload = {
      id: crypto.randomUUID(),
      chatId,
      name: file.name || 'file',
      size: file.size,
      loaded: 0,
      status: 'uploading',
      inComposer: true,
    };
    uploads.items.push(item);
    if (file.size > MAX_UPLOAD_BYTES) {
      const error = t('fileTooLarge', { name: item.name, max: formatSize(MAX_UPLOAD_BYTES) });
      fail(item.id, error);
      report('failedAttach', new ActionFailed('payload_too_large', error));
      continue;
    }
    files.set(item.id, file);
    void keepFile(item.id, { file, chatId, name: item.name });
    begin(item.id);
  }
}

/** Uploads a message in the outbox waited for when the page went away: started again from the kept files. */
export async function resumeUploads(chatId: string, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    if (find(id)) continue;
    const kept = await keptFile(id);
    if (!kept) continue;
    const file = kept.file instanceof File ? kept.file : new File([kept.file], kept.name);
    uploads.items.push({
      id,
      chatId,
      name: kept.name,
      size: file.size,
      loaded: 0,
      status: 'uploading',
      inComposer: false,
    });
    files.set(id, file);
    begin(id);
  }
}

function fail(id: string, error: string) {
  const item = find(id);
  if (item) Object.assign(item, { status: 'failed', error });
}

function begin(id: string, retried = false) {
  const file = files.get(id);
  const item = find(id);
  if (!file || !item) return;
  Object.assign(item, { status: 'uploading', loaded: 0, error: undefined });
  const xhr = new XMLHttpRequest();
  requests.set(id, xhr);
  xhr.open('POST', '/api/uploads');
  if (session.token) xhr.setRequestHeader('Authorization', `Bearer ${session.token}`);
  xhr.upload.onprogress = (event) => {
    const current = find(id);
    if (current) current.loaded = event.loaded;
  };
  xhr.onload = async () => {
    requests.delete(id);
    if (xhr.status === 201) return done(id, (JSON.parse(xhr.responseText) as { attachment: Attachment }).attachment);
    if (xhr.status === 401 && !retried && (await refresh())) return begin(id, true);
    if (xhr.status === 413) return fail(id, t('fileTooLarge', { name: item.name, max: formatSize(MAX_UPLOAD_BYTES) }));
    fail(id, problemOf(xhr) ?? t('uploadFailed'));
  };
  xhr.onerror = () => {
    requests.delete(id);
    fail(id, t('uploadOffline'));
  };
  const form = new FormData();
  form.append('file', file, item.name);
  xhr.send(form);
}

function problemOf(xhr: XMLHttpRequest): string | undefined {
  try {
    return (JSON.parse(xhr.responseText) as { detail?: string }).detail;
  } catch {
    return undefined;
  }
}

function done(id: string, attachment: Attachment) {
  const item = find(id);
  if (!item) return;
  Object.assign(item, { status: 'done', attachment, loaded: item.size });
  files.delete(id);
  void forgetFile(id);
  for (const resolve of waiters.get(id) ?? []) resolve(attachment);
  waiters.delete(id);
}

/** Stops an upload (or drops a failed or finished one); a message waiting for it goes without it. */
export function cancelUpload(id: string): void {
  requests.get(id)?.abort();
  requests.delete(id);
  files.delete(id);
  void forgetFile(id);
  uploads.items = uploads.items.filter((u) => u.id !== id);
  for (const resolve of waiters.get(id) ?? []) resolve(null);
  waiters.delete(id);
}

export function retryUpload(id: string): void {
  if (files.has(id) && find(id)?.status === 'failed') begin(id);
}

/** The attachment once the upload is done; null when it was cancelled. */
export function whenUploaded(id: string): Promise<Attachment | null> {
  const item = find(id);
  if (!item) return Promise.resolve(null);
  if (item.attachment) return Promise.resolve(item.attachment);
  return new Promise((resolve) => waiters.set(id, [...(waiters.get(id) ?? []), resolve]));
}

/** The composer's files leave it with the message they are sent in. */
export function takeComposerUploads(chatId: string): Upload[] {
  const taken = composerUploads(chatId).filter((u) => u.status !== 'failed' || files.has(u.id));
  for (const u of taken) u.inComposer = false;
  return taken;
}

/** Forgets uploads whose message has gone to the server. */
export function forgetUploads(ids: readonly string[]): void {
  uploads.items = uploads.items.filter((u) => !ids.includes(u.id));
}

if (typeof window !== 'undefined') {
  // uploads that failed for want of a network start again when it is back
  window.addEventListener('online', () => {
    for (const item of uploads.items) if (item.status === 'failed' && files.has(item.id)) begin(item.id);
  });
}

// Receives one upload: bytes are counted as they arrive (past the limit: 413 and nothing kept), the type comes from
// the first bytes, images are decoded and stored again without their metadata, with a thumbnail; anything else is
// streamed to storage as it comes.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { BadRequest, type Knex, PayloadTooLarge } from '@chat/kit';
import { type Attachment, attachmentOf } from '@chat/kit/contract';
import busboy from 'busboy';
import { fileTypeFromBuffer } from 'file-type';
import { insertUpload, storedUploadOf } from '../db/uploads.ts';
import type { Storage } from '../storage/storage.ts';
import { cleanImage, isDecodedImage } from './images.ts';

export type ReceiveUploadProps = {
  ownerId: string;
  /** The multipart request, not yet read. */
  request: IncomingMessage;
  /** The largest file accepted. */
  maxBytes: number;
};

type Deps = { db: Knex; storage: Storage };

/** How many first bytes the type is read from (file-type's own sample size). */
const SAMPLE_BYTES = 4100;

export async function receiveUpload(deps: Deps, { ownerId, request, maxBytes }: ReceiveUploadProps) {
  const { stream, name } = await theFile(request);
  return storeFile(deps, { ownerId, name, source: stream, maxBytes });
}

/** The multipart body's `file` part, as soon as it starts; other parts are skipped. */
function theFile(request: IncomingMessage): Promise<{ stream: Readable; name: string }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, defParamCharset: 'utf8', limits: { files: 1, parts: 20 } });
    } catch {
      return reject(new BadRequest('Expected multipart/form-data with a file'));
    }
    let found = false;
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || found) return void stream.resume();
      found = true;
      resolve({ stream, name: fileNameOf(info.filename) });
    });
    parser.on('error', () => reject(new BadRequest('The multipart body is malformed')));
    parser.on('close', () => {
      if (!found) reject(new BadRequest('No file in the field "file"', [{ path: 'file', message: 'is required' }]));
    });
    request.pipe(parser);
  });
}

type StoreFileProps = { ownerId: string; name: string; source: Readable; maxBytes: number };

async function storeFile(deps: Deps, { ownerId, name, source, maxBytes }: StoreFileProps): Promise<Attachment> {
  const id = randomUUID();
  const storageKey = `${id.slice(0, 2)}/${id}/original`;
  let size = 0;
  let tooLarge = false;
  async function* counted() {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = true;
        throw new PayloadTooLarge(`A file may have at most ${maxBytes} bytes`);
      }
      yield chunk;
    }
  }
  const bytes = counted();
  const head = await firstBytes(bytes, SAMPLE_BYTES);
  const mime = (await fileTypeFromBuffer(head.bytes))?.mime ?? 'application/octet-stream';
  const whole = Readable.from(head.andRest(bytes));
  try {
    if (isDecodedImage(mime)) {
      const image = await cleanImage(await collect(whole), mime);
      const thumbnailKey = `${id.slice(0, 2)}/${id}/thumbnail.webp`;
      await deps.storage.put(storageKey, Readable.from([image.data]), mime);
      await deps.storage.put(thumbnailKey, Readable.from([image.thumbnail]), 'image/webp');
      const row = await insertUpload(deps.db, {
        id,
        ownerId,
        name,
        size: image.data.length,
        mime,
        width: image.width,
        height: image.height,
        storageKey,
        thumbnailKey,
      });
      return attachmentOf(storedUploadOf(row));
    }
    await deps.storage.put(storageKey, whole, mime);
  } catch (err) {
    if (tooLarge) throw new PayloadTooLarge(`A file may have at most ${maxBytes} bytes`);
    throw err;
  }
  const row = await insertUpload(deps.db, {
    id,
    ownerId,
    name,
    size,
    mime,
    width: null,
    height: null,
    storageKey,
    thumbnailKey: null,
  });
  return attachmentOf(storedUploadOf(row));
}

/** Reads at least `count` bytes (fewer at the end); `andRest` gives those bytes followed by the rest. */
async function firstBytes(source: AsyncGenerator<Buffer>, count: number) {
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < count) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  const bytes = Buffer.concat(chunks);
  return {
    bytes,
    async *andRest(rest: AsyncGenerator<Buffer>) {
      if (bytes.length > 0) yield bytes;
      if (!ended) yield* rest;
    },
  };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The name shown and offered for saving: the last path segment, without control or format characters. */
export function fileNameOf(given: string | undefined): string {
  const base = (given ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .slice(0, 200);
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

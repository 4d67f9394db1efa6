// The files of uploads not yet done, kept in IndexedDB, so a message waiting for them survives a reload or a closed
// tab (localStorage holds the message, this the bytes).
type Kept = { file: Blob; chatId: string; name: string };

let opened: Promise<IDBDatabase> | null = null;

function database(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open('chat-uploads', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('files');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

async function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await database();
  return new Promise((resolve, reject) => {
    const request = act(db.transaction('files', mode).objectStore('files'));
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Keeping is best effort: without IndexedDB (a private window) a reload loses the file, as it would anyway. */
export const keepFile = (id: string, kept: Kept) => run('readwrite', (s) => s.put(kept, id)).catch(() => undefined);
export const forgetFile = (id: string) => run('readwrite', (s) => s.delete(id)).catch(() => undefined);
export const keptFile = (id: string) =>
  run<Kept | undefined>('readonly', (s) => s.get(id) as IDBRequest<Kept | undefined>).catch(() => undefined);

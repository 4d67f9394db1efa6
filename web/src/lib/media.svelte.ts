// Attachment bytes for the page: fetched with the access token (no token ever goes into a URL) and shown from object
// URLs, which whoever shows one revokes when it is no longer shown.
import { refresh, session } from './session.svelte.ts';

/** Fetches a file under /api/files/ and answers an object URL for it; the caller revokes it. */
export async function objectUrlOf(path: string, retried = false): Promise<string> {
  const res = await fetch(path, {
    credentials: 'same-origin',
    headers: session.token ? { authorization: `Bearer ${session.token}` } : {},
  });
  if (res.status === 401 && !retried && (await refresh())) return objectUrlOf(path, true);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return URL.createObjectURL(await res.blob());
}

/** Saves a file the way a download link would, from an object URL made for the moment. */
export async function download(path: string, name: string): Promise<void> {
  const url = await objectUrlOf(path);
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // the click has handed the bytes to the browser's download
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

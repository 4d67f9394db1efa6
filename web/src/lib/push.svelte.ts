// Web Push: the service worker that shows pushes while no tab is connected, and this browser's subscription to them.
import { attempt } from './notices.svelte.ts';
import { api } from './session.svelte.ts';

const supported =
  typeof navigator !== 'undefined' &&
  'serviceWorker' in navigator &&
  typeof window !== 'undefined' &&
  'PushManager' in window;

export const push = $state({ supported, subscribed: false, busy: false });

/** Registers the service worker (it also opens the chat of a notification clicked); null where there is none. */
export async function registerWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return null;
  return navigator.serviceWorker.register('/sw.js').catch(() => null);
}

/** The worker asks the tab to open a chat at a message (a push notification was clicked). */
export function onOpenRequest(open: (chatId: string, seq: number) => void): () => void {
  if (!('serviceWorker' in navigator)) return () => {};
  const listener = (event: MessageEvent) => {
    const data = event.data as { type?: string; chatId?: string; seq?: number } | null;
    if (data?.type === 'open-chat' && data.chatId) open(data.chatId, data.seq ?? 0);
  };
  navigator.serviceWorker.addEventListener('message', listener);
  return () => navigator.serviceWorker.removeEventListener('message', listener);
}

/** Whether this browser is subscribed now. */
export async function checkPush(): Promise<void> {
  if (!supported) return;
  const registration = await registerWorker();
  push.subscribed = Boolean(await registration?.pushManager.getSubscription());
}

/** The server's VAPID key as the bytes `applicationServerKey` takes. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

async function busy(run: () => Promise<void>): Promise<void> {
  push.busy = true;
  try {
    await run();
  } finally {
    push.busy = false;
  }
}

/** Subscribes this browser (asking for permission first) and tells the server. */
export const subscribePush = () =>
  busy(async () => {
    await attempt('failedPush', async () => {
      if ((await Notification.requestPermission()) !== 'granted') throw new Error('permission');
      const registration = await registerWorker();
      if (!registration) throw new Error('no service worker');
      await navigator.serviceWorker.ready;
      const { publicKey } = await api<{ publicKey: string }>('/api/push/key');
      const subscription =
        (await registration.pushManager.getSubscription()) ??
        (await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(publicKey),
        }));
      const { endpoint, keys } = subscription.toJSON();
      await api('/api/push/subscriptions', { method: 'POST', body: { endpoint, keys } });
      push.subscribed = true;
    });
  });

/** Ends this browser's subscription, here and on the server. */
export const unsubscribePush = () =>
  busy(async () => {
    await attempt('failedPush', async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      const subscription = await registration?.pushManager.getSubscription();
      if (subscription) {
        await api('/api/push/subscriptions', { method: 'DELETE', body: { endpoint: subscription.endpoint } });
        await subscription.unsubscribe();
      }
      push.subscribed = false;
    });
  });

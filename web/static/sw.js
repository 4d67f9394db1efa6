// The service worker: shows a push (a message that arrived while no tab of the user was connected) and, on a click,
// brings a tab of the app forward at that message, or opens one.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const title = data.title || 'Chat';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || '',
      tag: data.messageId,
      icon: '/icon-192.png',
      badge: '/icon-192.png',
      data: { chatId: data.chatId, seq: data.seq },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const { chatId, seq } = event.notification.data || {};
  const url = chatId ? `/?chat=${encodeURIComponent(chatId)}&seq=${Number(seq) || 0}` : '/';
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const tab = tabs.find((c) => new URL(c.url).pathname === '/');
      if (tab) {
        tab.postMessage({ type: 'open-chat', chatId, seq });
        return tab.focus();
      }
      return self.clients.openWindow(url);
    })(),
  );
});

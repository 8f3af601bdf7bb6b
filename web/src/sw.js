// The Kalends service worker (issue 28 §3): shows push reminders. The
// server's push worker sends {"title", "body", "url", "tag"} (docs/push.md),
// encrypted for this browser's subscription (RFC 8291); the browser decrypts
// it and hands it to the "push" event here. A click on the notification
// focuses an open Kalends tab or opens the event's URL. Served at /sw.js so
// that its scope is the whole app; it caches nothing.

/** The notification for a push message's data (JSON text, or plain text). */
function notificationOf(data) {
  let message = {};
  try { message = data ? data.json() : {}; } catch { message = { body: data ? data.text() : '' }; }
  const title = typeof message.title === 'string' && message.title ? message.title : 'Kalends reminder';
  return {
    title,
    options: {
      body: typeof message.body === 'string' ? message.body : '',
      tag: typeof message.tag === 'string' ? message.tag : undefined,
      data: { url: typeof message.url === 'string' ? message.url : '/' },
      requireInteraction: false,
    },
  };
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  const { title, options } = notificationOf(event.data);
  const shown = self.registration.showNotification(title, options);
  // An untrusted (script-dispatched) event refuses waitUntil; it is shown all the same.
  if (event.isTrusted) event.waitUntil(shown);
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || '/', self.location.origin);
  // Only this server's pages: a push message cannot send the user elsewhere.
  const url = target.origin === self.location.origin ? target.href : self.location.origin + '/';
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const tab = open.find((c) => new URL(c.url).origin === self.location.origin);
    if (tab) {
      await tab.focus();
      if ('navigate' in tab && tab.url !== url) await tab.navigate(url).catch(() => {});
      return;
    }
    await self.clients.openWindow(url);
  })());
});

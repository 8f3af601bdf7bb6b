// Browser notifications for push reminders (issue 28 §3, docs/push.md): the
// service worker (/sw.js, scope "/") and a Push API subscription to the
// server's VAPID key, registered with POST /api/v1/push/subscriptions. The
// server sends reminders whose method is "push" to every subscription of
// their recipient; the service worker shows them.
import { api, ApiError } from './api.js';

/** Why this browser cannot take push notifications, or '' when it can. */
export function pushUnsupported() {
  if (!window.isSecureContext) return 'Notifications need a secure (https) address.';
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    return 'This browser does not offer push notifications.';
  }
  return '';
}

/** The VAPID key text (base64url) as the bytes PushManager.subscribe() takes. */
export function keyBytes(base64url) {
  const text = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(text + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** The service worker's registration (registering it when needed). */
async function registration() {
  await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  return navigator.serviceWorker.ready;
}

/**
 * Whether push reminders reach this browser now: 'on' (subscribed here and
 * permission granted), 'off', 'blocked' (the user refused) or 'unsupported'.
 */
export async function pushState() {
  if (pushUnsupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  const reg = await navigator.serviceWorker.getRegistration('/');
  const sub = reg ? await reg.pushManager.getSubscription() : null;
  return sub && Notification.permission === 'granted' ? 'on' : 'off';
}

/**
 * Asks for permission, subscribes to the server's key and registers the
 * subscription with the server. Resolves with a sentence for the user;
 * rejects with an Error whose message says what went wrong.
 */
export async function enablePush() {
  const why = pushUnsupported();
  if (why) throw new Error(why);
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    throw new Error('Notifications are blocked for this site; allow them in the browser’s site settings.');
  }
  let key;
  try {
    key = (await api('GET', '/push/vapid-public-key')).data.key;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw new Error('This server does not send push notifications.');
    throw e;
  }
  const reg = await registration();
  let sub = await reg.pushManager.getSubscription();
  // A subscription made for another key (the server's key file was replaced) no longer works.
  if (sub && sub.options?.applicationServerKey && !sameKey(sub.options.applicationServerKey, keyBytes(key))) {
    await sub.unsubscribe();
    sub = null;
  }
  if (!sub) {
    try {
      sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
    } catch (e) {
      throw new Error(`The browser’s push service refused the subscription (${e.message || e.name}).`);
    }
  }
  await api('POST', '/push/subscriptions', { body: sub.toJSON() });
  return 'Reminders sent as browser notifications will appear on this device.';
}

/** Ends this browser's subscription, here and on the server. */
export async function disablePush() {
  const reg = await navigator.serviceWorker.getRegistration('/');
  const sub = reg ? await reg.pushManager.getSubscription() : null;
  if (!sub) return;
  const { data } = await api('GET', '/push/subscriptions');
  const mine = data.subscriptions.find((s) => s.endpoint === sub.endpoint);
  if (mine) await api('DELETE', `/push/subscriptions/${encodeURIComponent(mine.id)}`);
  await sub.unsubscribe();
}

function sameKey(buffer, bytes) {
  const a = new Uint8Array(buffer);
  return a.length === bytes.length && a.every((b, i) => b === bytes[i]);
}

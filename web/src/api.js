// The JSON API client (docs/api.md): Bearer session tokens kept in
// sessionStorage (no cookies, so no CSRF), problem+json errors as ApiError,
// lost connections as NetworkError so that forms keep what was typed.

const SESSION_KEY = 'kalends.session';

/** An answer with an error status: `problem` is the RFC 9457 body. */
export class ApiError extends Error {
  constructor(status, problem, requestId) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.requestId = requestId || problem?.request_id || null;
  }
}

/** The request never got an answer (offline, server down). */
export class NetworkError extends Error {}

/** The signed-in session {token, user, email, expires_at}, or null. */
export function currentSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    if (s && Date.parse(s.expires_at) > Date.now()) return s;
  } catch { /* a damaged entry is no session */ }
  return null;
}

function forgetSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

/** A fresh random id (Idempotency-Key of a create). */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

async function send(method, path, { body, etag, query, token, headers: extra } = {}) {
  const url = new URL('/api/v1' + path, location.origin);
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null) url.searchParams.set(k, v);
  const headers = { Accept: 'application/json', ...(extra || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (etag) headers['If-Match'] = etag;
  let res;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    throw new NetworkError('no connection to the server');
  }
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  if (type.includes('json')) {
    try { data = await res.json(); } catch { data = null; }
  }
  if (!res.ok) throw new ApiError(res.status, data, res.headers.get('X-Request-Id'));
  return { data, etag: res.headers.get('ETag'), status: res.status };
}

/** Signs in with a name and password; keeps and returns the session. */
export async function signIn(user, password) {
  const { data } = await send('POST', '/sessions', { body: { user, password } });
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(data));
  return data;
}

/** Ends the session on the server (best effort) and forgets it here. */
export async function signOut() {
  const s = currentSession();
  forgetSession();
  if (s) {
    try { await send('DELETE', '/sessions/current', { token: s.token }); } catch { /* gone already */ }
  }
}

/** One API call as the signed-in user. A 401 ends the session (event "kalends:signed-out"). */
export async function api(method, path, options = {}) {
  const s = currentSession();
  try {
    return await send(method, path, { ...options, token: s?.token });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      forgetSession();
      window.dispatchEvent(new CustomEvent('kalends:signed-out'));
    }
    throw e;
  }
}

/** Every page of a listing of events in [start, end) (UTC ISO strings). */
export async function listEvents(start, end, timeZone) {
  const events = [];
  let cursor = null;
  do {
    const { data } = await api('GET', '/events', { query: { start, end, time_zone: timeZone, cursor } });
    events.push(...data.events);
    cursor = data.next_cursor;
  } while (cursor);
  return events;
}

// The web app in a real browser (issue 28): Debian's Chromium driven by
// playwright-core against `kalends serve` on a free loopback port with a
// fresh data directory. Scenarios: the first-run page of a server without
// accounts, sign in, create events and see them in
// the week view (a weekly one across the 2030 US DST change), drag one
// occurrence and choose "This event" (and see the override over CalDAV),
// invite a second user who accepts, a stale edit answered 412 with a
// reload, find a time and book it; browser notifications (service worker,
// subscription on the server, a push shown); calendars created, renamed,
// recoloured and deleted; axe-core on each screen (serious and
// critical violations fail); no Content-Security-Policy violation. Exit 77
// (skipped) only when Chromium or the web app's node_modules are missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.KALENDS_BIN;
const SOURCE = process.env.KALENDS_SOURCE;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.KALENDS_WEB_SHOTS || '';
const PASSWORD = { alice: 'alice-secret-1', bob: 'bob-secret-22', carol: 'carol-secret-333' };
const ZONE = 'America/New_York';

if (!existsSync(CHROMIUM)) { console.log(`SKIP: no Chromium at ${CHROMIUM}`); process.exit(77); }
const webRequire = createRequire(join(SOURCE, 'web', 'package.json'));
let chromium, axeSource;
try {
  ({ chromium } = webRequire('playwright-core'));
  axeSource = readFileSync(webRequire.resolve('axe-core/axe.min.js'), 'utf8');
} catch (e) {
  console.log(`SKIP: web/node_modules lacks playwright-core or axe-core (${e.message})`);
  process.exit(77);
}

const work = mkdtempSync(join(tmpdir(), 'kalends-web-'));
const data = join(work, 'data');
let server, port, browser;
const results = [];
const cspViolations = [];
const measures = {};

function cli(args, input) {
  const p = spawnSync(BIN, [...args, '--data', data], { input, encoding: 'utf8', timeout: 60000 });
  if (p.status !== 0) throw new Error(`kalends ${args.join(' ')}: ${p.stderr}`);
  return p.stdout;
}

async function startServer() {
  const config = join(work, 'kalends.conf');
  writeFileSync(config, '[api]\nrate-per-minute = 0\nsession-hours = 2\n[push]\nallow-http = true\n');
  const log = join(work, 'server.log');
  const { openSync } = await import('node:fs');
  const fd = openSync(log, 'w');
  server = spawn(BIN, ['serve', '--data', data, '--listen', '127.0.0.1:0', '--config', config], { stdio: ['ignore', fd, fd] });
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(readFileSync(log, 'utf8'));
    if (m) {
      port = Number(m[1]);
      try { if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return; } catch { /* not yet */ }
    }
    if (server.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start: ' + readFileSync(log, 'utf8').slice(-2000));
}

async function stopServer() {
  if (!server || server.exitCode !== null) return;
  const done = new Promise((r) => server.once('exit', r));
  process.kill(server.pid, 'SIGTERM');
  const t = setTimeout(() => process.kill(server.pid, 'SIGKILL'), 15000);
  await done;
  clearTimeout(t);
}

const base = () => `http://127.0.0.1:${port}`;

/** The JSON API as `user` (HTTP Basic), for setting up and checking. */
async function api(user, method, path, body, headers = {}) {
  const res = await fetch(base() + '/api/v1' + path, {
    method, body: body ? JSON.stringify(body) : undefined,
    headers: { Authorization: 'Basic ' + Buffer.from(`${user}:${PASSWORD[user]}`).toString('base64'),
      'Content-Type': 'application/json', ...headers },
  });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('ETag'), json: text ? JSON.parse(text) : null };
}

/** GET `url` with exactly this Accept-Encoding; the body as sent (not decoded). */
async function rawGet(url, acceptEncoding) {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'Accept-Encoding': acceptEncoding } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

function check(cond, what) { if (!cond) throw new Error(what); }

/** Polls `cond` (async) for up to 10 s; fails with `what`. */
async function waitUntil(cond, what) {
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    if (await cond().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(what);
}

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Runs axe-core on the page; fails on serious or critical violations. */
async function axe(page, screen) {
  // Through the DevTools protocol: the page's CSP (rightly) refuses injected scripts.
  await page.evaluate(axeSource + '\n;0');
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  measures[`axe ${screen}`] = `${found.length} violations, ${bad.length} serious/critical`;
  check(!bad.length, `axe on ${screen}: ${JSON.stringify(bad)}`);
}

/** Bytes the page and its assets took over the wire (headers included). */
function transferred(page) {
  return page.evaluate(() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
    .filter((e) => !e.name.includes('/api/')).reduce((n, e) => n + (e.transferSize || 0), 0));
}

let usersAdded = false;
/** Makes the three accounts (once), as an administrator would, with the server running. */
function addUsers() {
  if (usersAdded) return;
  for (const u of ['alice', 'bob', 'carol']) cli(['user', 'add', u, '--email', `${u}@example.com`, '--password-stdin'], PASSWORD[u] + '\n');
  usersAdded = true;
}

async function newPage(user, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ timezoneId: ZONE, locale: 'en-US', viewport });
  const page = await context.newPage();
  page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text()); });
  page.on('pageerror', (e) => cspViolations.push('page error: ' + e.message));
  await page.addInitScript((zone) => localStorage.setItem('kalends.zone', zone), ZONE);
  if (user) await signIn(page, user);
  return page;
}

async function signIn(page, user, date = '2030-03-04') {
  await page.goto(`${base()}/?date=${date}`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(PASSWORD[user]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'New event' }).waitFor();
  await page.locator('.fc-timegrid').waitFor();
}

/** Waits until the status line says something matching `re`. */
async function status(page, re) {
  await page.locator('#status').filter({ hasText: re }).waitFor({ timeout: 10000 });
}

async function createInDialog(page, fields) {
  await page.getByRole('button', { name: 'New event' }).click();
  const dlg = page.getByRole('dialog', { name: 'New event' });
  await dlg.getByLabel('Title').fill(fields.title);
  await dlg.getByLabel('Starts').fill(fields.start);
  await dlg.getByLabel('Ends').fill(fields.end);
  if (fields.invite) await dlg.getByLabel('Invite (addresses of people or rooms)').fill(fields.invite);
  if (fields.weekly) {
    await dlg.getByLabel('Frequency').selectOption('weekly');
    await dlg.getByLabel(fields.weekly, { exact: true }).check();
  }
  if (fields.axe) await axe(page, 'event editor');
  await dlg.getByRole('button', { name: 'Create' }).click();
  await status(page, new RegExp(`Created “${fields.title}”`));
}

function eventEl(page, title) {
  return page.locator('.fc-timegrid-event', { hasText: title });
}

/** Checks that the block of `title` sits in `date`'s column and shows `time`. */
async function shownAt(page, title, date, time) {
  const cell = await page.locator(`td.fc-timegrid-col[data-date="${date}"]`).boundingBox();
  const ev = eventEl(page, title);
  const box = await ev.boundingBox();
  check(box.x >= cell.x - 1 && box.x + box.width <= cell.x + cell.width + 1, `${title} is in the column of ${date}`);
  const text = await ev.innerText();
  check(text.includes(time), `${title} shows ${time}: ${text}`);
}

async function eventsOf(user, start, end) {
  const r = await api(user, 'GET', `/events?start=${start}&end=${end}&time_zone=${encodeURIComponent(ZONE)}`);
  return r.json.events;
}

// ---- scenarios ---------------------------------------------------------------

const state = {};

async function a_server_without_accounts_explains_user_add_and_the_first_account_signs_in() {
  check(!usersAdded, 'this case runs on a server without accounts');
  const health = await fetch(`${base()}/health`, { headers: { Accept: 'application/json' } });
  const said = await health.json();
  check(health.ok && said.users === false && Object.keys(said).sort().join() === 'status,users,version',
    `/health as JSON says there is no user and nothing else: ${JSON.stringify(said)}`);
  check(/^kalends /.test(await (await fetch(`${base()}/health`)).text()), '/health stays text for other callers');
  const page = await newPage(null);
  await page.goto(`${base()}/`);
  await page.getByRole('heading', { name: 'Welcome to Kalends' }).waitFor();
  check(await page.getByText('kalends user add alice --email alice@example.org').isVisible(), 'the page shows the command');
  await axe(page, 'first run');
  await shot(page, '00-first-run');
  await page.getByRole('button', { name: 'I have made an account' }).click();
  await page.getByText('There is still no account.').waitFor();
  addUsers();
  const now = await (await fetch(`${base()}/health`, { headers: { Accept: 'application/json' } })).json();
  check(now.users === true && !JSON.stringify(now).includes('alice'), `/health says a user exists, not who: ${JSON.stringify(now)}`);
  await page.getByRole('button', { name: 'I have made an account' }).click();
  await page.getByText('The account is there: sign in with it.').waitFor();
  await page.getByLabel('User name').fill('alice');
  await page.getByLabel('Password').fill(PASSWORD.alice);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.fc-timegrid').waitFor();
  // api.session-hours = 2 in this server's configuration.
  const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('kalends.session')));
  const hours = (Date.parse(session.expires_at) - Date.now()) / 3600000;
  check(hours > 1.9 && hours <= 2.01, `the session lasts api.session-hours (2 h): ${session.expires_at}`);
  await page.context().close();
}

async function sign_in_shows_the_week_and_a_wrong_password_is_explained() {
  const page = await newPage(null);
  const first = await page.goto(`${base()}/`);
  await page.getByLabel('User name').waitFor();
  measures['first load transferred (page + assets, as the browser asks: br)'] = `${await transferred(page)} B`;
  const csp = first.headers()['content-security-policy'] || '';
  check(csp.includes("script-src 'self'") && !csp.includes('unsafe-inline'), `strict CSP on the page: ${csp}`);
  check(first.headers()['cache-control'] === 'no-cache', 'the page is revalidated');
  await page.getByLabel('User name').fill('alice');
  await page.getByLabel('Password').fill('not-her-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Wrong user name or password.').waitFor();
  await axe(page, 'sign-in');
  await shot(page, '01-sign-in');
  const t0 = Date.now();
  await signIn(page, 'alice');
  measures['sign-in to week view'] = `${Date.now() - t0} ms`;
  state.alice = page;  // the next cases go on in this tab
  const asset = await page.evaluate(() => document.querySelector('script[type=module]').src);
  const res = await fetch(asset);
  check(/max-age=31536000/.test(res.headers.get('cache-control') || ''), 'hashed assets are cached for a year');
  // Compressed at build time: br or gzip as asked, the same bytes once decoded.
  const plain = await rawGet(asset, 'identity');
  const gz = await rawGet(asset, 'gzip, deflate');
  const br = await rawGet(asset, 'gzip;q=0.5, br');
  const never = await rawGet(asset, 'br;q=0, gzip;q=0');
  check(!plain.headers['content-encoding'] && gz.headers['content-encoding'] === 'gzip' && br.headers['content-encoding'] === 'br' &&
    !never.headers['content-encoding'], 'the encoding follows Accept-Encoding');
  check(gz.headers.vary === 'Accept-Encoding', 'Vary: Accept-Encoding');
  const { gunzipSync, brotliDecompressSync } = await import('node:zlib');
  check(gunzipSync(gz.body).equals(plain.body) && brotliDecompressSync(br.body).equals(plain.body) && never.body.equals(plain.body),
    'compressed bodies decode to the file');
  measures['app script: identity / gzip / br'] = `${plain.body.length} / ${gz.body.length} / ${br.body.length} B`;
  await axe(page, 'week view');
  await shot(page, '02-week');
}

async function a_created_event_appears_in_the_week_view() {
  const page = state.alice;
  await createInDialog(page, { title: 'Planning', start: '2030-03-05T10:00', end: '2030-03-05T11:00', axe: true });
  await eventEl(page, 'Planning').waitFor();
  await shownAt(page, 'Planning', '2030-03-05', '10:00');
  const listed = (await eventsOf('alice', '2030-03-05T00:00:00Z', '2030-03-06T00:00:00Z')).filter((e) => e.title === 'Planning');
  check(listed.length === 1 && listed[0].start_time === '2030-03-05T15:00:00Z', `Planning at 10:00 New York: ${JSON.stringify(listed)}`);
  await shot(page, '03-created');
}

async function a_weekly_event_keeps_its_local_time_across_the_dst_change() {
  const page = state.alice;
  await createInDialog(page, { title: 'Standup', start: '2030-03-04T09:00', end: '2030-03-04T09:30', weekly: 'Mon' });
  await eventEl(page, 'Standup').waitFor();
  await shownAt(page, 'Standup', '2030-03-04', '09:00');
  await page.getByRole('button', { name: 'Next week' }).or(page.locator('.fc-next-button')).first().click();
  await page.locator('td.fc-timegrid-col[data-date="2030-03-11"]').waitFor();
  await eventEl(page, 'Standup').waitFor();
  // Still 09:00 after the US clocks change on 10 March.
  await shownAt(page, 'Standup', '2030-03-11', '09:00');
  const after = (await eventsOf('alice', '2030-03-11T00:00:00Z', '2030-03-12T00:00:00Z')).filter((e) => e.title === 'Standup');
  check(after.length === 1 && after[0].start_time === '2030-03-11T13:00:00Z', `UTC moves with DST: ${JSON.stringify(after)}`);
  await shot(page, '04-after-dst');
  await page.locator('.fc-prev-button').click();
  await page.locator('td.fc-timegrid-col[data-date="2030-03-04"]').waitFor();
}

async function dragging_one_occurrence_with_this_event_makes_an_override() {
  const page = state.alice;
  const ev = eventEl(page, 'Standup');
  await ev.waitFor();
  const from = await ev.boundingBox();
  const tuesday = await page.locator('td.fc-timegrid-col[data-date="2030-03-05"]').boundingBox();
  const x = from.x + from.width / 2;
  const y = from.y + 5;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 10, y + 5, { steps: 5 });
  await page.mouse.move(tuesday.x + tuesday.width / 2, y, { steps: 15 });
  await page.mouse.up();
  const dlg = page.getByRole('dialog', { name: 'Move a repeating event' });
  await dlg.waitFor();
  await axe(page, 'scope choice');
  await shot(page, '05-scope');
  await dlg.getByRole('button', { name: 'This event', exact: true }).click();
  await status(page, /Moved “Standup”/);
  const week = (await eventsOf('alice', '2030-03-04T00:00:00Z', '2030-03-18T00:00:00Z')).filter((e) => e.title === 'Standup');
  const starts = week.map((e) => e.start_time).sort();
  check(JSON.stringify(starts) === JSON.stringify(['2030-03-05T14:00:00Z', '2030-03-11T13:00:00Z']),
    `one occurrence moved to Tuesday, the next Monday unchanged: ${starts}`);
  // A CalDAV client sees the same: an override with RECURRENCE-ID.
  const report = await fetch(`${base()}/dav/calendars/alice/calendar/`, {
    method: 'REPORT',
    headers: { Authorization: 'Basic ' + Buffer.from(`alice:${PASSWORD.alice}`).toString('base64'), Depth: '1',
      'Content-Type': 'application/xml; charset=utf-8' },
    body: '<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">' +
      '<D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">' +
      '<C:prop-filter name="SUMMARY"><C:text-match>Standup</C:text-match></C:prop-filter>' +
      '</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>',
  });
  const xml = await report.text();
  check(report.status === 207 && /RECURRENCE-ID[^:]*:20300304T090000/.test(xml) && /RRULE:FREQ=WEEKLY/.test(xml),
    `CalDAV REPORT shows the series and its override: ${report.status} ${xml.slice(0, 400)}`);
  await shot(page, '06-moved');
}

async function an_invited_user_accepts_and_the_organizer_sees_it() {
  const page = state.alice;
  await createInDialog(page, { title: 'Review', start: '2030-03-06T14:00', end: '2030-03-06T15:00', invite: 'bob@example.com' });
  const bob = await newPage('bob');
  await bob.getByRole('button', { name: 'Accept Review' }).waitFor();
  await axe(bob, 'invitations');
  await shot(bob, '07-invitation');
  await bob.getByRole('button', { name: 'Accept Review' }).click();
  await status(bob, /You answered “Accept” to “Review”/);
  await bob.getByText('No open invitations.').waitFor();
  await bob.context().close();
  await page.reload();
  await eventEl(page, 'Review').click();
  const dlg = page.getByRole('dialog', { name: 'Event' });
  await dlg.getByText('bob@example.com: accepted').waitFor();
  await shot(page, '08-organizer-sees-answer');
  await dlg.getByRole('button', { name: 'Close', exact: true }).last().click();
}

async function a_stale_edit_is_412_and_offers_a_reload() {
  const page = state.alice;
  // By keyboard: event blocks are focusable and Enter opens them.
  await eventEl(page, 'Planning').focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: 'Event' });
  await dlg.getByLabel('Title').waitFor();
  // Someone else (a CalDAV client, another tab) changes it meanwhile.
  const planning = (await eventsOf('alice', '2030-03-05T00:00:00Z', '2030-03-06T00:00:00Z')).find((e) => e.title === 'Planning');
  const other = await api('alice', 'PATCH', `/events/${planning.event_id}`, { title: 'Planning (moved room)' });
  check(other.status === 200, `background change: ${other.status}`);
  await dlg.getByLabel('Title').fill('Planning with notes');
  await dlg.getByRole('button', { name: 'Save' }).click();
  await dlg.getByText('This event was changed elsewhere since you opened it.').waitFor();
  await axe(page, 'stale edit');
  await shot(page, '09-stale');
  await dlg.getByRole('button', { name: 'Reload the event' }).click();
  const again = page.getByRole('dialog', { name: 'Event' });
  await again.getByLabel('Title').waitFor();
  await waitUntil(async () => await again.getByLabel('Title').inputValue() === 'Planning (moved room)',
    'the reloaded form shows the current title');
  await again.getByRole('button', { name: 'Close', exact: true }).last().click();
}

async function a_lost_connection_keeps_what_was_typed() {
  const page = state.alice;
  await page.getByRole('button', { name: 'New event' }).click();
  const dlg = page.getByRole('dialog', { name: 'New event' });
  await dlg.getByLabel('Title').fill('Typed while offline');
  await dlg.getByLabel('Starts').fill('2030-03-07T16:00');
  await dlg.getByLabel('Ends').fill('2030-03-07T17:00');
  await page.context().setOffline(true);
  await dlg.getByRole('button', { name: 'Create' }).click();
  await dlg.getByText('No connection to the server. Nothing you typed is lost').waitFor();
  check(await dlg.getByLabel('Title').inputValue() === 'Typed while offline', 'the title is still in the form');
  await shot(page, '10-offline');
  await page.context().setOffline(false);
  await dlg.getByRole('button', { name: 'Create' }).click();
  await status(page, /Created “Typed while offline”/);
  const listed = (await eventsOf('alice', '2030-03-07T00:00:00Z', '2030-03-08T00:00:00Z')).filter((e) => e.title === 'Typed while offline');
  check(listed.length === 1, `created once after the connection came back: ${listed.length}`);
}

async function find_a_time_books_a_suggestion() {
  const page = state.alice;
  await page.getByRole('button', { name: 'Find a time' }).click();
  const dlg = page.getByRole('dialog', { name: 'Find a time' });
  await dlg.getByLabel('Title').fill('Three of us');
  await dlg.getByLabel('With (addresses, one per line)').fill('bob@example.com\ncarol@example.com');
  await dlg.getByRole('button', { name: 'Find times' }).click();
  await dlg.getByRole('button', { name: 'Book' }).first().waitFor();
  await axe(page, 'find a time');
  await shot(page, '11-find-time');
  await dlg.getByRole('button', { name: 'Book' }).first().click();
  const editor = page.getByRole('dialog', { name: 'New event' });
  check((await editor.getByLabel('Invite (addresses of people or rooms)').inputValue()).includes('carol@example.com'), 'invitees prefilled');
  await editor.getByRole('button', { name: 'Create' }).click();
  await status(page, /Created “Three of us”/);
}

async function a_week_of_200_events_shows_quickly() {
  const page = state.alice;
  for (let i = 0; i < 200; i += 1) {
    const day = 1 + (i % 5);
    const hour = 8 + Math.floor(i / 5) % 10;
    const r = await api('alice', 'POST', '/events', { title: `Load ${i}`, time_zone: ZONE,
      start_time: `2030-04-0${day}T${String(hour).padStart(2, '0')}:00:00-04:00`, end_time: `2030-04-0${day}T${String(hour).padStart(2, '0')}:30:00-04:00` });
    check(r.status === 201, `load event ${i}: ${r.status}`);
  }
  await page.goto(`${base()}/?date=2030-03-25`);
  await page.locator('.fc-timegrid').waitFor();
  // Several runs (back and forth between the empty week and the full one); the median is reported.
  const runs = [];
  for (let i = 0; i < 5; i += 1) {
    runs.push(await page.evaluate(async () => {
      performance.clearMarks();
      const t0 = performance.now();
      document.querySelector('.fc-next-button').click();
      while (document.querySelectorAll('.fc-timegrid-event').length < 200) await new Promise((r) => requestAnimationFrame(r));
      const t1 = performance.now();
      const at = (name) => performance.getEntriesByName(name).pop()?.startTime ?? NaN;
      const fetched = at('kalends:events-fetched');
      const mapped = at('kalends:events-mapped');
      return { total: t1 - t0, fetch: fetched - t0, map: mapped - fetched, render: t1 - mapped };
    }));
    await page.locator('.fc-prev-button').click();
    await page.locator('td.fc-timegrid-col[data-date="2030-03-25"]').waitFor();
  }
  const median = (k) => Math.round(runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)]);
  const ms = median('total');
  measures['week of 200 events shown (click to rendered, API included; median of 5)'] =
    `${ms} ms (fetch ${median('fetch')}, map ${median('map')}, render ${median('render')}; all: ${runs.map((r) => Math.round(r.total)).join(', ')})`;
  measures['load average while measuring'] = (await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ');
  const apiMs = await page.evaluate(() => Math.round(performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/api/v1/events?')).map((e) => e.duration).pop() || -1));
  measures['  of which the API listing took'] = `${apiMs} ms`;
  await page.locator('.fc-next-button').click();
  await shot(page, '12-200-events');
}

/** A push subscription as a browser would make it: an ECDH P-256 key and an auth secret (RFC 8291). */
async function fakeSubscription() {
  const { createECDH, randomBytes } = await import('node:crypto');
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { endpoint: `http://127.0.0.1:9/push/${randomBytes(8).toString('hex')}`,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } };
}

async function browser_notifications_subscribe_to_the_server_key_and_the_worker_shows_a_push() {
  const page = await newPage('alice');
  await page.context().grantPermissions(['notifications'], { origin: base() });
  const allow = page.getByRole('button', { name: 'Allow browser notifications' });
  await allow.click();
  // Headless Chromium has no push service to subscribe at (no messaging
  // endpoint): when the real subscribe() fails, the page says so; then the
  // case goes on with PushManager.subscribe stubbed to give a subscription a
  // browser would (its own ECDH key, auth secret, an endpoint), so that the
  // page's registration with the server and the service worker are tested.
  const outcome = await Promise.race([
    page.getByRole('button', { name: 'Turn off notifications' }).waitFor().then(() => 'real'),
    page.locator('#status').filter({ hasText: /push service refused/ }).waitFor().then(() => 'refused'),
  ]);
  measures['push subscription in headless Chromium'] = outcome === 'real' ? 'real push service' : 'refused by the browser; stubbed';
  let endpoint;
  if (outcome === 'refused') {
    await shot(page, '13-push-refused');
    const sub = await fakeSubscription();
    endpoint = sub.endpoint;
    await page.evaluate((s) => {
      let current = null;
      PushManager.prototype.subscribe = async function subscribe() {
        current = { endpoint: s.endpoint, options: {}, toJSON: () => ({ endpoint: s.endpoint, expirationTime: null, keys: s.keys }),
          unsubscribe: async () => { current = null; return true; } };
        return current;
      };
      PushManager.prototype.getSubscription = async function getSubscription() { return current; };
    }, sub);
    await allow.click();
  }
  await page.getByRole('button', { name: 'Turn off notifications' }).waitFor();
  await status(page, /Reminders sent as browser notifications will appear on this device/);
  const listed = (await api('alice', 'GET', '/push/subscriptions')).json.subscriptions;
  check(listed.length === 1 && (!endpoint || listed[0].endpoint === endpoint), `the subscription is registered on the server: ${JSON.stringify(listed)}`);
  // The service worker came from /sw.js with scope "/", under the page's CSP.
  const swInfo = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration('/');
    return { scope: reg?.scope, script: reg?.active?.scriptURL };
  });
  check(swInfo.scope === `${base()}/` && swInfo.script === `${base()}/sw.js`, `service worker at /sw.js for the app: ${JSON.stringify(swInfo)}`);
  const swRes = await fetch(`${base()}/sw.js`);
  check(swRes.ok && swRes.headers.get('cache-control') === 'no-cache' && /javascript/.test(swRes.headers.get('content-type')),
    `the worker script is revalidated (it has no hashed name): ${swRes.headers.get('cache-control')}`);
  const sw = page.context().serviceWorkers()[0] || await page.context().waitForEvent('serviceworker');
  // A synthetic push event (the push service is what headless Chromium
  // lacks): the worker's handler must call showNotification with the
  // message's title, body, tag and URL. Whether headless Chromium then keeps
  // the notification on its (invisible) list varies, so the call is what is checked.
  const shown = await sw.evaluate(async () => {
    const calls = [];
    const original = self.registration.showNotification.bind(self.registration);
    self.registration.showNotification = (title, options) => { calls.push({ title, ...options }); return original(title, options); };
    const data = JSON.stringify({ title: 'Standup', body: 'In 10 minutes', url: '/?date=2030-03-04', tag: 'kalends-test' });
    self.dispatchEvent(new PushEvent('push', { data }));
    self.dispatchEvent(new PushEvent('push', { data: 'not JSON' }));
    self.registration.showNotification = original;
    return calls.map((c) => ({ title: c.title, body: c.body, tag: c.tag, url: c.data?.url }));
  });
  check(JSON.stringify(shown) === JSON.stringify([
    { title: 'Standup', body: 'In 10 minutes', tag: 'kalends-test', url: '/?date=2030-03-04' },
    { title: 'Kalends reminder', body: 'not JSON', url: '/' }]),
  `the service worker shows the pushed reminder (and a text one): ${JSON.stringify(shown)}`);
  await axe(page, 'notifications on');
  await shot(page, '14-notifications-on');
  // The event editor offers a push reminder, and the API stores its method.
  await page.getByRole('button', { name: 'New event' }).click();
  const dlg = page.getByRole('dialog', { name: 'New event' });
  await dlg.getByLabel('Title').fill('Dentist');
  await dlg.getByLabel('Starts').fill('2030-03-08T08:00');
  await dlg.getByLabel('Ends').fill('2030-03-08T09:00');
  await dlg.getByLabel('Reminder').selectOption('30');
  await dlg.getByLabel('Remind by').selectOption('push');
  await dlg.getByRole('button', { name: 'Create' }).click();
  await status(page, /Created “Dentist”/);
  const dentist = (await eventsOf('alice', '2030-03-08T00:00:00Z', '2030-03-09T00:00:00Z')).find((e) => e.title === 'Dentist');
  const full = await api('alice', 'GET', `/events/${dentist.event_id}`);
  check(JSON.stringify(full.json.reminders) === JSON.stringify([{ minutes_before: 30, method: 'push' }]),
    `a push reminder: ${JSON.stringify(full.json.reminders)}`);
  await page.getByRole('button', { name: 'Turn off notifications' }).click();
  await page.getByRole('button', { name: 'Allow browser notifications' }).waitFor();
  check((await api('alice', 'GET', '/push/subscriptions')).json.subscriptions.length === 0, 'turning off removes the subscription on the server');
  await page.context().close();
}

async function calendars_are_created_renamed_recoloured_and_deleted() {
  const page = state.alice;
  await page.getByRole('button', { name: 'New calendar' }).click();
  const dlg = page.getByRole('dialog', { name: 'New calendar' });
  await dlg.getByLabel('Name').fill('Team');
  await dlg.getByLabel('Colour').fill('#146c2e');
  await axe(page, 'new calendar');
  await dlg.getByRole('button', { name: 'Create calendar' }).click();
  await status(page, /Created the calendar “Team”/);
  await page.getByRole('checkbox', { name: 'Team' }).waitFor();
  let team = (await api('alice', 'GET', '/calendars')).json.calendars.find((c) => c.name === 'Team');
  check(team && team.color.toLowerCase().startsWith('#146c2e'), `created with its colour: ${JSON.stringify(team)}`);
  await page.getByRole('button', { name: 'Edit Team' }).click();
  const edit = page.getByRole('dialog', { name: 'Calendar “Team”' });
  await edit.getByLabel('Name').fill('Team A');
  await edit.getByLabel('Colour').fill('#7b1fa2');
  await edit.getByRole('button', { name: 'Save' }).click();
  await status(page, /Saved the calendar “Team A”/);
  await page.getByRole('checkbox', { name: 'Team A' }).waitFor();
  const swatch = await page.locator('.calendars li', { hasText: 'Team A' }).locator('.swatch').evaluate((el) => getComputedStyle(el).backgroundColor);
  check(swatch === 'rgb(123, 31, 162)', `the new colour is shown: ${swatch}`);
  team = (await api('alice', 'GET', '/calendars')).json.calendars.find((c) => c.calendar_id === team.calendar_id);
  check(team.name === 'Team A' && team.color.toLowerCase().startsWith('#7b1fa2'), `renamed and recoloured: ${JSON.stringify(team)}`);
  // The default calendar says it cannot go; Team A can.
  await page.getByRole('button', { name: 'Edit Calendar' }).click();
  const main = page.getByRole('dialog', { name: 'Calendar “Calendar”' });
  await main.getByText('cannot be deleted').waitFor();
  await main.getByRole('button', { name: 'Close', exact: true }).last().click();
  await page.getByRole('button', { name: 'Edit Team A' }).click();
  await page.getByRole('dialog', { name: 'Calendar “Team A”' }).getByRole('button', { name: 'Delete calendar' }).click();
  await page.getByRole('dialog', { name: 'Delete a calendar' }).getByRole('button', { name: 'Delete calendar' }).click();
  await status(page, /Deleted the calendar “Team A”/);
  await waitUntil(async () => !(await page.getByRole('checkbox', { name: 'Team A' }).count()), 'Team A leaves the list');
  check(!(await api('alice', 'GET', '/calendars')).json.calendars.some((c) => c.name === 'Team A'), 'deleted on the server');
}

async function resizing_an_event_changes_its_end() {
  const page = state.alice;
  const r = await api('alice', 'POST', '/events', { title: 'Resizable', time_zone: ZONE,
    start_time: '2030-03-08T11:00:00-05:00', end_time: '2030-03-08T12:00:00-05:00' });
  check(r.status === 201, `setup: ${r.status}`);
  await page.locator('.fc-next-button').click();
  await page.locator('.fc-prev-button').click();
  const ev = eventEl(page, 'Resizable');
  await ev.waitFor();
  await ev.hover();
  const handle = ev.locator('.fc-event-resizer-end');
  const box = await handle.boundingBox();
  // Slots are half an hour: two of them down is one hour later.
  const slot = (await page.locator('td.fc-timegrid-slot').first().boundingBox()).height;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, y + 5, { steps: 3 });
  await page.mouse.move(x, y + 2 * slot, { steps: 10 });
  await page.mouse.up();
  await status(page, /Moved “Resizable”/);
  const after = (await eventsOf('alice', '2030-03-08T00:00:00Z', '2030-03-09T00:00:00Z')).find((e) => e.title === 'Resizable');
  check(after.start_time === '2030-03-08T16:00:00Z' && after.end_time === '2030-03-08T18:00:00Z',
    `resized to end at 13:00 New York: ${after.start_time}–${after.end_time}`);
  await shot(page, '15-resized');
}

async function an_all_day_event_spans_its_days_in_the_all_day_row() {
  const page = state.alice;
  await page.getByRole('button', { name: 'New event' }).click();
  const dlg = page.getByRole('dialog', { name: 'New event' });
  await dlg.getByLabel('Title').fill('Offsite');
  await dlg.getByLabel('All day').check();
  await dlg.getByLabel('First day').fill('2030-03-06');
  await dlg.getByLabel('Last day').fill('2030-03-07');
  await dlg.getByRole('button', { name: 'Create' }).click();
  await status(page, /Created “Offsite”/);
  const block = page.locator('.fc-daygrid-event', { hasText: 'Offsite' });
  await block.waitFor();
  const b = await block.boundingBox();
  const wed = await page.locator('th.fc-col-header-cell[data-date="2030-03-06"]').boundingBox();
  const thu = await page.locator('th.fc-col-header-cell[data-date="2030-03-07"]').boundingBox();
  check(b.x >= wed.x - 2 && b.x + b.width <= thu.x + thu.width + 2 && b.width > wed.width, `Offsite covers Wednesday and Thursday: ${JSON.stringify(b)}`);
  const listed = (await eventsOf('alice', '2030-03-05T00:00:00Z', '2030-03-09T00:00:00Z')).find((e) => e.title === 'Offsite');
  check(listed.all_day && Date.parse(listed.end_time) - Date.parse(listed.start_time) === 2 * 86400000,
    `an all-day event of two days: ${JSON.stringify(listed)}`);
  await shot(page, '16-all-day');
  await block.click();
  const open = page.getByRole('dialog', { name: 'Event' });
  await open.getByLabel('Title').waitFor();
  const dates = [await open.getByLabel('First day').inputValue(), await open.getByLabel('Last day').inputValue()];
  check(dates.join() === '2030-03-06,2030-03-07', `the editor shows the event's own days: ${dates}`);
  await open.getByRole('button', { name: 'Close', exact: true }).last().click();
}

async function changing_this_and_following_occurrences_splits_the_series() {
  const page = state.alice;
  const r = await api('alice', 'POST', '/events', { title: 'Sync', time_zone: ZONE,
    start_time: '2030-03-07T12:00:00-05:00', end_time: '2030-03-07T12:30:00-05:00', recurrence: { frequency: 'weekly', count: 4 } });
  check(r.status === 201, `setup: ${r.status}`);
  await page.locator('.fc-next-button').click();
  await page.locator('td.fc-timegrid-col[data-date="2030-03-14"]').waitFor();
  await eventEl(page, 'Sync').click();
  const dlg = page.getByRole('dialog', { name: 'Event' });
  await dlg.getByLabel('Title').fill('Sync v2');
  await dlg.getByRole('button', { name: 'Save' }).click();
  const scope = page.getByRole('dialog', { name: 'Change a repeating event' });
  await scope.getByRole('button', { name: 'This and following events' }).click();
  await status(page, /Saved “Sync v2”/);
  const titles = (await eventsOf('alice', '2030-03-07T00:00:00Z', '2030-04-01T00:00:00Z'))
    .filter((e) => e.title.startsWith('Sync')).map((e) => `${e.start_time.slice(0, 10)} ${e.title}`).sort();
  check(JSON.stringify(titles) === JSON.stringify(['2030-03-07 Sync', '2030-03-14 Sync v2', '2030-03-21 Sync v2', '2030-03-28 Sync v2']),
    `the first stays, the rest change: ${titles}`);
  await eventEl(page, 'Sync v2').waitFor();
  await page.locator('.fc-prev-button').click();
  await page.locator('td.fc-timegrid-col[data-date="2030-03-07"]').waitFor();
}

async function sharing_a_calendar_lets_the_sharee_see_and_edit_as_permitted() {
  const page = state.alice;
  await page.getByRole('button', { name: 'Share Calendar', exact: true }).click();
  const dlg = page.getByRole('dialog', { name: 'Share “Calendar”' });
  await dlg.getByText('Not shared with anyone.').waitFor();
  await dlg.getByLabel('Share with (address of a user here)').fill('carol@example.com');
  await dlg.getByLabel('Permission').selectOption('view');
  await dlg.getByRole('button', { name: 'Share', exact: true }).click();
  await dlg.getByText('carol@example.com: can view').waitFor();
  await axe(page, 'share dialog');
  await shot(page, '17-share');
  await dlg.getByRole('button', { name: 'Close', exact: true }).click();
  const carol = await newPage('carol');
  await carol.getByText('(shared, view)').waitFor();
  await eventEl(carol, 'Resizable').click();
  const view = carol.getByRole('dialog', { name: 'Event' });
  await view.getByText('is shared with you to view: you cannot change its events').waitFor();
  check(!(await view.getByRole('button', { name: 'Save' }).count()), 'a viewer gets no Save button');
  await view.getByRole('button', { name: 'Close', exact: true }).last().click();
  // Edit permission: the page offers Save; the API decides.
  const up = await api('alice', 'PUT', '/calendars/calendar/shares', { email: 'carol@example.com', permission: 'edit' });
  check(up.status === 200, `edit permission: ${up.status}`);
  await carol.reload();
  await carol.getByText('(shared, edit)').waitFor();
  await eventEl(carol, 'Resizable').click();
  const edit = carol.getByRole('dialog', { name: 'Event' });
  await edit.getByLabel('Title').fill('Resized by Carol');
  await edit.getByRole('button', { name: 'Save' }).click();
  const outcome = await Promise.race([
    carol.locator('#status').filter({ hasText: /Saved “Resized by Carol”/ }).waitFor().then(() => 'saved'),
    edit.getByText('You are not allowed to do this').waitFor().then(() => 'refused'),
  ]);
  check(outcome === 'saved', `an edit sharee's save is accepted, not ${outcome}`);
  const titles = (await eventsOf('alice', '2030-03-08T00:00:00Z', '2030-03-09T00:00:00Z')).map((e) => e.title);
  check(titles.includes('Resized by Carol'), `the sharee's edit is in the owner's calendar: ${titles}`);
  await shot(carol, '18-sharee-edit');
  await carol.context().close();
  await page.getByRole('button', { name: 'Share Calendar', exact: true }).click();
  const again = page.getByRole('dialog', { name: 'Share “Calendar”' });
  await again.getByRole('button', { name: 'Remove carol@example.com' }).click();
  await again.getByText('Not shared with anyone.').waitFor();
  await again.getByRole('button', { name: 'Close', exact: true }).click();
}

async function a_published_busy_feed_is_subscribable_without_login_until_revoked() {
  const page = state.alice;
  // The busy-times form covers a window around today (docs/sharing.md): an event tomorrow.
  const start = new Date(Date.now() + 86400e3);
  start.setUTCHours(15, 0, 0, 0);
  const made = await api('alice', 'POST', '/events', { title: 'Feed secret title', location: 'Feed secret room',
    start_time: start.toISOString().replace(/\.\d+Z$/, 'Z'), end_time: new Date(+start + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
    time_zone: ZONE, reminders: [] });
  check(made.status === 201, `an event tomorrow: ${made.status}`);
  await page.getByRole('button', { name: 'Share Calendar', exact: true }).click();
  const dlg = page.getByRole('dialog', { name: 'Share “Calendar”' });
  await dlg.getByText('Not published.').waitFor();
  await dlg.getByRole('button', { name: 'Publish busy times only' }).click();
  const address = dlg.getByLabel('Feed address', { exact: true });
  await address.waitFor();
  const url = await address.inputValue();
  check(/^http:\/\/127\.0\.0\.1:\d+\/feeds\/[A-Za-z0-9_-]{43}\.ics$/.test(url), `a feed address: ${url}`);
  check((await dlg.getByLabel('Subscription address (webcal)', { exact: true }).inputValue()).startsWith('webcal://'), 'a webcal address');
  await dlg.locator('svg.qr').waitFor();
  await dlg.getByText(/Feed \d+ \(busy times only\)/).waitFor();
  await axe(page, 'public feeds');
  await shot(page, '19-feed');
  const feed = await fetch(url);  // no credentials
  const text = await feed.text();
  check(feed.status === 200 && (feed.headers.get('content-type') || '').startsWith('text/calendar'), `feed answers ${feed.status}`);
  const stamp = start.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  check(text.includes(`DTSTART:${stamp}`) || text.includes(stamp), `the feed holds tomorrow's busy block (${stamp})`);
  check(!/Feed secret|ORGANIZER|ATTENDEE/.test(text), 'the busy-times feed shows no title, place or people');
  await dlg.getByRole('button', { name: /^Revoke feed / }).click();
  await dlg.getByText('Not published.').waitFor();
  check((await fetch(url)).status === 404, 'a revoked feed is gone');
  await dlg.getByRole('button', { name: 'Close', exact: true }).click();
}

async function an_event_is_created_with_the_keyboard_alone() {
  const page = state.alice;
  await page.locator('body').focus();
  await page.evaluate(() => document.activeElement?.blur());
  let found = false;
  for (let i = 0; i < 20 && !found; i += 1) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement?.textContent === 'New event');
  }
  check(found, 'Tab reaches "New event"');
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: 'New event' });
  await dlg.waitFor();
  let onTitle = false;
  for (let i = 0; i < 5 && !onTitle; i += 1) {
    onTitle = await dlg.getByLabel('Title').evaluate((el) => el === document.activeElement);
    if (!onTitle) await page.keyboard.press('Tab');
  }
  check(onTitle, 'Tab reaches the title');
  await page.keyboard.type('Typed with keys');
  await page.keyboard.press('Enter');
  await status(page, /Created “Typed with keys”/);
  check(!(await dlg.count()), 'the dialog closed');
  const now = Date.now();
  const found2 = (await eventsOf('alice', new Date(now - 86400000).toISOString(), new Date(now + 2 * 86400000).toISOString()))
    .filter((e) => e.title === 'Typed with keys');
  check(found2.length === 1, `created at the next hour: ${found2.length}`);
}

async function a_phone_sized_screen_has_no_sideways_scroll_and_dialogs_fit() {
  const phone = await newPage('bob', { width: 375, height: 812 });
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 375, `no horizontal scroll on the calendar: ${width}px`);
  check(await phone.locator('.fc-timeGridDay-view').count() === 1, 'a phone shows the day view');
  await axe(phone, 'phone');
  await shot(phone, '19-phone');
  for (const [button, title] of [['New event', 'New event'], ['Find a time', 'Find a time'], ['Connect apps', 'Connect calendar apps']]) {
    await phone.getByRole('button', { name: button }).click();
    const dlg = phone.getByRole('dialog', { name: title });
    await dlg.waitFor();
    const box = await dlg.boundingBox();
    const inner = await dlg.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    check(box.x >= 0 && box.x + box.width <= 375 && inner.scroll <= inner.client + 1, `${title} fits the screen: ${JSON.stringify(box)} ${JSON.stringify(inner)}`);
    check(await phone.evaluate(() => document.documentElement.scrollWidth) <= 375, `no sideways scroll with ${title} open`);
    if (title === 'New event') await shot(phone, '20-phone-editor');
    if (title === 'Connect calendar apps') {
      // The QR code of the server address, drawn once its encoder (a separate chunk) has loaded.
      const qr = dlg.getByRole('img', { name: `QR code of the server address ${base()}/dav/` });
      await qr.waitFor();
      const size = await qr.boundingBox();
      check(size.width >= 120 && size.width === size.height, `a square QR code big enough to scan: ${JSON.stringify(size)}`);
      await axe(phone, 'connect apps on a phone');
      await shot(phone, '21-phone-connect');
    }
    await dlg.getByRole('button', { name: 'Close', exact: true }).first().click();
    await dlg.waitFor({ state: 'detached' });
  }
  await phone.context().close();
}

async function signing_out_ends_the_session() {
  const page = state.alice;
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('kalends.session')).token);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You are signed out.').waitFor();
  const r = await fetch(`${base()}/api/v1/calendars`, { headers: { Authorization: `Bearer ${token}` } });
  check(r.status === 401 && !/Basic/.test(r.headers.get('www-authenticate') || ''), `the token is revoked: ${r.status}`);
}

async function an_expired_session_token_is_refused() {
  // Session tokens stored as sign-in stores them, one expired a minute ago, one valid for an hour.
  const { createHash } = await import('node:crypto');
  const now = Math.floor(Date.now() / 1000);
  const store = (token, name) => {
    const hash = createHash('sha256').update(token).digest('hex');
    const sql = `INSERT INTO access_tokens (principal_id, name, token_hash, created_at) ` +
      `SELECT id, '${name}', '${hash}', 0 FROM principals WHERE name = 'alice';`;
    const p = spawnSync('sqlite3', ['-cmd', '.timeout 5000', join(data, 'kalends.sqlite3'), sql], { encoding: 'utf8' });
    check(p.status === 0, `sqlite3: ${p.stderr}`);
  };
  const expired = `kals_${now - 60}_${'A'.repeat(43)}`;
  const valid = `kals_${now + 3600}_${'B'.repeat(43)}`;
  store(expired, 'session-test-expired');
  store(valid, 'session-test-valid');
  const as = (token) => fetch(`${base()}/api/v1/calendars`, { headers: { Authorization: `Bearer ${token}` } });
  check((await as(valid)).status === 200, 'a stored session token before its expiry works');
  check((await as(expired)).status === 401, 'a stored session token after its expiry is 401');
  // The expiry is part of the hashed text: editing it makes an unknown token.
  check((await as(expired.replace(/^kals_\d+_/, `kals_${now + 3600}_`))).status === 401, 'an edited expiry is 401');
}

const CASES = [
  a_server_without_accounts_explains_user_add_and_the_first_account_signs_in,
  sign_in_shows_the_week_and_a_wrong_password_is_explained,
  a_created_event_appears_in_the_week_view,
  a_weekly_event_keeps_its_local_time_across_the_dst_change,
  dragging_one_occurrence_with_this_event_makes_an_override,
  an_invited_user_accepts_and_the_organizer_sees_it,
  a_stale_edit_is_412_and_offers_a_reload,
  a_lost_connection_keeps_what_was_typed,
  find_a_time_books_a_suggestion,
  browser_notifications_subscribe_to_the_server_key_and_the_worker_shows_a_push,
  calendars_are_created_renamed_recoloured_and_deleted,
  resizing_an_event_changes_its_end,
  an_all_day_event_spans_its_days_in_the_all_day_row,
  changing_this_and_following_occurrences_splits_the_series,
  sharing_a_calendar_lets_the_sharee_see_and_edit_as_permitted,
  a_published_busy_feed_is_subscribable_without_login_until_revoked,
  an_event_is_created_with_the_keyboard_alone,
  a_phone_sized_screen_has_no_sideways_scroll_and_dialogs_fit,
  a_week_of_200_events_shows_quickly,
  signing_out_ends_the_session,
  an_expired_session_token_is_refused,
];

async function main() {
  if (SHOTS) rmSync(SHOTS, { recursive: true, force: true });  // this run's screenshots only
  await startServer();
  const root = process.getuid && process.getuid() === 0;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: root ? ['--no-sandbox'] : [] });  // Chromium's sandbox refuses root (CI runs as root)
  const only = new Set(process.argv.slice(2));
  for (const c of CASES) {
    if (only.size && !only.has(c.name)) continue;
    if (c !== a_server_without_accounts_explains_user_add_and_the_first_account_signs_in) addUsers();
    const t0 = Date.now();
    try {
      await c();
      results.push([c.name, true]);
      console.log(`ok ${c.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      results.push([c.name, false]);
      console.log(`FAIL ${c.name}: ${e.stack || e}`);
      if (state.alice) {
        await shot(state.alice, `fail-${c.name}`).catch(() => {});
        // Close what the failed case left open, so that the next one starts clean.
        for (let i = 0; i < 3; i += 1) await state.alice.keyboard.press('Escape').catch(() => {});
      }
    }
  }
  const cspOk = cspViolations.length === 0;
  console.log(cspOk ? 'ok no Content-Security-Policy violation or page error' : `FAIL CSP or page errors: ${cspViolations.join(' | ')}`);
  results.push(['no_csp_violation', cspOk]);
  for (const [k, v] of Object.entries(measures)) console.log(`measure: ${k}: ${v}`);
}

let code = 1;
try {
  await main();
  const failed = results.filter(([, ok]) => !ok).length;
  console.log(`\n  ${results.length - failed} test cases out of ${results.length} passed`);
  if (failed) console.log(`  ${failed} test cases out of ${results.length} failed`);
  code = failed ? 1 : 0;
} catch (e) {
  console.log(`FAIL setup: ${e.stack || e}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  await stopServer();
  if (process.env.KEEP_WORK) console.log(`work files kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
process.exit(code);

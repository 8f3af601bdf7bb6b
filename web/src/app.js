// The Kalends web app (issue 28): sign-in, then the calendar (FullCalendar
// week/day/month views over GET /api/v1/events), calendars with colours and
// show/hide, managing one's calendars, invitations, time zone, browser
// notifications, and the dialogs of the other modules. A server without
// accounts gets a first-run page that says how to make one.
// Plain ES modules and DOM calls: FullCalendar renders the grid; the rest is
// a handful of forms, which need no view framework.
import { Calendar } from '@fullcalendar/core';
import dayGridPlugin from '@fullcalendar/daygrid';
import timeGridPlugin from '@fullcalendar/timegrid';
import interactionPlugin from '@fullcalendar/interaction';
import { api, ApiError, currentSession, listEvents, signIn, signOut } from './api.js';
import { announce, describeError, errorBox, field, h, showError } from './ui.js';
import { browserZone, dayZone, fcWall, instantOf, knownZones, utcText, wallClock } from './tz.js';
import { chooseScope, conflictText, openEventDialog, patchEvent } from './event_dialog.js';
import { openConnect, openShares } from './settings.js';
import { openFindTime } from './find_time.js';
import { openEditCalendar, openNewCalendar, WRITE_PERMISSIONS } from './calendars.js';
import { disablePush, enablePush, pushState, pushUnsupported } from './push.js';

const ZONE_KEY = 'kalends.zone';
const HIDDEN_KEY = 'kalends.hidden';
// Dark enough for white text (WCAG AA 4.5:1); a calendar's own colour gets black text when light.
const PALETTE = ['#1558b0', '#146c2e', '#b3261e', '#7b1fa2', '#9a4600', '#00695c', '#545a60'];

/** Black or white, whichever reads better on `hex` ("#rrggbb"). */
function textOn(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}

const root = document.getElementById('root');

/** "HH:MM" of a FullCalendar date ({hour, minute}). */
function hhmm(d) {
  return `${String(d.hour).padStart(2, '0')}:${String(d.minute).padStart(2, '0')}`;
}

/** Runs `fn` when the browser is idle (soon after the current rendering). */
function whenIdle(fn) {
  if (window.requestIdleCallback) requestIdleCallback(() => fn(), { timeout: 1000 });
  else setTimeout(fn, 200);
}
// One formatter for every event block (creating one per block costs more than the block).
const DAY_NAME = new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' });

function start() {
  window.addEventListener('kalends:signed-out', () => renderLogin('Your session ended; please sign in again.'));
  if (currentSession()) renderApp();
  else renderLogin();
}

// ---- sign-in -----------------------------------------------------------------

/** Whether the server has any user account (GET /health as JSON); true when it cannot tell. */
async function serverHasUsers() {
  try {
    const res = await fetch('/health', { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'omit' });
    const body = await res.json();
    return body.users !== false;
  } catch {
    return true;
  }
}

/** The first-run page: no account exists yet, so say how to make one. */
function renderFirstRun() {
  document.title = 'Set up · Kalends';
  const errors = errorBox();
  const again = h('button', { type: 'button', className: 'primary', onclick: async () => {
    if (await serverHasUsers()) renderLogin('The account is there: sign in with it.');
    else showError(errors, new Error('There is still no account. Run the command above on the server, then try again.'));
  } }, 'I have made an account');
  root.replaceChildren(h('main', { className: 'login', id: 'main' }, h('section', { className: 'login-form first-run', 'aria-labelledby': 'setup-title' },
    h('h1', { id: 'setup-title' }, 'Welcome to Kalends'),
    h('p', {}, 'This server has no accounts yet. Make the first one on the server, in a terminal, with the same data directory the server uses:'),
    h('pre', { tabindex: '0', 'aria-label': 'Command' }, 'kalends user add alice --email alice@example.org'),
    h('p', {}, 'Use your own name and address. It asks for a password twice; then come back here and sign in.'),
    h('p', { className: 'hint' }, 'Started with scripts/serve? The program is build-release/src/kalends in the source directory. ' +
      'Add --data DIR when the server was started with one.'),
    errors, again)));
  again.focus();
}

async function renderLogin(message) {
  if (!message && !(await serverHasUsers())) { renderFirstRun(); return; }
  document.title = 'Sign in · Kalends';
  const user = h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const errors = errorBox();
  const form = h('form', { className: 'login-form', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Kalends'),
    h('p', {}, 'Sign in with the name and password you use for your calendar apps.'),
    message ? h('p', { className: 'notice' }, message) : null,
    errors, field('User name', user), field('Password', password),
    h('button', { type: 'submit', className: 'primary' }, 'Sign in'),
    h('details', { className: 'help' }, h('summary', {}, 'No account yet?'),
      h('p', {}, 'Accounts are made by the server’s administrator, on the server:'),
      h('pre', {}, 'kalends user add NAME --email NAME@example.org'),
      h('p', {}, 'It asks for the password; then sign in here with that name.')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await signIn(user.value.trim(), password.value);
      renderApp();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) showError(errors, new Error('Wrong user name or password.'));
      else showError(errors, e);
      password.select();
    }
  });
  root.replaceChildren(h('main', { className: 'login', id: 'main' }, form));
  user.focus();
}

// ---- the calendar ------------------------------------------------------------

async function renderApp() {
  const session = currentSession();
  if (!session) { renderLogin(); return; }
  document.title = 'Kalends';
  const state = {
    zone: localStorage.getItem(ZONE_KEY) || browserZone(),
    hidden: new Set(JSON.parse(localStorage.getItem(HIDDEN_KEY) || '[]')),
    calendars: [],
    me: session,
  };
  const ctx = {
    get zone() { return state.zone; },
    get calendars() { return state.calendars; },
    me: session,
    canEdit: (id) => state.calendars.some((c) => c.calendar_id === id && WRITE_PERMISSIONS.has(c.permission)),
    onSaved: () => refresh(),
  };

  const zoneSelect = h('select', { id: 'zone' }, knownZones(state.zone).map((z) => h('option', { value: z, selected: z === state.zone }, z)));
  const calendarList = h('ul', { className: 'calendars' });
  const notifications = h('div', { className: 'notifications' });
  const invitations = h('ul', { className: 'invitations' });
  const calendarEl = h('div', { className: 'calendar', id: 'calendar' });
  const header = h('header', { className: 'top' },
    h('a', { className: 'skip', href: '#calendar' }, 'Skip to the calendar'),
    h('h1', {}, 'Kalends'),
    h('div', { className: 'actions' },
      h('button', { type: 'button', className: 'primary', onclick: () => openEventDialog(ctx, null, nextHour()) }, 'New event'),
      h('button', { type: 'button', onclick: () => openFindTime(ctx) }, 'Find a time'),
      h('button', { type: 'button', onclick: () => openConnect(ctx) }, 'Connect apps'),
      h('span', { className: 'who' }, session.user),
      h('button', { type: 'button', onclick: async () => { await signOut(); renderLogin('You are signed out.'); } }, 'Sign out')));
  const sidebar = h('aside', { className: 'side', 'aria-label': 'Calendars and invitations' },
    h('div', { className: 'field' }, h('label', { for: 'zone' }, 'Time zone'), zoneSelect),
    h('section', { 'aria-labelledby': 'cal-title' }, h('h2', { id: 'cal-title' }, 'Calendars'), calendarList,
      h('button', { type: 'button', className: 'link', onclick: () => openNewCalendar(calendarsChanged) }, 'New calendar')),
    h('section', { 'aria-labelledby': 'note-title' }, h('h2', { id: 'note-title' }, 'Notifications'), notifications),
    h('section', { 'aria-labelledby': 'inv-title' }, h('h2', { id: 'inv-title' }, 'Invitations'),
      h('p', { className: 'hint' }, 'Unanswered, for 60 days from the week shown.'), invitations));
  root.replaceChildren(header, h('div', { className: 'layout' }, sidebar, h('main', { id: 'main' }, calendarEl)));

  const linkedDate = new URLSearchParams(location.search).get('date');
  const calendar = new Calendar(calendarEl, {
    plugins: [dayGridPlugin, timeGridPlugin, interactionPlugin],
    timeZone: 'UTC',  // wall clocks of state.zone (tz.js)
    initialView: window.matchMedia('(max-width: 640px)').matches ? 'timeGridDay' : 'timeGridWeek',
    // ?date=YYYY-MM-DD opens that day's week (a link to a week).
    initialDate: /^\d{4}-\d{2}-\d{2}$/.test(linkedDate || '') ? linkedDate : wallClock(Date.now(), state.zone).slice(0, 10),
    headerToolbar: { left: 'prev,next today', center: 'title', right: 'dayGridMonth,timeGridWeek,timeGridDay' },
    buttonText: { today: 'Today', month: 'Month', week: 'Week', day: 'Day' },
    firstDay: 1,
    height: 'auto',
    nowIndicator: true,
    editable: true,
    selectable: true,
    selectMirror: true,
    scrollTime: '08:00:00',
    // A function, not Intl options: FullCalendar 6 builds new Intl.DateTimeFormat
    // objects for every event block from options (a third of the time a week of
    // 200 events took to render, in a Chromium profile).
    eventTimeFormat: (arg) => (arg.end ? `${hhmm(arg.start)}${arg.defaultSeparator}${hhmm(arg.end)}` : hhmm(arg.start)),
    slotLabelFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
    events: (info, ok, fail) => loadEvents(info).then(ok, (e) => { announce(describeError(e)); fail(e); }),
    eventClick: (info) => { info.jsEvent.preventDefault(); openEventDialog(ctx, info.event.extendedProps.item); },
    select: (info) => {
      calendar.unselect();
      const preset = info.allDay
        ? { start: instantOf(info.startStr.slice(0, 10) + 'T00:00', state.zone), end: instantOf(info.endStr.slice(0, 10) + 'T00:00', state.zone), allDay: true }
        : { start: instantOf(fcWall(info.start), state.zone), end: instantOf(fcWall(info.end), state.zone) };
      openEventDialog(ctx, null, preset);
    },
    // The invitations list reads 60 days: after the week is on screen, not before.
    datesSet: () => { hideIcons(); whenIdle(renderInvitations); },
    eventDrop: (info) => moveEvent(info, 'Move'),
    eventResize: (info) => moveEvent(info, 'Change'),
    eventDidMount: (info) => {
      const item = info.event.extendedProps.item;
      // FullCalendar makes the block focusable and opens it on Enter (eventClick); say it is a button.
      info.el.setAttribute('role', 'button');
      // What the block does not show, for screen readers (its visible text stays the start of its name).
      const day = DAY_NAME.format(Date.parse(wallClock(item.start_time, item.all_day ? dayZone(item) : state.zone).slice(0, 10)));
      info.el.append(h('span', { className: 'sr-only' }, `, ${day}${item.all_day ? ', all day' : ''}` +
        `${item.is_recurring ? ', repeats' : ''}${item.conflicts ? ', overlaps another event' : ''}` +
        `${item.my_status && item.my_status !== 'organizer' ? `, your answer: ${item.my_status}` : ''}`));
    },
  });

  // Performance marks (kalends:events-*) let a profile split fetching from
  // FullCalendar's rendering; tests/web reads them.
  async function loadEvents(info) {
    performance.mark('kalends:events-requested');
    const from = utcText(instantOf(fcWall(info.start), state.zone));
    const to = utcText(instantOf(fcWall(info.end), state.zone));
    const items = await listEvents(from, to, state.zone);
    performance.mark('kalends:events-fetched');
    const out = items.filter((e) => !state.hidden.has(e.calendar_id)).map((e) => toFcEvent(e));
    performance.mark('kalends:events-mapped');
    return out;
  }

  function toFcEvent(e) {
    const cal = state.calendars.find((c) => c.calendar_id === e.calendar_id);
    const color = colorOf(cal);
    // Editable in the calendars the user may write (their own, or shared with edit or admin).
    const own = WRITE_PERMISSIONS.has(cal?.permission) && (e.my_status === 'organizer' || e.my_status === null);
    return {
      id: e.exception_id || e.event_id,
      title: e.title,
      start: e.all_day ? wallClock(e.start_time, dayZone(e)).slice(0, 10) : wallClock(e.start_time, state.zone),
      end: e.all_day ? wallClock(e.end_time, dayZone(e)).slice(0, 10) : wallClock(e.end_time, state.zone),
      allDay: e.all_day,
      editable: own,
      backgroundColor: color,
      borderColor: color,
      textColor: textOn(color),
      classNames: [e.conflicts ? 'has-conflict' : '', e.my_status === 'pending' ? 'is-pending' : '', e.status === 'cancelled' ? 'is-cancelled' : ''].filter(Boolean),
      extendedProps: { item: e },
    };
  }

  async function moveEvent(info, verb) {
    const item = info.event.extendedProps.item;
    const allDay = info.event.allDay;
    const start = allDay ? instantOf(info.event.startStr.slice(0, 10) + 'T00:00', dayZone(item)) : instantOf(fcWall(info.event.start), state.zone);
    const endDate = info.event.end || new Date(info.event.start.getTime() + (allDay ? 86400000 : 3600000));
    const end = allDay ? instantOf(fcWall(endDate).slice(0, 10) + 'T00:00', dayZone(item)) : instantOf(fcWall(endDate), state.zone);
    const scope = item.is_recurring ? await chooseScope(verb) : 'all';
    if (!scope) { info.revert(); return; }
    try {
      const { data: series, etag } = await api('GET', `/events/${encodeURIComponent(item.event_id)}`);
      const body = { start_time: utcText(start), end_time: utcText(end), all_day: allDay };
      const { data } = await patchEvent(item, series, etag, body, scope);
      const c = conflictText(data.conflicts, state.zone);
      announce(`Moved “${item.title}”.${c ? ' ' + c : ''}`);
      refresh();
    } catch (e) {
      info.revert();
      announce(describeError(e) + (e instanceof ApiError && e.status === 412 ? ' The calendar was reloaded.' : ''));
      if (e instanceof ApiError && e.status === 412) refresh();
    }
  }

  // FullCalendar's arrow icons are role=img without a name; the buttons carry the name (title).
  function hideIcons() {
    for (const el of calendarEl.querySelectorAll('.fc-icon')) {
      el.removeAttribute('role');
      el.setAttribute('aria-hidden', 'true');
    }
  }

  function nextHour() {
    const now = Date.now();
    const start = Math.ceil(now / 3600000) * 3600000;
    return { start, end: start + 3600000 };
  }

  function colorOf(cal) {
    if (!cal) return PALETTE[PALETTE.length - 1];
    if (/^#[0-9a-fA-F]{6}/.test(cal.color || '')) return cal.color.slice(0, 7);
    const i = state.calendars.indexOf(cal);
    return PALETTE[i % PALETTE.length];
  }

  function renderCalendars() {
    calendarList.replaceChildren(...state.calendars.map((c) => {
      const box = h('input', { type: 'checkbox', id: `cal-${c.calendar_id}`, checked: !state.hidden.has(c.calendar_id),
        onchange: () => {
          if (box.checked) state.hidden.delete(c.calendar_id); else state.hidden.add(c.calendar_id);
          localStorage.setItem(HIDDEN_KEY, JSON.stringify([...state.hidden]));
          calendar.refetchEvents();
        } });
      const swatch = h('span', { className: 'swatch', 'aria-hidden': 'true' });
      swatch.style.backgroundColor = colorOf(c);
      const shared = c.permission !== 'owner' ? h('span', { className: 'hint' }, ` (shared, ${c.permission})`) : null;
      const manage = c.permission === 'owner' || c.permission === 'admin'
        ? h('button', { type: 'button', className: 'link', 'aria-label': `Share ${c.name}`, onclick: () => openShares(ctx, c) }, 'Share')
        : null;
      const edit = c.permission === 'owner'
        ? h('button', { type: 'button', className: 'link', 'aria-label': `Edit ${c.name}`, onclick: () => openEditCalendar(c, calendarsChanged) }, 'Edit')
        : null;
      return h('li', {}, box, swatch, h('label', { for: box.id }, c.name), shared, edit, manage);
    }));
  }

  async function renderInvitations() {
    // From the start of the shown week, for 60 days.
    const shown = calendar.view ? instantOf(fcWall(calendar.view.activeStart), state.zone) : Date.now();
    const from = shown;
    try {
      const items = await listEvents(utcText(from), utcText(from + 60 * 86400000), state.zone);
      const pending = items.filter((e) => e.my_status === 'pending');
      invitations.replaceChildren(...(pending.length ? pending.map((e) => h('li', {},
        h('button', { type: 'button', className: 'link', onclick: () => openEventDialog(ctx, e) }, e.title),
        h('span', { className: 'hint' }, ` ${wallClock(e.start_time, state.zone).replace('T', ' ').slice(0, 16)}`),
        h('div', { className: 'buttons small' }, [['accepted', 'Accept'], ['tentative', 'Maybe'], ['declined', 'Decline']].map(([v, l]) =>
          h('button', { type: 'button', 'aria-label': `${l} ${e.title}`, onclick: async () => {
            try {
              await api('POST', `/events/${encodeURIComponent(e.event_id)}/rsvp`, { body: { response: v } });
              announce(`You answered “${l}” to “${e.title}”.`);
              refresh();
            } catch (err) { announce(describeError(err)); }
          } }, l))))) : [h('li', { className: 'hint' }, 'No open invitations.')]));
    } catch (e) {
      invitations.replaceChildren(h('li', { className: 'hint' }, describeError(e)));
    }
  }

  async function loadCalendars() {
    try {
      state.calendars = (await api('GET', '/calendars')).data.calendars;
    } catch (e) {
      announce(describeError(e));
    }
    renderCalendars();
  }

  function refresh() {
    calendar.refetchEvents();
    renderInvitations();
  }

  async function calendarsChanged() {
    await loadCalendars();
    refresh();
  }

  async function renderNotifications() {
    const why = pushUnsupported();
    const stateNow = why ? 'unsupported' : await pushState().catch(() => 'off');
    const words = {
      on: 'Reminders set to “Browser notification” appear on this device.',
      off: 'Reminders set to “Browser notification” need your permission to appear here.',
      blocked: 'Notifications are blocked for this site; allow them in the browser’s site settings.',
      unsupported: why || 'This browser does not offer push notifications.',
    };
    const button = stateNow === 'on'
      ? h('button', { type: 'button', onclick: () => togglePush(disablePush, 'Browser notifications are off on this device.') }, 'Turn off notifications')
      : stateNow === 'off'
        ? h('button', { type: 'button', onclick: () => togglePush(enablePush) }, 'Allow browser notifications')
        : null;
    notifications.replaceChildren(h('p', { className: 'hint', id: 'push-state' }, words[stateNow]), button);
  }

  async function togglePush(action, done) {
    try {
      const said = await action();
      announce(done || said);
    } catch (e) {
      announce(describeError(e));
    }
    renderNotifications();
  }

  zoneSelect.addEventListener('change', () => {
    state.zone = zoneSelect.value;
    localStorage.setItem(ZONE_KEY, state.zone);
    announce(`Times are now shown in ${state.zone}.`);
    refresh();
  });

  await loadCalendars();
  calendar.render();
  renderNotifications();
  ctx.calendarApi = calendar;
}

start();

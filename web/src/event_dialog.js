// The event editor: create and change events (all-day, recurring with the
// API's recurrence fields, invitees, a reminder), answer an invitation,
// delete; the this / this-and-following / all choice for one occurrence of a
// series; 412 offers a reload; a lost connection keeps the form as typed.
import { api, ApiError, NetworkError, newKey } from './api.js';
import { announce, choose, errorBox, field, h, nextId, openDialog, showError } from './ui.js';
import { dayZone, instantOf, knownZones, utcText, wallClock } from './tz.js';
import { WRITE_PERMISSIONS } from './calendars.js';

const WEEKDAYS = [['MO', 'Mon'], ['TU', 'Tue'], ['WE', 'Wed'], ['TH', 'Thu'], ['FR', 'Fri'], ['SA', 'Sat'], ['SU', 'Sun']];
const ANSWERS = [['accepted', 'Accept'], ['tentative', 'Maybe'], ['declined', 'Decline']];
// docs/api.md: a reminder's method is display, push (Web Push to the user's browsers) or email.
const REMINDER_METHODS = [['display', 'Alert in calendar apps'], ['push', 'Browser notification'], ['email', 'E-mail']];
const STATUS_WORDS = { pending: 'no answer yet', accepted: 'accepted', declined: 'declined', tentative: 'maybe', delegated: 'delegated' };

/** Asks which part of a series a change applies to; undefined when cancelled. */
export function chooseScope(verb) {
  return choose(`${verb} a repeating event`, `${verb} only this occurrence, this and the following ones, or all of them?`, [
    { value: 'this_instance', label: 'This event' },
    { value: 'all_future', label: 'This and following events' },
    { value: 'all', label: 'All events' },
    { value: undefined, label: 'Cancel' },
  ]);
}

/** Words for the conflicts an API answer lists. */
export function conflictText(conflicts, zone) {
  if (!conflicts || !conflicts.length) return '';
  const items = conflicts.map((c) => `${c.title || 'busy'} (${c.who}, ${wallClock(c.start_time, zone).replace('T', ' ').slice(0, 16)})`);
  return `Overlaps ${conflicts.length === 1 ? 'an event' : `${conflicts.length} events`}: ${items.join('; ')}.`;
}

function recurrenceFields(rec) {
  const freq = h('select', {}, ['none', 'daily', 'weekly', 'monthly', 'yearly'].map((f) =>
    h('option', { value: f, selected: (rec?.frequency || 'none') === f }, f === 'none' ? 'Does not repeat' : f)));
  const interval = h('input', { type: 'number', min: '1', max: '999', value: String(rec?.interval || 1) });
  const days = WEEKDAYS.map(([code, label]) => h('label', { className: 'day' },
    h('input', { type: 'checkbox', value: code, checked: (rec?.by_day || []).includes(code) }), label));
  const ends = h('select', {}, [['never', 'Never'], ['until', 'On a date'], ['count', 'After a number of times']].map(([v, l]) =>
    h('option', { value: v, selected: (rec?.until ? 'until' : rec?.count ? 'count' : 'never') === v }, l)));
  const until = h('input', { type: 'date', value: rec?.until ? rec.until.slice(0, 10) : '' });
  const count = h('input', { type: 'number', min: '1', max: '1000', value: rec?.count ? String(rec.count) : '10' });
  const monthDay = h('input', { type: 'text', inputmode: 'numeric', value: (rec?.by_month_day || []).join(', '), placeholder: 'e.g. 1, 15' });
  const box = h('fieldset', { className: 'recurrence' }, h('legend', {}, 'Repeats'),
    field('Frequency', freq), field('Every (interval)', interval),
    h('fieldset', { className: 'days' }, h('legend', {}, 'On weekdays'), days),
    field('On days of the month', monthDay, 'Comma-separated; negative counts from the end'),
    field('Stops repeating', ends), field('End date', until), field('Number of times', count));
  const sync = () => {
    const on = freq.value !== 'none';
    for (const el of box.querySelectorAll('.field, fieldset.days')) if (!el.contains(freq)) el.hidden = !on;
    until.parentElement.hidden = !on || ends.value !== 'until';
    count.parentElement.hidden = !on || ends.value !== 'count';
  };
  freq.addEventListener('change', sync);
  ends.addEventListener('change', sync);
  sync();
  box.read = () => {
    if (freq.value === 'none') return null;
    const r = { frequency: freq.value, interval: Number(interval.value) || 1 };
    const by = days.map((d) => d.firstChild).filter((c) => c.checked).map((c) => c.value);
    if (by.length) r.by_day = by;
    const md = monthDay.value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    if (md.length) r.by_month_day = md;
    if (ends.value === 'until' && until.value) r.until = `${until.value}T23:59:59Z`;
    if (ends.value === 'count') r.count = Number(count.value) || 1;
    return r;
  };
  return box;
}

function attendeeList(event) {
  if (!event?.attendees?.length) return null;
  return h('div', { className: 'attendees' }, h('h3', {}, 'Invited'),
    h('ul', {}, event.attendees.map((a) =>
      h('li', {}, `${a.email}${a.optional ? ' (optional)' : ''}: `, h('strong', {}, STATUS_WORDS[a.status] || a.status)))));
}

/** The form's values as an API body (times in UTC). */
function readForm(f) {
  const zone = f.zone.value;
  const allDay = f.allDay.checked;
  const start = allDay ? instantOf(`${f.startDate.value}T00:00`, zone) : instantOf(f.start.value, zone);
  const end = allDay ? instantOf(`${f.endDate.value}T00:00`, zone) + 86400000 : instantOf(f.end.value, zone);
  const emails = (text) => text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
  const attendees = [...emails(f.required.value).map((email) => ({ email, optional: false })),
    ...emails(f.optional.value).map((email) => ({ email, optional: true }))];
  const body = {
    title: f.title.value.trim(), start_time: utcText(start), end_time: utcText(end), time_zone: zone,
    all_day: allDay, location: f.location.value, description: f.description.value,
    recurrence: f.recurrence.read(), attendees,
    reminders: f.reminder.value ? [{ minutes_before: Number(f.reminder.value), method: f.reminderMethod.value }] : [],
  };
  if (f.calendar) body.calendar_id = f.calendar.value;
  return body;
}

/**
 * Opens the editor. `ctx`: {zone, me, calendars, onSaved}; `item` is a
 * listing entry (an existing event or occurrence) or null; `preset` fills a
 * new event ({start, end, allDay, attendees, title}; ms instants).
 */
export async function openEventDialog(ctx, item = null, preset = {}) {
  let series = null;
  let etag = null;
  if (item) {
    try {
      const r = await api('GET', `/events/${encodeURIComponent(item.event_id)}`);
      series = r.data;
      etag = r.etag;
      // The occurrence as it is now (its own title and times when overridden).
      const now = item.exception_id ? (await api('GET', `/events/${encodeURIComponent(item.exception_id)}`)).data : series;
      item = { ...item, title: now.title, start_time: now.start_time, end_time: now.end_time, all_day: now.all_day };
    } catch (e) {
      announce(`Could not open the event: ${e.message}`);
      return;
    }
  }
  const idempotencyKey = newKey();
  return openDialog(item ? 'Event' : 'New event', (close) => buildForm(ctx, item, series, etag, preset, idempotencyKey, close),
    { className: 'event-dialog' });
}

function buildForm(ctx, item, series, etag, preset, idempotencyKey, close) {
  const zone = series?.time_zone || ctx.zone;
  const mine = !item || item.my_status === 'organizer' || item.my_status === null;
  const editable = mine && (!item || ctx.canEdit(item.calendar_id));
  const startMs = item ? Date.parse(item.start_time) : preset.start;
  const endMs = item ? Date.parse(item.end_time) : preset.end;
  const allDayNow = item ? item.all_day : !!preset.allDay;
  const f = {};
  f.title = h('input', { type: 'text', required: true, value: item?.title ?? preset.title ?? '', autocomplete: 'off' });
  f.allDay = h('input', { type: 'checkbox', checked: allDayNow });
  f.zone = h('select', {}, knownZones(zone).map((z) => h('option', { value: z, selected: z === zone }, z)));
  f.start = h('input', { type: 'datetime-local', value: wallClock(startMs, zone).slice(0, 16) });
  f.end = h('input', { type: 'datetime-local', value: wallClock(endMs, zone).slice(0, 16) });
  // An all-day event's dates are at midnight of its own zone (UTC when floating).
  const days = item && allDayNow ? dayZone(series || item) : zone;
  f.startDate = h('input', { type: 'date', value: wallClock(startMs, days).slice(0, 10) });
  f.endDate = h('input', { type: 'date', value: wallClock(allDayNow ? endMs - 86400000 : endMs, days).slice(0, 10) });
  f.location = h('input', { type: 'text', value: series?.location || preset.location || '' });
  f.description = h('textarea', { rows: '3' }, series?.description || '');
  const att = series?.attendees || preset.attendees?.map((email) => ({ email, optional: false })) || [];
  f.required = h('textarea', { rows: '2' }, att.filter((a) => !a.optional).map((a) => a.email).join('\n'));
  f.optional = h('textarea', { rows: '2' }, att.filter((a) => a.optional).map((a) => a.email).join('\n'));
  const rem = series?.reminders?.[0]?.minutes_before;
  f.reminder = h('select', {}, [['', 'None'], ['5', '5 minutes before'], ['10', '10 minutes before'], ['15', '15 minutes before'],
    ['30', '30 minutes before'], ['60', '1 hour before'], ['1440', '1 day before']].map(([v, l]) =>
    h('option', { value: v, selected: String(rem ?? '') === v }, l)));
  const method = series?.reminders?.[0]?.method || 'display';
  f.reminderMethod = h('select', {}, REMINDER_METHODS.map(([v, l]) => h('option', { value: v, selected: method === v }, l)));
  const syncReminder = () => { f.reminderMethod.parentElement.hidden = !f.reminder.value; };
  f.reminder.addEventListener('change', syncReminder);
  f.recurrence = recurrenceFields(series?.recurrence);
  if (!item) {
    // The user's own calendars and those shared with them with edit or admin permission.
    const writable = ctx.calendars.filter((c) => WRITE_PERMISSIONS.has(c.permission));
    f.calendar = h('select', {}, writable.map((c) => h('option', { value: c.calendar_id, selected: c.is_default },
      c.permission === 'owner' ? c.name : `${c.name} (shared)`)));
  }
  const timed = h('div', { className: 'row' }, field('Starts', f.start), field('Ends', f.end));
  const dated = h('div', { className: 'row' }, field('First day', f.startDate), field('Last day', f.endDate));
  const syncAllDay = () => { timed.hidden = f.allDay.checked; dated.hidden = !f.allDay.checked; };
  f.allDay.addEventListener('change', syncAllDay);
  syncAllDay();
  const errors = errorBox();
  const notice = h('div', { className: 'notice', role: 'status' });
  const form = h('form', { className: 'event-form', novalidate: true });
  const draftKey = `kalends.draft.${item?.exception_id || item?.event_id || 'new'}`;
  restoreDraft(form, draftKey);

  const save = async (ev) => {
    ev.preventDefault();
    if (!f.title.value.trim()) { showError(errors, new Error('Give the event a title.')); f.title.focus(); return; }
    const body = readForm(f);
    try {
      let answer;
      if (!item) {
        answer = (await api('POST', '/events', { body, headers: { 'Idempotency-Key': idempotencyKey } })).data;
      } else {
        const scope = item.is_recurring ? await chooseScope('Change') : 'all';
        if (!scope) return;
        answer = (await patchEvent(item, series, etag, body, scope)).data;
      }
      sessionStorage.removeItem(draftKey);
      const c = conflictText(answer.conflicts, ctx.zone);
      announce(item ? `Saved “${body.title}”. ${c}` : `Created “${body.title}”. ${c}`);
      ctx.onSaved();
      close('saved');
    } catch (e) {
      // Kept across a reload too, should the connection not come back soon.
      if (e instanceof NetworkError) saveDraft(form, draftKey);
      reportSaveError(e, errors, ctx, item, close);
    }
  };
  form.addEventListener('submit', save);

  const rsvp = item && !mine ? h('div', { className: 'rsvp' }, h('h3', {}, 'Your answer'),
    h('p', {}, `Currently: ${STATUS_WORDS[item.my_status] || item.my_status}`),
    h('div', { className: 'buttons' }, ANSWERS.map(([value, label]) => h('button', {
      type: 'button', onclick: async () => {
        try {
          await api('POST', `/events/${encodeURIComponent(item.event_id)}/rsvp`, { body: { response: value } });
          announce(`You answered “${label}” to “${item.title}”.`);
          ctx.onSaved();
          close('answered');
        } catch (e) { showError(errors, e); }
      },
    }, label)))) : null;

  const del = item && editable ? h('button', { type: 'button', className: 'danger', onclick: async () => {
    const scope = item.is_recurring ? await chooseScope('Delete') : 'all';
    if (!scope) return;
    try {
      const query = { update_scope: scope, instance_date: scope === 'all' ? undefined : item.instance_date };
      await api('DELETE', `/events/${encodeURIComponent(item.event_id)}`, { query, etag });
      announce(`Deleted “${item.title}”.`);
      ctx.onSaved();
      close('deleted');
    } catch (e) { reportSaveError(e, errors, ctx, item, close); }
  } }, 'Delete') : null;

  const fields = h('div', { className: 'fields' },
    field('Title', f.title),
    f.calendar ? field('Calendar', f.calendar) : null,
    h('div', { className: 'check' }, f.allDay, h('label', { for: (f.allDay.id = nextId('allday')) }, 'All day')),
    timed, dated, field('Time zone', f.zone),
    field('Location', f.location), field('Description', f.description),
    field('Invite (addresses of people or rooms)', f.required, 'One address per line'),
    field('Optional invitees', f.optional),
    field('Reminder', f.reminder), field('Remind by', f.reminderMethod), f.recurrence);
  syncReminder();
  if (!editable) fields.querySelectorAll('input, select, textarea').forEach((el) => { el.disabled = true; });
  const cal = item ? ctx.calendars.find((c) => c.calendar_id === item.calendar_id) : null;
  if (item && mine && !editable && cal) {
    notice.textContent = `“${cal.name}” is shared with you to ${cal.permission === 'free-busy' ? 'see busy times' : 'view'}: ` +
      'you cannot change its events.';
  }
  form.append(errors, notice, fields, attendeeList(series), rsvp,
    h('div', { className: 'buttons' },
      editable ? h('button', { type: 'submit', className: 'primary' }, item ? 'Save' : 'Create') : null,
      del, h('button', { type: 'button', onclick: () => close() }, 'Close')));
  return form;
}

/** PATCHes `item` (an occurrence or a single event) with `body` for `scope`. */
export function patchEvent(item, series, etag, body, scope) {
  const path = `/events/${encodeURIComponent(item.event_id)}`;
  const b = { ...body, update_scope: scope };
  if (scope !== 'all') {
    b.instance_date = item.instance_date;
    if (scope === 'this_instance') delete b.recurrence;  // an override does not repeat
  } else if (item.is_recurring) {
    // The whole series moves by as much as this occurrence did.
    const shift = Date.parse(body.start_time) - Date.parse(item.start_time);
    const length = Date.parse(body.end_time) - Date.parse(body.start_time);
    const start = Date.parse(series.start_time) + shift;
    b.start_time = utcText(start);
    b.end_time = utcText(start + length);
  }
  return api('PATCH', path, { body: b, etag });
}

/** Shows a failed save: 412 offers a reload, the rest explains. */
function reportSaveError(e, errors, ctx, item, close) {
  if (e instanceof ApiError && e.status === 412) {
    showError(errors, e, h('p', {}, 'Your changes are still in the form. Reload to see the current version.'),
      h('button', { type: 'button', className: 'primary', onclick: async () => {
        close('reload');
        ctx.onSaved();
        await openEventDialog(ctx, item);
      } }, 'Reload the event'));
    return;
  }
  showError(errors, e);
}

function saveDraft(form, key) {
  const values = [...form.querySelectorAll('input, select, textarea')].map((el) =>
    (el.type === 'checkbox' ? el.checked : el.value));
  sessionStorage.setItem(key, JSON.stringify(values));
}

function restoreDraft(form, key) {
  // The form's controls exist once buildForm has appended them: restore after.
  queueMicrotask(() => {
    let values;
    try { values = JSON.parse(sessionStorage.getItem(key) || 'null'); } catch { values = null; }
    sessionStorage.removeItem(key);
    if (!Array.isArray(values)) return;
    const els = [...form.querySelectorAll('input, select, textarea')];
    if (els.length !== values.length) return;
    els.forEach((el, i) => {
      if (el.type === 'checkbox') el.checked = !!values[i];
      else el.value = values[i];
      el.dispatchEvent(new Event('change'));
    });
  });
}

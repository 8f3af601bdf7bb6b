// Find a time: POST /api/v1/availability/suggest for the people asked, then
// book a suggestion (the event editor, prefilled).
import { api } from './api.js';
import { errorBox, field, h, openDialog, showError } from './ui.js';
import { instantOf, utcText, wallClock } from './tz.js';
import { openEventDialog } from './event_dialog.js';

/** The dialog asking whom, how long and when; lists suggestions to book. */
export function openFindTime(ctx) {
  return openDialog('Find a time', (close) => {
    const today = wallClock(Date.now(), ctx.zone).slice(0, 10);
    const inAWeek = wallClock(Date.now() + 7 * 86400000, ctx.zone).slice(0, 10);
    const people = h('textarea', { rows: '3' });
    const title = h('input', { type: 'text', value: 'Meeting' });
    const duration = h('select', {}, [15, 30, 45, 60, 90, 120].map((m) => h('option', { value: String(m), selected: m === 30 }, `${m} minutes`)));
    const from = h('input', { type: 'date', value: today });
    const to = h('input', { type: 'date', value: inAWeek });
    const working = h('input', { type: 'checkbox', checked: true, id: 'ft-working' });
    const errors = errorBox();
    const results = h('ol', { className: 'suggestions', 'aria-live': 'polite' });
    const form = h('form', {}, errors,
      field('Title', title),
      field('With (addresses, one per line)', people, 'You are included'),
      field('Length', duration),
      h('div', { className: 'row' }, field('From', from), field('Until', to)),
      h('div', { className: 'check' }, working, h('label', { for: 'ft-working' }, 'Within working hours only')),
      h('div', { className: 'buttons' }, h('button', { type: 'submit', className: 'primary' }, 'Find times')),
      h('h3', {}, 'Suggestions'), results);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const others = people.value.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
      const users = [...new Set([ctx.me.email, ...others].filter(Boolean))];
      const body = {
        users, duration_minutes: Number(duration.value), time_zone: ctx.zone,
        start_time: utcText(Math.max(Date.now(), instantOf(`${from.value}T00:00`, ctx.zone))),
        end_time: utcText(instantOf(`${to.value}T23:59`, ctx.zone)),
        preferences: { working_hours_only: working.checked },
      };
      try {
        const { data } = await api('POST', '/availability/suggest', { body });
        results.replaceChildren(...(data.suggestions.length ? data.suggestions.map((s) => h('li', {},
          `${wallClock(s.start, ctx.zone).replace('T', ' ').slice(0, 16)} – ${wallClock(s.end, ctx.zone).slice(11, 16)}`,
          s.busy_users.length ? h('span', { className: 'hint' }, ` (busy: ${s.busy_users.join(', ')})`) : h('span', { className: 'hint' }, ' (everyone free)'),
          ' ',
          h('button', { type: 'button', onclick: () => {
            close('book');
            openEventDialog(ctx, null, { start: Date.parse(s.start), end: Date.parse(s.end), attendees: others, title: title.value });
          } }, 'Book'))) : [h('li', { className: 'hint' }, 'No time found: try a longer range.')]));
      } catch (e) { showError(errors, e); }
    });
    return form;
  });
}

// Managing one's calendars (issue 28 §3): create, rename, recolour and
// delete through /api/v1/calendars (docs/api.md "Calendars"). Calendars
// shared with the user are changed by their owner; the page offers these
// dialogs for the user's own calendars only.
import { api, ApiError } from './api.js';
import { announce, choose, errorBox, field, h, openDialog, showError } from './ui.js';

/** Permissions that let the user create and change events in a calendar. */
export const WRITE_PERMISSIONS = new Set(['owner', 'edit', 'admin']);

function colourInput(value) {
  return h('input', { type: 'color', value: /^#[0-9a-fA-F]{6}/.test(value || '') ? value.slice(0, 7) : '#1558b0' });
}

/** The dialog that creates a calendar; `onDone()` runs after it is made. */
export function openNewCalendar(onDone) {
  return openDialog('New calendar', (close) => {
    const name = h('input', { type: 'text', required: true, autocomplete: 'off' });
    const colour = colourInput(null);
    const errors = errorBox();
    const form = h('form', { className: 'calendar-form', novalidate: true }, errors,
      field('Name', name), field('Colour', colour),
      h('div', { className: 'buttons' }, h('button', { type: 'submit', className: 'primary' }, 'Create calendar'),
        h('button', { type: 'button', onclick: () => close() }, 'Cancel')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!name.value.trim()) { showError(errors, new Error('Give the calendar a name.')); name.focus(); return; }
      try {
        await api('POST', '/calendars', { body: { name: name.value.trim(), color: colour.value } });
        announce(`Created the calendar “${name.value.trim()}”.`);
        onDone();
        close('created');
      } catch (e) { showError(errors, e); }
    });
    queueMicrotask(() => name.focus());
    return form;
  });
}

/** The dialog that renames, recolours or deletes the user's calendar `cal`. */
export function openEditCalendar(cal, onDone) {
  return openDialog(`Calendar “${cal.name}”`, (close) => {
    const name = h('input', { type: 'text', required: true, autocomplete: 'off', value: cal.name });
    const colour = colourInput(cal.color);
    const errors = errorBox();
    const path = `/calendars/${encodeURIComponent(cal.calendar_id)}`;
    const remove = cal.is_default ? h('p', { className: 'hint' }, 'This is your default calendar: it cannot be deleted.')
      : h('button', { type: 'button', className: 'danger', onclick: async () => {
        const sure = await choose('Delete a calendar', `Delete “${cal.name}” and every event in it? This cannot be undone.`,
          [{ value: false, label: 'Keep it' }, { value: true, label: 'Delete calendar' }]);
        if (!sure) return;
        try {
          await api('DELETE', path);
          announce(`Deleted the calendar “${cal.name}”.`);
          onDone();
          close('deleted');
        } catch (e) { showError(errors, e); }
      } }, 'Delete calendar');
    const form = h('form', { className: 'calendar-form', novalidate: true }, errors,
      field('Name', name), field('Colour', colour),
      h('div', { className: 'buttons' }, h('button', { type: 'submit', className: 'primary' }, 'Save'), remove,
        h('button', { type: 'button', onclick: () => close() }, 'Close')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!name.value.trim()) { showError(errors, new Error('Give the calendar a name.')); name.focus(); return; }
      try {
        await api('PATCH', path, { body: { name: name.value.trim(), color: colour.value } });
        announce(`Saved the calendar “${name.value.trim()}”.`);
        onDone();
        close('saved');
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) { onDone(); }
        showError(errors, e);
      }
    });
    return form;
  });
}

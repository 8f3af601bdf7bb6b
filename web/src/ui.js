// Small DOM helpers: elements, modal dialogs (<dialog>), choices, status
// messages and errors worded for people (issue 28 §6).
import { ApiError, NetworkError } from './api.js';

/** Creates an element: h('button', {type: 'button', onclick}, 'Save'). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'className') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked' || k === 'selected') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let uid = 0;
/** A unique element id. */
export function nextId(prefix = 'k') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form control: label text, then the control (given an id). */
export function field(label, control, hint) {
  control.id = control.id || nextId('f');
  const hintEl = hint ? h('span', { className: 'hint', id: nextId('hint') }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { className: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/** Says `text` in the polite live region (and shows it for a while). */
export function announce(text) {
  const el = document.getElementById('status');
  el.textContent = text;
  el.classList.add('visible');
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => el.classList.remove('visible'), 6000);
}

/**
 * Opens a modal dialog; `build(close)` returns its content. Resolves with
 * the value given to close() (undefined for Escape or the close button).
 */
export function openDialog(title, build, { className } = {}) {
  return new Promise((resolve) => {
    const titleId = nextId('dlg');
    const dlg = h('dialog', { className: `dialog ${className || ''}`, 'aria-labelledby': titleId });
    let result;
    const close = (value) => { result = value; dlg.close(); };
    dlg.addEventListener('close', () => { dlg.remove(); resolve(result); });
    dlg.append(
      h('div', { className: 'dialog-head' },
        h('h2', { id: titleId }, title),
        h('button', { type: 'button', className: 'icon', 'aria-label': 'Close', onclick: () => close(undefined) }, '×')),
      build(close));
    document.body.append(dlg);
    dlg.showModal();
  });
}

/** Asks a question with one button per option [{value, label}]; resolves with the value or undefined. */
export function choose(title, message, options) {
  return openDialog(title, (close) => h('div', { className: 'choice' },
    h('p', {}, message),
    h('div', { className: 'buttons' }, options.map((o, i) =>
      h('button', { type: 'button', className: i === 0 ? 'primary' : '', onclick: () => close(o.value) }, o.label)))));
}

/** Words for an error from the API or the network. */
export function describeError(e) {
  if (e instanceof NetworkError) {
    return 'No connection to the server. Nothing you typed is lost: try again when you are back online.';
  }
  if (e instanceof ApiError) {
    const p = e.problem;
    if (e.status === 412) return 'This event was changed elsewhere since you opened it.';
    if (e.status === 403) {
      return `You are not allowed to do this${p.detail ? ` (${p.detail})` : ''}. ` +
        'In a calendar shared with you, its owner decides whether you may change it.';
    }
    if (e.status === 429) return 'Too many requests at once; wait a moment and try again.';
    if (e.status >= 500) {
      return `The server had a problem (${e.status}). If it keeps happening, report it with request id ${e.requestId || 'unknown'}.`;
    }
    const where = p.field ? ` (${p.field})` : '';
    return `${p.detail || p.title || `Error ${e.status}`}${where}`;
  }
  return String(e?.message || e);
}

/** A message box inside a form, cleared and filled by showError(). */
export function errorBox() {
  return h('div', { className: 'error', role: 'alert' });
}

/** Shows `e` in `box` (worded by describeError); extra buttons may follow. */
export function showError(box, e, ...actions) {
  box.replaceChildren(h('p', {}, describeError(e)), ...actions);
  box.classList.add('visible');
}

// Connecting calendar apps (the CalDAV URLs and the settings Apple Calendar,
// Thunderbird and DAVx⁵ ask for, and a QR code of the server address for
// phones), sharing a calendar (its sharees) and publishing it (its public
// feeds, /api/v1/calendars/{id}/feeds: a secret webcal:// URL shown once).
import { api } from './api.js';
import { announce, errorBox, field, h, openDialog, showError } from './ui.js';

function copyRow(label, value) {
  const input = h('input', { type: 'text', readonly: true, value });
  return h('div', { className: 'copy-row' }, field(label, input),
    h('button', { type: 'button', 'aria-label': `Copy ${label}`, onclick: async () => {
      try { await navigator.clipboard.writeText(value); announce(`Copied ${label}.`); } catch { input.select(); }
    } }, 'Copy'));
}

const SVG = 'http://www.w3.org/2000/svg';

/**
 * A QR code of `text` as an SVG element (one path of dark modules, a quiet
 * zone of 4). The encoder is loaded on first use: most visits never need it.
 */
export async function qrSvg(text, label) {
  const { default: qrcode } = await import('qrcode-generator');
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  let d = '';
  for (let r = 0; r < n; r += 1) {
    for (let c = 0; c < n; c += 1) if (qr.isDark(r, c)) d += `M${c + 4} ${r + 4}h1v1h-1z`;
  }
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${n + 8} ${n + 8}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('shape-rendering', 'crispEdges');
  const bg = document.createElementNS(SVG, 'rect');
  bg.setAttribute('width', String(n + 8));
  bg.setAttribute('height', String(n + 8));
  bg.setAttribute('fill', '#ffffff');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000000');
  svg.append(bg, path);
  return svg;
}

function qrFigure(url, what = 'the server address', caption = 'Scan with a phone to take the server address into its calendar app (DAVx⁵ on Android).') {
  const figure = h('figure', { className: 'qr-figure' }, h('figcaption', { className: 'hint' }, caption));
  qrSvg(url, `QR code of ${what} ${url}`).then((svg) => figure.prepend(svg), () => figure.remove());
  return figure;
}

/** The dialog with the addresses and settings calendar apps need. */
export function openConnect(ctx) {
  const origin = location.origin;
  const user = ctx.me.user;
  const principal = `${origin}/dav/principals/users/${encodeURIComponent(user)}/`;
  const host = location.host;
  return openDialog('Connect calendar apps', () => h('div', { className: 'connect' },
    h('p', {}, 'Your calendars are also reachable with CalDAV. Use your user name and password.'),
    copyRow('Server address (CalDAV)', `${origin}/dav/`),
    qrFigure(`${origin}/dav/`),
    copyRow('Your principal address', principal),
    ...ctx.calendars.map((c) => copyRow(`Address of “${c.name}”`, origin + c.url)),
    h('h3', {}, 'Apple Calendar (macOS, iOS)'),
    h('ol', {}, h('li', {}, 'Add an account → Other → CalDAV account, account type “Advanced” (macOS) or “Add CalDAV Account” (iOS).'),
      h('li', {}, `User name: ${user}; password: yours; server address: ${host}; server path: /dav/principals/users/${user}/; port: ${location.port || (location.protocol === 'https:' ? 443 : 80)}; use SSL: ${location.protocol === 'https:' ? 'yes' : 'no'}.`)),
    h('h3', {}, 'Thunderbird'),
    h('ol', {}, h('li', {}, 'New Calendar → On the network.'),
      h('li', {}, `User name: ${user}; location: ${origin}/dav/ (Thunderbird finds every calendar).`)),
    h('h3', {}, 'DAVx⁵ (Android)'),
    h('ol', {}, h('li', {}, 'Add account → Login with URL and user name.'),
      h('li', {}, `Base URL: ${origin}/dav/; user name: ${user}; password: yours.`)),
    h('p', { className: 'hint' }, 'Apps may also find the server from its address alone: it answers /.well-known/caldav.')));
}

const PERMISSIONS = [['view', 'can view'], ['edit', 'can edit'], ['admin', 'can edit and share'], ['free-busy', 'sees busy times only']];

/** The dialog listing who `cal` is shared with, to add, change and remove sharees. */
export function openShares(ctx, cal) {
  return openDialog(`Share “${cal.name}”`, () => {
    const list = h('ul', { className: 'shares' });
    const errors = errorBox();
    const path = `/calendars/${encodeURIComponent(cal.calendar_id)}/shares`;
    const reload = async () => {
      try {
        const { data } = await api('GET', path);
        list.replaceChildren(...(data.shares.length ? data.shares.map((s) => h('li', {}, `${s.email}: ${labelOf(s.permission)} `,
          h('button', { type: 'button', className: 'link', 'aria-label': `Remove ${s.email}`, onclick: async () => {
            try { await api('DELETE', `${path}/${encodeURIComponent(s.email)}`); announce(`No longer shared with ${s.email}.`); reload(); } catch (e) { showError(errors, e); }
          } }, 'Remove'))) : [h('li', { className: 'hint' }, 'Not shared with anyone.')]));
      } catch (e) { showError(errors, e); }
    };
    const email = h('input', { type: 'email', autocomplete: 'off', required: true });
    const permission = h('select', {}, PERMISSIONS.map(([v, l]) => h('option', { value: v }, l)));
    const form = h('form', {}, field('Share with (address of a user here)', email), field('Permission', permission),
      h('div', { className: 'buttons' }, h('button', { type: 'submit', className: 'primary' }, 'Share')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await api('PUT', path, { body: { email: email.value.trim(), permission: permission.value } });
        announce(`Shared “${cal.name}” with ${email.value.trim()}.`);
        email.value = '';
        reload();
      } catch (e) { showError(errors, e); }
    });
    reload();
    // Public feeds are the owner's (an admin sharee shares, but does not publish).
    return h('div', {}, errors, list, form, cal.permission === 'owner' ? feedsSection(cal) : null);
  });
}

const FEED_FORMS = { full: 'every event', 'free-busy': 'busy times only' };

/**
 * The share dialog's "Public feeds" part: the calendar's feeds (form, date)
 * with Revoke, and buttons that publish a new one. A new feed's secret URL
 * is shown once, with Copy and a QR code, as the API returns it.
 */
function feedsSection(cal) {
  const path = `/calendars/${encodeURIComponent(cal.calendar_id)}/feeds`;
  const list = h('ul', { className: 'feeds' });
  const fresh = h('div', { className: 'feed-new' });
  const errors = errorBox();
  const reload = async () => {
    try {
      const { data } = await api('GET', path);
      list.replaceChildren(...(data.feeds.length ? data.feeds.map((f) => h('li', {},
        `Feed ${f.feed_id} (${FEED_FORMS[f.form] || f.form}), published ${new Date(f.created).toLocaleDateString()} `,
        h('button', { type: 'button', className: 'link', 'aria-label': `Revoke feed ${f.feed_id}`, onclick: async () => {
          try { await api('DELETE', `${path}/${encodeURIComponent(f.feed_id)}`); announce(`Revoked feed ${f.feed_id}: its address no longer works.`); fresh.replaceChildren(); reload(); } catch (e) { showError(errors, e); }
        } }, 'Revoke'))) : [h('li', { className: 'hint' }, 'Not published.')]));
    } catch (e) { showError(errors, e); }
  };
  const publish = (freeBusy) => async () => {
    try {
      const { data } = await api('POST', path, { body: { free_busy: freeBusy } });
      const url = location.origin + data.path;
      const webcal = data.webcal_url || url.replace(/^https?:/, 'webcal:');
      fresh.replaceChildren(
        h('p', {}, `Anyone with this address can subscribe to “${cal.name}” (${FEED_FORMS[data.form]}) without signing in. It is shown only now: copy it, or revoke the feed and publish a new one.`),
        copyRow('Feed address', url),
        copyRow('Subscription address (webcal)', webcal),
        qrFigure(webcal, 'the feed address', 'Scan with a phone to subscribe to this calendar.'));
      announce(`Published “${cal.name}” (${FEED_FORMS[data.form]}).`);
      reload();
    } catch (e) { showError(errors, e); }
  };
  reload();
  return h('section', { className: 'feeds-section', 'aria-label': 'Public feeds' },
    h('h3', {}, 'Public feeds'),
    h('p', { className: 'hint' }, 'A secret, read-only address that calendar apps can subscribe to without an account.'),
    errors, list,
    h('div', { className: 'buttons' },
      h('button', { type: 'button', onclick: publish(false) }, 'Publish all events'),
      h('button', { type: 'button', onclick: publish(true) }, 'Publish busy times only')),
    fresh);
}

function labelOf(p) {
  return (PERMISSIONS.find(([v]) => v === p) || [p, p])[1];
}

// Sessions and API keys: where the account is signed in, and the keys that
// programs use instead of a password.

import { h, fill } from './dom.js';
import { get, post, del } from './api.js';
import { field, alertBox, handleForm, reportError, when, pageHeader, emptyRow, announce, stackTable, secretRow } from './ui.js';

const SCOPES = [
  ['transactions:read', 'Read transactions'], ['transactions:write', 'Make payments'],
  ['rates:read', 'Read exchange rates'], ['profile:read', 'Read the profile'],
  ['webhooks:manage', 'Manage webhooks'],
];

// "Chrome on Linux" from a user agent, roughly; the full string is kept as a title.
function device(ua) {
  if (!ua) return 'Unknown device';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome'
    : /Safari\//.test(ua) ? 'Safari' : /curl\//.test(ua) ? 'curl' : 'A program';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows'
    : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}

function sessionsSection(onSignedOutEverywhere) {
  const alert = alertBox();
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const everywhere = h('button', { type: 'button', class: 'btn btn-danger' }, 'Sign out everywhere');
  const section = h('section', { class: 'card', 'aria-labelledby': 'sessions-title' },
    h('div', { class: 'card-head' }, h('h2', { id: 'sessions-title' }, 'Sessions'), everywhere),
    h('p', { class: 'muted small' }, 'Each sign-in is a session. Ending one signs that device out at once.'),
    alert, body);

  async function load() {
    try {
      const { data } = await get('/api/v1/auth/sessions');
      fill(body, h('div', { class: 'table-wrap' }, stackTable(h('table', { id: 'sessions-table' },
        h('caption', { class: 'sr-only' }, 'Active sessions'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Device'), h('th', { scope: 'col' }, 'Address'),
          h('th', { scope: 'col' }, 'Signed in'), h('th', { scope: 'col' }, 'Last used'),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
        h('tbody', {}, data.length === 0 ? emptyRow(5, 'No sessions.') : data.map((s) => h('tr', {},
          h('td', { title: s.userAgent || '' }, h('div', {}, device(s.userAgent), ' ',
            s.current ? h('span', { class: 'badge badge-accent' }, 'This device') : null)),
          h('td', { class: 'mono small' }, s.ip || '—'),
          h('td', { class: 'small' }, when(s.createdAt)),
          h('td', { class: 'small' }, when(s.lastUsedAt)),
          h('td', {}, s.current ? null : h('button', { type: 'button', class: 'btn btn-small btn-danger',
            onclick: () => revoke(s), 'aria-label': `End the session of ${device(s.userAgent)} from ${when(s.createdAt)}` }, 'End')))))))));
    } catch (err) {
      reportError(null, alert, err);
    }
  }

  async function revoke(s) {
    try {
      await del(`/api/v1/auth/sessions/${encodeURIComponent(s.id)}`);
      announce('Session ended');
      await load();
    } catch (err) {
      reportError(null, alert, err);
    }
  }

  everywhere.addEventListener('click', async () => {
    if (!window.confirm('Sign out of every session, this one included?')) return;
    try {
      await post('/api/v1/auth/logout', { all: true });
      onSignedOutEverywhere();
    } catch (err) {
      reportError(null, alert, err);
    }
  });
  return { section, load };
}

function keysSection() {
  const alert = alertBox();
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const formAlert = alertBox();
  const created = h('div', { class: 'new-key', hidden: true, tabindex: '-1' });
  const form = h('form', { id: 'key-form', novalidate: true },
    h('div', { class: 'grid-2' },
      field({ label: 'Name', name: 'name', required: true, placeholder: 'Accounting export', autocomplete: 'off' }),
      field({ label: 'Expires on', name: 'expiresAt', type: 'date', hint: 'Leave empty for a key that does not expire.' })),
    h('fieldset', { class: 'checks field' }, h('legend', {}, 'Scopes'),
      SCOPES.map(([value, text], i) => h('label', { class: 'check', for: `scope-${i}` },
        h('input', { type: 'checkbox', id: `scope-${i}`, name: 'scopes', value, checked: value === 'transactions:read' }),
        h('span', {}, text, ' ', h('code', { class: 'small muted' }, value))))),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Create key')));
  const section = h('section', { class: 'card', 'aria-labelledby': 'keys-title' },
    h('h2', { id: 'keys-title' }, 'API keys'),
    h('p', { class: 'muted small' }, 'Programs send a key as the X-API-Key header. A key opens only the routes its scopes name, never admin routes.'),
    alert, body,
    h('h3', { class: 'subhead' }, 'Create a key'), formAlert, created, form);

  async function load() {
    try {
      const { data } = await get('/api/v1/api-keys');
      fill(body, h('div', { class: 'table-wrap' }, stackTable(h('table', { id: 'keys-table' },
        h('caption', { class: 'sr-only' }, 'API keys'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Key'),
          h('th', { scope: 'col' }, 'Scopes'), h('th', { scope: 'col' }, 'Last used'), h('th', { scope: 'col' }, 'Expires'),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
        h('tbody', {}, data.length === 0 ? emptyRow(6, 'No API keys.') : data.map((k) => h('tr', {},
          h('td', {}, k.name), h('td', { class: 'mono small' }, `${k.prefix}…`),
          h('td', { class: 'small' }, k.scopes.join(', ')),
          h('td', { class: 'small' }, k.lastUsedAt ? when(k.lastUsedAt) : 'Never'),
          h('td', { class: 'small' }, k.expiresAt ? when(k.expiresAt) : 'Never'),
          h('td', {}, h('button', { type: 'button', class: 'btn btn-small btn-danger', onclick: () => revoke(k),
            'aria-label': `Revoke the key ${k.name}` }, 'Revoke')))))))));
    } catch (err) {
      reportError(null, alert, err);
    }
  }

  async function revoke(k) {
    if (!window.confirm(`Revoke the key "${k.name}"? Programs using it stop working at once.`)) return;
    try {
      await del(`/api/v1/api-keys/${encodeURIComponent(k.id)}`);
      announce(`Key ${k.name} revoked`);
      await load();
    } catch (err) {
      reportError(null, alert, err);
    }
  }

  handleForm(form, formAlert, async (values) => {
    const body = { name: values.name, scopes: values.scopes || [] };
    if (values.expiresAt) body.expiresAt = `${values.expiresAt}T23:59:59Z`;
    const { data } = await post('/api/v1/api-keys', body);
    form.reset();
    fill(created, h('p', {}, h('strong', {}, `Key "${data.name}" created.`), ' Copy it now: it is shown only this once.'),
      secretRow('new-key-value', data.key));
    created.hidden = false;
    created.focus();
    await load();
  });
  return { section, load };
}

async function render(el, ctx) {
  const sessions = sessionsSection(() => ctx.signOutHere());
  const keys = keysSection();
  el.append(pageHeader('Security', 'Where you are signed in, and the keys your programs use.'), sessions.section, keys.section);
  await Promise.all([sessions.load(), keys.load()]);
}

export default { path: 'security', label: 'Security', render };

// Webhooks: the endpoints this account's events are POSTed to, registering
// one (its signing secret is shown once), deleting one, and an endpoint's
// deliveries with every try, any finished one of which can be sent again.

import { h, fill } from './dom.js';
import { get, post, del, query } from './api.js';
import { field, alertBox, showAlert, hideAlert, handleForm, reportError, setFieldError, when, pageHeader,
  emptyRow, announce, stackTable, statusBadge, secretRow } from './ui.js';
import { EVENT_TYPES } from './live.js';

const ALL = '*';
const DELIVERIES_PAGE = 10;

// The event types in the order a person reads them (payments first).
const EVENT_LABELS = {
  'transaction.created': 'A payment is made',
  'transaction.completed': 'A payment completes',
  'transaction.failed': 'A payment fails',
  'bank_account.linked': 'A bank account is linked',
  'recipient.created': 'A recipient is added',
  'merchant.registered': 'A merchant is registered',
  'complaint.created': 'A complaint is filed',
  'password_reset.requested': 'A password reset is asked for',
};
const EVENT_ORDER = [...Object.keys(EVENT_LABELS), ...EVENT_TYPES.filter((t) => !(t in EVENT_LABELS))];

const PRIVATE_NOTE = 'Localhost and private addresses are accepted only when the server runs with '
  + 'WEBHOOK_ALLOW_PRIVATE=1 (for local development).';

function eventsText(events) {
  return events.includes(ALL) ? 'All events' : events.join(', ');
}

function endpointsTable(list, onDeliveries, onDelete) {
  return h('div', { class: 'table-wrap' }, stackTable(h('table', { id: 'webhooks-table' },
    h('caption', { class: 'sr-only' }, 'Webhook endpoints, newest first'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'URL'), h('th', { scope: 'col' }, 'Events'),
      h('th', { scope: 'col' }, 'Registered'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
    h('tbody', {}, list.length === 0 ? emptyRow(4, 'No webhooks yet.') : list.map((w) => h('tr', { 'data-id': w.id },
      h('td', { class: 'url-cell' }, h('div', {}, h('span', { class: 'mono' }, w.url),
        h('span', { class: 'block muted small mono' }, w.id))),
      h('td', { class: 'small' }, eventsText(w.events)),
      h('td', { class: 'small nowrap' }, when(w.createdAt)),
      h('td', {}, h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => onDeliveries(w),
          'aria-label': `Show the deliveries to ${w.url}` }, 'Deliveries'),
        h('button', { type: 'button', class: 'btn btn-small btn-danger', onclick: () => onDelete(w),
          'aria-label': `Delete the webhook to ${w.url}` }, 'Delete')))))))));
}

// A try's time to the second, the day in its title: tries come seconds apart.
function tryTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '—';
  return new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium' }).format(d);
}

function attemptsList(attempts) {
  if (attempts.length === 0) return h('span', { class: 'muted' }, 'Not tried yet');
  return h('ol', { class: 'attempts' }, attempts.map((a) => h('li', {},
    h('span', {}, `#${a.number} `, a.statusCode ? h('strong', {}, `HTTP ${a.statusCode}`) : 'no answer',
      h('span', { class: 'muted', title: when(a.startedAt) }, ` · ${a.durationMs} ms · ${tryTime(a.startedAt)}`)),
    a.error ? h('span', { class: 'field-error' }, a.error) : null)));
}

function deliveriesTable(list, onRedeliver) {
  return h('div', { class: 'table-wrap' }, stackTable(h('table', { id: 'deliveries-table' },
    h('caption', { class: 'sr-only' }, 'Deliveries, newest first'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Made'), h('th', { scope: 'col' }, 'Event'),
      h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Tries'), h('th', { scope: 'col' }, 'Next try'),
      h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
    h('tbody', {}, list.length === 0 ? emptyRow(6, 'Nothing sent yet. Events come within a second of what caused them.')
      : list.map((d) => h('tr', { 'data-id': d.id },
        h('td', { class: 'small nowrap' }, when(d.createdAt)),
        h('td', {}, h('div', {}, d.eventType, h('span', { class: 'block muted small mono' }, d.eventId))),
        h('td', {}, statusBadge(d.status)),
        h('td', { class: 'small' }, attemptsList(d.attempts || [])),
        h('td', { class: 'small nowrap' }, d.nextAttemptAt ? when(d.nextAttemptAt) : '—'),
        h('td', {}, d.status === 'pending' ? null : h('button', { type: 'button', class: 'btn btn-small',
          onclick: () => onRedeliver(d), 'aria-label': `Redeliver ${d.eventType} ${d.eventId}` }, 'Redeliver'))))))));
}

// One endpoint's deliveries, a page at a time; hidden until one is chosen.
function deliveriesSection() {
  const alert = alertBox();
  const intro = h('p', { class: 'muted small' });
  const body = h('div');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of deliveries' });
  const refresh = h('button', { type: 'button', class: 'btn btn-small', id: 'deliveries-refresh' }, 'Refresh');
  const title = h('h2', { id: 'deliveries-title', tabindex: '-1' }, 'Deliveries');
  const section = h('section', { class: 'card', id: 'deliveries', hidden: true, 'aria-labelledby': 'deliveries-title' },
    h('div', { class: 'card-head' }, title, refresh), intro, alert, body, pager);
  let hook = null;
  let page = 1;

  async function load() {
    if (!hook) return;
    const id = encodeURIComponent(hook.id);
    try {
      const res = await get(`/api/v1/webhooks/${id}/deliveries${query({ page, pageSize: DELIVERIES_PAGE })}`);
      const p = res.pagination || {};
      fill(body, deliveriesTable(res.data, redeliver));
      const prev = h('button', { type: 'button', class: 'btn btn-small', disabled: !p.hasPreviousPage }, 'Previous');
      const next = h('button', { type: 'button', class: 'btn btn-small', disabled: !p.hasNextPage }, 'Next');
      prev.addEventListener('click', () => { page -= 1; load(); });
      next.addEventListener('click', () => { page += 1; load(); });
      fill(pager, p.totalPages > 1 ? [prev, h('span', { class: 'small muted' }, `Page ${p.page} of ${p.totalPages}`), next] : null);
    } catch (err) {
      reportError(null, alert, err);
    }
  }

  async function redeliver(d) {
    hideAlert(alert);
    try {
      const { data } = await post(`/api/v1/webhooks/${encodeURIComponent(hook.id)}/deliveries/${encodeURIComponent(d.id)}/redeliver`, {});
      showAlert(alert, 'success', `${d.eventType} queued again as ${data.id}. Refresh to see how it went.`);
      announce(`${d.eventType} queued for redelivery`);
      page = 1;
      await load();
    } catch (err) {
      reportError(null, alert, err);  // 409 while the original is still pending says so
    }
  }

  refresh.addEventListener('click', async () => {
    hideAlert(alert);
    refresh.setAttribute('aria-busy', 'true');
    await load();
    refresh.removeAttribute('aria-busy');
    announce('Deliveries refreshed');
  });

  async function show(w) {
    hook = w;
    page = 1;
    hideAlert(alert);
    fill(title, 'Deliveries');
    fill(intro, 'To ', h('span', { class: 'mono' }, w.url), '. A failed try is retried after about 1 min, 5 min, '
      + '25 min, 2 h and 10 h, then the delivery fails; any 2xx answer delivers it.');
    fill(body, h('p', { class: 'muted' }, 'Loading…'));
    fill(pager);
    section.hidden = false;
    title.focus();
    await load();
  }

  function forget(w) {
    if (!hook || hook.id !== w.id) return;
    hook = null;
    section.hidden = true;
  }
  return { section, show, forget };
}

function registerForm(onCreated) {
  const alert = alertBox();
  const created = h('div', { class: 'new-key', hidden: true, tabindex: '-1', id: 'new-webhook' });
  const specific = EVENT_ORDER.map((type, i) => h('input', { type: 'checkbox', id: `wh-event-${i}`, name: 'events',
    value: type, checked: type.startsWith('transaction.') }));
  const all = h('input', { type: 'checkbox', id: 'wh-event-all', name: 'events', value: ALL });
  all.addEventListener('change', () => { for (const box of specific) box.disabled = all.checked; });
  const form = h('form', { id: 'webhook-form', novalidate: true },
    field({ label: 'URL', name: 'url', required: true, autocomplete: 'off', inputmode: 'url',
      placeholder: 'https://hooks.example.com/cairn',
      hint: 'http:// or https:// (the certificate must chain to a CA the server trusts). Localhost and '
        + 'private addresses are refused unless the server runs with WEBHOOK_ALLOW_PRIVATE=1.' }),
    h('fieldset', { class: 'checks field', id: 'wh-events', 'aria-describedby': 'wh-events-error' },
      h('legend', {}, 'Events'),
      h('label', { class: 'check', for: 'wh-event-all' }, all, h('span', {}, h('strong', {}, 'All events'),
        ' ', h('span', { class: 'small muted' }, '(also those added later)'))),
      specific.map((box) => h('label', { class: 'check', for: box.id }, box,
        h('span', {}, EVENT_LABELS[box.value] || box.value, ' ', h('code', { class: 'small muted' }, box.value)))),
      h('span', { class: 'field-error', id: 'wh-events-error' })),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Register webhook')));

  handleForm(form, alert, async (values) => {
    created.hidden = true;
    const events = values.events || [];
    if (events.length === 0) {
      setFieldError(form, 'events', 'Choose at least one event, or all events.');
      specific[0].focus();
      return;
    }
    let data;
    try {
      ({ data } = await post('/api/v1/webhooks', { url: values.url, events }));
    } catch (err) {
      for (const d of (Array.isArray(err.details) ? err.details : [])) {
        if (d && d.code === 'private_address') d.message = `${String(d.message).replace(/\.$/, '')}. ${PRIVATE_NOTE}`;
      }
      throw err;
    }
    form.reset();
    for (const box of specific) box.disabled = false;
    fill(created,
      h('p', {}, h('strong', {}, `Webhook to ${data.url} registered.`), ' This is its signing secret. ',
        h('strong', {}, 'Copy it now: you will not see it again.')),
      secretRow('new-webhook-secret', data.secret),
      h('p', { class: 'small muted' }, 'Each delivery carries X-Webhook-Signature, the hex HMAC-SHA256 of '
        + 'timestamp + "." + body keyed with this secret, and the Standard Webhooks headers (webhook-id, '
        + 'webhook-timestamp, webhook-signature).'));
    created.hidden = false;
    created.focus();
    announce('Webhook registered; its secret is shown once');
    await onCreated();
  });
  return h('section', { class: 'card', 'aria-labelledby': 'webhook-form-title' },
    h('h2', { id: 'webhook-form-title' }, 'Register a webhook'),
    h('p', { class: 'muted small' }, 'Cairn POSTs each event you choose to your URL as JSON, signed, and tries '
      + 'again for up to a day when it does not answer 2xx. At most 10 webhooks per account.'),
    alert, created, form);
}

async function render(el) {
  const alert = alertBox();
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const deliveries = deliveriesSection();

  async function load() {
    try {
      const { data } = await get('/api/v1/webhooks?pageSize=100');
      fill(body, endpointsTable(data, deliveries.show, remove));
    } catch (err) {
      reportError(null, alert, err);
    }
  }

  async function remove(w) {
    if (!window.confirm(`Delete the webhook to ${w.url}? Nothing more is sent to it, and its pending deliveries fail.`)) return;
    hideAlert(alert);
    try {
      await del(`/api/v1/webhooks/${encodeURIComponent(w.id)}`);
      deliveries.forget(w);
      announce(`Webhook to ${w.url} deleted`);
      await load();
    } catch (err) {
      reportError(null, alert, err);
    }
  }

  el.append(pageHeader('Webhooks', 'Your programs hear of payments and other events as they happen.'),
    h('section', { class: 'card', 'aria-labelledby': 'webhooks-title' },
      h('h2', { id: 'webhooks-title' }, 'Your webhooks'), alert, body),
    deliveries.section,
    registerForm(load));
  await load();
}

export default { path: 'webhooks', label: 'Webhooks', render };

// The first page after signing in: balance, accounts, this month, recent
// payments, and what to do next. Live: a payment's events (or a new
// account's) read the figures again.

import { h, fill } from './dom.js';
import { get } from './api.js';
import { money, when, statusBadge, pageHeader, alertBox, reportError, hideAlert, coalesce } from './ui.js';
import { counterparty } from './view-history.js';

function stat(label, value, note) {
  return h('div', { class: 'stat card' },
    h('p', { class: 'stat-label' }, label),
    h('p', { class: 'stat-value' }, value),
    note ? h('p', { class: 'stat-note muted small' }, note) : null);
}

async function render(el, ctx) {
  const alert = alertBox();
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  el.append(pageHeader(`Welcome, ${ctx.me.firstName}`, 'Your sandbox accounts and payments at a glance.'), alert, body);
  const refresh = coalesce(() => draw(body, alert, Promise.resolve(ctx.me)));
  ctx.onEvent((type) => {
    if (type === 'resync' || type.startsWith('transaction.') || type === 'bank_account.linked') refresh();
  });
  // The identity check may have been decided since sign-in.
  await draw(body, alert, ctx.reloadMe());
}

async function draw(body, alert, whoever) {
  let me;
  let accounts;
  let summary;
  let recent;
  try {
    [me, accounts, summary, recent] = await Promise.all([
      whoever,
      get('/api/v1/bank-accounts?pageSize=100'),
      get('/api/v1/transactions/summary'),
      get('/api/v1/transactions?pageSize=5'),
    ]);
  } catch (err) {
    fill(body);
    reportError(null, alert, err);
    return;
  }
  hideAlert(alert);
  const list = accounts.data;
  const total = list.reduce((sum, a) => sum + Math.round(a.balance * 100), 0) / 100;
  const month = summary.data.thisMonth;
  const notices = [];
  if (me.kycStatus !== 'approved') {
    notices.push(h('div', { class: 'alert alert-warning', role: 'note' },
      h('strong', {}, 'Identity check: '), me.kycStatus === 'rejected'
        ? 'rejected. Transfers abroad are not available; QR payments still work.'
        : 'pending. Transfers abroad become available once an administrator approves it; QR payments work now.'));
  }
  if (list.length === 0) {
    notices.push(h('div', { class: 'alert' }, 'You have no bank account linked yet. ',
      h('a', { href: '#/accounts' }, 'Link a sandbox account'), ' to start paying.'));
  }
  fill(body,
    notices,
    h('div', { class: 'stats' },
      stat('Total balance', money(total), `${list.length} account${list.length === 1 ? '' : 's'}`),
      stat('Sent abroad this month', money(month.totalSent), `${month.remittanceCount} transfer${month.remittanceCount === 1 ? '' : 's'}`),
      stat('Paid to merchants this month', money(month.totalPaid), `${month.qrPaymentCount} payment${month.qrPaymentCount === 1 ? '' : 's'}`)),
    h('section', { class: 'card', 'aria-labelledby': 'recent-title' },
      h('div', { class: 'card-head' }, h('h2', { id: 'recent-title' }, 'Recent activity'),
        h('a', { href: '#/history' }, 'All transactions')),
      recent.data.length === 0
        ? h('p', { class: 'muted' }, 'No payments yet. ', h('a', { href: '#/pay' }, 'Make your first payment'), '.')
        : h('ul', { class: 'activity' }, recent.data.map((t) => h('li', {},
          h('div', { class: 'activity-main' }, h('span', { class: 'activity-name' }, counterparty(t)),
            h('span', { class: 'muted small' }, when(t.createdAt))),
          h('div', { class: 'activity-side' }, h('span', { class: 'num' }, money(t.amount)), statusBadge(t.status)))))),
    h('section', { class: 'card', 'aria-labelledby': 'profile-title' },
      h('h2', { id: 'profile-title' }, 'Your profile'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Name'), h('dd', {}, `${me.firstName} ${me.lastName}`),
        h('dt', {}, 'Email'), h('dd', {}, me.email),
        h('dt', {}, 'Role'), h('dd', {}, me.role),
        h('dt', {}, 'Identity check'), h('dd', {}, statusBadge(me.kycStatus)),
        h('dt', {}, 'Member since'), h('dd', {}, when(me.createdAt)))));
}

export default { path: 'overview', label: 'Overview', render };

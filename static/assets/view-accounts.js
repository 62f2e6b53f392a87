// Bank accounts: the linked sandbox accounts with their balances, and
// linking a new one. Live: a payment's events read the balances again.

import { h, fill } from './dom.js';
import { get, post, newIdempotencyKey } from './api.js';
import { field, alertBox, showAlert, handleForm, reportError, parseAmount, setFieldError, money, when,
  pageHeader, emptyRow, announce, stackTable, coalesce } from './ui.js';

function accountsTable(list, onAction) {
  return h('div', { class: 'table-wrap' }, stackTable(h('table', { id: 'accounts-table' },
    h('caption', { class: 'sr-only' }, 'Linked bank accounts'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Bank'), h('th', { scope: 'col' }, 'Account number'),
      h('th', { scope: 'col', class: 'num' }, 'Balance'), h('th', { scope: 'col' }, 'Balance read'),
      h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
    h('tbody', {}, list.length === 0 ? emptyRow(5, 'No accounts linked yet.') : list.map((a) => h('tr', {},
      h('td', {}, h('div', {}, a.bankName, a.isPrimary ? h('span', { class: 'badge badge-accent primary-badge' }, 'Primary') : null)),
      h('td', { class: 'mono' }, a.accountNumber),
      h('td', { class: 'num' }, money(a.balance, a.currency)),
      h('td', { class: 'small muted' }, when(a.balanceRefreshedAt)),
      h('td', {}, h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => onAction('refresh', a),
          'aria-label': `Refresh the balance of ${a.bankName} ${a.accountNumber}` }, 'Refresh'),
        a.isPrimary ? null : h('button', { type: 'button', class: 'btn btn-small', onclick: () => onAction('primary', a),
          'aria-label': `Make ${a.bankName} ${a.accountNumber} the primary account` }, 'Make primary')))))))));
}

async function render(el, ctx) {
  const listAlert = alertBox();
  const listBody = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const formAlert = alertBox();
  const form = h('form', { id: 'link-form', novalidate: true },
    h('div', { class: 'grid-2' },
      field({ label: 'Bank name', name: 'bankName', required: true, placeholder: 'DNB' }),
      field({ label: 'Opening balance (NOK)', name: 'initialBalance', inputmode: 'decimal', placeholder: '50000',
        hint: 'Play money the sandbox bank starts the account with; 50,000 when left empty.' })),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Link account')));

  el.append(pageHeader('Bank accounts', 'Accounts at the built-in sandbox bank. Payments come from the primary account unless you choose another.'),
    h('section', { class: 'card', 'aria-labelledby': 'accounts-title' },
      h('h2', { id: 'accounts-title' }, 'Linked accounts'), listAlert, listBody),
    h('section', { class: 'card', 'aria-labelledby': 'link-title' },
      h('h2', { id: 'link-title' }, 'Link a sandbox account'), formAlert, form));

  async function load() {
    try {
      const { data } = await get('/api/v1/bank-accounts?pageSize=100');
      fill(listBody, accountsTable(data, act));
    } catch (err) {
      reportError(null, listAlert, err);
    }
  }

  const reload = coalesce(load);
  ctx.onEvent((type) => {
    if (type === 'resync' || type.startsWith('transaction.') || type === 'bank_account.linked') reload();
  });

  async function act(kind, account) {
    try {
      await post(`/api/v1/bank-accounts/${encodeURIComponent(account.id)}/${kind}`, {});
      announce(kind === 'refresh' ? `Balance of ${account.bankName} refreshed` : `${account.bankName} is now the primary account`);
      await load();
    } catch (err) {
      reportError(null, listAlert, err);
    }
  }

  // One key per account the person means to link: a retry after a lost
  // answer replays the first link instead of opening a second account.
  let key = newIdempotencyKey();
  handleForm(form, formAlert, async (values) => {
    const body = { bankName: values.bankName, currency: 'NOK' };
    if (values.initialBalance) {
      const amount = parseAmount(values.initialBalance);
      if (amount === null) {
        setFieldError(form, 'initialBalance', 'Enter an amount such as 50000 or 1250.50.');
        form.elements.namedItem('initialBalance').focus();
        return;
      }
      body.initialBalance = amount;
    }
    const { data } = await post('/api/v1/bank-accounts', body, { idempotencyKey: key });
    key = newIdempotencyKey();
    form.reset();
    showAlert(formAlert, 'success', `Linked ${data.bankName} ${data.accountNumber} with ${money(data.balance, data.currency)}.`);
    announce(`Linked ${data.bankName} account`);
    await load();
  });
  await load();
}

export default { path: 'accounts', label: 'Bank accounts', render };

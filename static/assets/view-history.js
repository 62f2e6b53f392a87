// The transaction history, a page at a time, with type and status filters.
// Live: a payment's status changes in its row as its event arrives, and a
// new payment brings its page back (first page only: a later page stays
// where the person left it).

import { h, fill } from './dom.js';
import { get, query } from './api.js';
import { field, alertBox, reportError, money, when, statusBadge, pageHeader, emptyRow, stackTable, coalesce } from './ui.js';

const PAGE_SIZE = 10;

export function counterparty(t) {
  if (t.type === 'remittance') return `To ${t.recipientName || 'a recipient'}`;
  return `${t.merchantName || 'A merchant'} (QR)`;
}

function historyTable(list) {
  return h('div', { class: 'table-wrap' }, stackTable(h('table', { id: 'history-table' },
    h('caption', { class: 'sr-only' }, 'Transactions, newest first'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'Payee'), h('th', { scope: 'col' }, 'Status'),
      h('th', { scope: 'col', class: 'num' }, 'Amount'), h('th', { scope: 'col', class: 'num' }, 'Fee'),
      h('th', { scope: 'col', class: 'num' }, 'Total'))),
    h('tbody', {}, list.length === 0 ? emptyRow(6, 'No transactions match.') : list.map((t) => h('tr', { 'data-id': t.id },
      h('td', { class: 'nowrap' }, when(t.createdAt)),
      h('td', {}, h('div', {}, counterparty(t), h('span', { class: 'block muted small mono' }, t.id))),
      h('td', { class: 'tx-status' }, statusBadge(t.status)),
      h('td', { class: 'num' }, money(t.amount, t.currency)),
      h('td', { class: 'num' }, money(t.fee, t.currency)),
      h('td', { class: 'num' }, money(t.total, t.currency))))))));
}

async function render(el, ctx) {
  const alert = alertBox();
  const results = h('div');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of transactions' });
  const filters = h('form', { id: 'history-filters', class: 'filters', novalidate: true },
    field({ label: 'Type', name: 'type', plain: true, value: '', options: [['', 'All types'], ['remittance', 'Transfers abroad'], ['qr_payment', 'QR payments']] }),
    field({ label: 'Status', name: 'status', plain: true, value: '', options: [['', 'Any status'], ['completed', 'Completed'], ['processing', 'Processing'], ['failed', 'Failed']] }),
    h('div', { class: 'field filters-submit' }, h('button', { class: 'btn', type: 'submit' }, 'Apply filters')));
  el.append(pageHeader('Transactions', 'Everything you have paid, newest first.'),
    h('section', { class: 'card', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title', class: 'sr-only' }, 'Transaction list'),
      filters, alert, results, pager));

  let page = 1;
  const changed = new Set();  // ids to mark once the next load draws them
  async function load() {
    const type = filters.elements.namedItem('type').value;
    const status = filters.elements.namedItem('status').value;
    try {
      const res = await get(`/api/v1/transactions${query({ page, pageSize: PAGE_SIZE, type, status })}`);
      const p = res.pagination || {};
      fill(results, historyTable(res.data));
      for (const id of changed) {
        const row = results.querySelector(`tr[data-id="${CSS.escape(id)}"]`);
        if (row) row.classList.add('row-changed');
      }
      changed.clear();
      const prev = h('button', { type: 'button', class: 'btn btn-small', disabled: !p.hasPreviousPage }, 'Previous');
      const next = h('button', { type: 'button', class: 'btn btn-small', disabled: !p.hasNextPage }, 'Next');
      prev.addEventListener('click', () => { page -= 1; load(); });
      next.addEventListener('click', () => { page += 1; load(); });
      const total = p.total ?? res.data.length;
      fill(pager, prev, h('span', { class: 'small muted' },
        `Page ${p.page || page} of ${Math.max(1, p.totalPages || 1)} · ${total} transaction${total === 1 ? '' : 's'}`), next);
    } catch (err) {
      reportError(null, alert, err);
    }
  }
  filters.addEventListener('submit', (e) => { e.preventDefault(); page = 1; load(); });

  const reload = coalesce(load);
  ctx.onEvent((type, tx) => {
    if (type === 'resync') { reload(); return; }
    if (!type.startsWith('transaction.') || !tx || !tx.id) return;
    const row = results.querySelector(`tr[data-id="${CSS.escape(tx.id)}"]`);
    const wanted = filters.elements.namedItem('status').value;
    if (row && (!wanted || wanted === tx.status)) {
      const cell = row.querySelector('.tx-status');
      if (cell.textContent !== tx.status) {
        fill(cell, statusBadge(tx.status));
        row.classList.remove('row-changed');
        void row.offsetWidth;  // restarts the highlight
        row.classList.add('row-changed');
      }
    } else if (row || page === 1) {
      changed.add(tx.id);
      reload();
    }
  });
  await load();
}

export default { path: 'history', label: 'Transactions', render };

// Administration (role admin): the accounts, and identity-check decisions.
// The server checks the role on every admin route; this page is only shown
// to admins so that others are not offered what they cannot do.

import { h, fill } from './dom.js';
import { get, patch, query } from './api.js';
import { field, alertBox, reportError, when, statusBadge, pageHeader, emptyRow, announce, stackTable } from './ui.js';

const PAGE_SIZE = 20;

async function render(el) {
  const alert = alertBox();
  const results = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of users' });
  const filters = h('form', { id: 'users-filters', class: 'filters', role: 'search', novalidate: true },
    field({ label: 'Search', name: 'search', plain: true, type: 'search', placeholder: 'Name or email', autocomplete: 'off' }),
    field({ label: 'Role', name: 'role', plain: true, value: '', options: [['', 'Any role'], ['user', 'User'], ['merchant', 'Merchant'], ['admin', 'Admin']] }),
    h('div', { class: 'field filters-submit' }, h('button', { class: 'btn', type: 'submit' }, 'Search')));
  el.append(pageHeader('Users', 'Accounts on this server. Approve an identity check to open transfers abroad for that person.'),
    h('section', { class: 'card', 'aria-labelledby': 'users-title' },
      h('h2', { id: 'users-title', class: 'sr-only' }, 'Accounts'), filters, alert, results, pager));

  let page = 1;

  async function decide(user, kycStatus) {
    try {
      await patch(`/api/v1/users/${encodeURIComponent(user.id)}`, { kycStatus });
      announce(`Identity check of ${user.firstName} ${user.lastName}: ${kycStatus}`);
      await load();
    } catch (err) {
      reportError(null, alert, err);
    }
  }

  function kycActions(u) {
    if (u.status === 'deleted') return null;
    const name = `${u.firstName} ${u.lastName}`;
    return h('div', { class: 'actions' },
      u.kycStatus === 'approved' ? null : h('button', { type: 'button', class: 'btn btn-small', onclick: () => decide(u, 'approved'),
        'aria-label': `Approve the identity check of ${name}` }, 'Approve'),
      u.kycStatus === 'rejected' ? null : h('button', { type: 'button', class: 'btn btn-small btn-danger', onclick: () => decide(u, 'rejected'),
        'aria-label': `Reject the identity check of ${name}` }, 'Reject'));
  }

  async function load() {
    const search = filters.elements.namedItem('search').value.trim();
    const role = filters.elements.namedItem('role').value;
    try {
      const res = await get(`/api/v1/users${query({ page, pageSize: PAGE_SIZE, search: search.length >= 2 ? search : '', role })}`);
      fill(results, h('div', { class: 'table-wrap' }, stackTable(h('table', { id: 'users-table' },
        h('caption', { class: 'sr-only' }, 'Accounts, newest first'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Role'),
          h('th', { scope: 'col' }, 'Identity check'), h('th', { scope: 'col' }, 'Joined'),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Decision')))),
        h('tbody', {}, res.data.length === 0 ? emptyRow(5, 'No accounts match.') : res.data.map((u) => h('tr', { 'data-id': u.id },
          h('td', {}, h('div', {}, `${u.firstName} ${u.lastName}`, h('span', { class: 'block muted small' }, u.email),
            u.status === 'deleted' ? statusBadge('deleted') : null)),
          h('td', {}, u.role),
          h('td', {}, statusBadge(u.kycStatus)),
          h('td', { class: 'small' }, when(u.createdAt)),
          h('td', {}, kycActions(u)))))))));
      const p = res.pagination || {};
      const prev = h('button', { type: 'button', class: 'btn btn-small', disabled: !p.hasPreviousPage }, 'Previous');
      const next = h('button', { type: 'button', class: 'btn btn-small', disabled: !p.hasNextPage }, 'Next');
      prev.addEventListener('click', () => { page -= 1; load(); });
      next.addEventListener('click', () => { page += 1; load(); });
      fill(pager, prev, h('span', { class: 'small muted' }, `Page ${p.page || page} of ${Math.max(1, p.totalPages || 1)}`), next);
    } catch (err) {
      reportError(null, alert, err);
    }
  }
  filters.addEventListener('submit', (e) => { e.preventDefault(); page = 1; load(); });
  await load();
}

export default { path: 'admin', label: 'Users', adminOnly: true, render };

// Recipients abroad: the list, adding one, removing one.

import { h, fill } from './dom.js';
import { get, post, del } from './api.js';
import { field, alertBox, showAlert, handleForm, reportError, when, pageHeader, emptyRow, announce, stackTable } from './ui.js';

// The countries the sandbox sends to, with the currency each receives.
export const COUNTRIES = [
  ['RS', 'Serbia', 'RSD'], ['BA', 'Bosnia and Herzegovina', 'BAM'], ['PL', 'Poland', 'PLN'],
  ['PK', 'Pakistan', 'PKR'], ['TR', 'Turkey', 'TRY'],
];

function recipientsTable(list, onDelete) {
  return h('div', { class: 'table-wrap' }, stackTable(h('table', { id: 'recipients-table' },
    h('caption', { class: 'sr-only' }, 'Recipients'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Country'),
      h('th', { scope: 'col' }, 'Account'), h('th', { scope: 'col' }, 'Added'),
      h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
    h('tbody', {}, list.length === 0 ? emptyRow(5, 'No recipients yet.') : list.map((r) => h('tr', {},
      h('td', {}, h('div', {}, r.name, r.bankName ? h('span', { class: 'muted small block' }, r.bankName) : null)),
      h('td', {}, `${r.countryName} (${r.currency})`),
      h('td', { class: 'mono' }, r.bankAccount),
      h('td', { class: 'small muted' }, when(r.createdAt)),
      h('td', {}, h('button', { type: 'button', class: 'btn btn-small btn-danger', onclick: () => onDelete(r),
        'aria-label': `Remove ${r.name}` }, 'Remove'))))))));
}

async function render(el) {
  const listAlert = alertBox();
  const listBody = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const formAlert = alertBox();
  const currency = h('output', { id: 'recipient-currency', class: 'badge', 'aria-live': 'polite' }, 'RSD');
  const form = h('form', { id: 'recipient-form', novalidate: true },
    field({ label: 'Full name', name: 'name', required: true, autocomplete: 'off' }),
    h('div', { class: 'grid-2' },
      field({ label: 'Country', name: 'country', required: true, value: 'RS',
        options: COUNTRIES.map(([code, name]) => [code, name]) }),
      field({ label: 'Bank', name: 'bankName', placeholder: 'Banca Intesa' })),
    field({ label: 'Account number or IBAN', name: 'bankAccount', required: true, autocomplete: 'off',
      placeholder: 'RS35 2600 0560 1001 6113 79',
      hint: "The country's IBAN; for Serbia and Bosnia the domestic number works too. Spaces are fine." }),
    h('p', { class: 'small' }, 'They receive ', currency, '.'),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Add recipient')));
  const country = form.elements.namedItem('country');
  country.addEventListener('change', () => {
    currency.textContent = COUNTRIES.find(([code]) => code === country.value)[2];
  });

  el.append(pageHeader('Recipients', 'People abroad you send money to.'),
    h('section', { class: 'card', 'aria-labelledby': 'recipients-title' },
      h('h2', { id: 'recipients-title' }, 'Your recipients'), listAlert, listBody),
    h('section', { class: 'card', 'aria-labelledby': 'add-recipient-title' },
      h('h2', { id: 'add-recipient-title' }, 'Add a recipient'), formAlert, form));

  async function load() {
    try {
      const { data } = await get('/api/v1/recipients?pageSize=100');
      fill(listBody, recipientsTable(data, remove));
    } catch (err) {
      reportError(null, listAlert, err);
    }
  }

  async function remove(r) {
    if (!window.confirm(`Remove ${r.name}? Past transfers keep their name.`)) return;
    try {
      await del(`/api/v1/recipients/${encodeURIComponent(r.id)}`);
      announce(`${r.name} removed`);
      await load();
    } catch (err) {
      reportError(null, listAlert, err);
    }
  }

  handleForm(form, formAlert, async (values) => {
    const cur = COUNTRIES.find(([code]) => code === values.country);
    const body = { name: values.name, country: values.country, currency: cur ? cur[2] : '',
      bankAccount: values.bankAccount };
    if (values.bankName) body.bankName = values.bankName;
    const { data } = await post('/api/v1/recipients', body);
    form.reset();
    currency.textContent = 'RSD';
    showAlert(formAlert, 'success', `Added ${data.name} (${data.countryName}).`);
    announce(`Recipient ${data.name} added`);
    await load();
  });
  await load();
}

export default { path: 'recipients', label: 'Recipients', render };

// Paying: a transfer abroad (remittance) or a merchant by QR code. Each
// goes in two steps: the fee disclosure (POST /transactions/disclosure,
// which changes nothing), then the payment itself with an Idempotency-Key
// made when the disclosure was shown, so a retried confirmation can never
// pay twice.

import { h, fill } from './dom.js';
import { get, post, newIdempotencyKey } from './api.js';
import { field, alertBox, showAlert, hideAlert, handleForm, reportError, parseAmount, setFieldError,
  money, pageHeader, announce } from './ui.js';

function quoteFacts(q) {
  const rows = [
    ['Amount', money(q.amount)],
    [`Fee (${q.feePercentage} %)`, money(q.fee)],
    ['Total debited', h('strong', {}, money(q.totalCost))],
  ];
  if (q.receiveCurrency) {
    rows.push(['Exchange rate', `1 NOK = ${q.exchangeRate} ${q.receiveCurrency}`]);
    rows.push(['Recipient receives', h('strong', {}, money(q.receiveAmount, q.receiveCurrency))]);
  }
  rows.push(['Delivery', q.estimatedDelivery]);
  return h('dl', { class: 'facts quote-facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// The shared two-step flow of a payment form. quoteBody(values) and
// payBody(values) build the two requests, or return null after marking a
// field; done(tx) reports the payment.
function paymentFlow({ form, alert, kind, path, quoteBody, payBody, done }) {
  const review = h('div', { class: 'quote', hidden: true, tabindex: '-1', 'aria-labelledby': `${kind}-quote-title` });
  form.after(review);
  let pending = null;  // {values, key} of the disclosure on screen

  function reset() {
    pending = null;
    review.hidden = true;
    fill(review);
  }
  form.addEventListener('input', () => { if (pending) reset(); });

  async function confirm(button) {
    const { values, key } = pending;
    button.disabled = true;
    hideAlert(alert);
    try {
      const { data } = await post(path, payBody(values), { idempotencyKey: key });
      reset();
      form.reset();
      done(data);
    } catch (err) {
      reportError(form, alert, err);
    } finally {
      button.disabled = false;
    }
  }

  handleForm(form, alert, async (values) => {
    reset();
    const body = quoteBody(values);
    if (!body) return;
    const { data } = await post('/api/v1/transactions/disclosure', body);
    pending = { values, key: newIdempotencyKey() };
    const pay = h('button', { type: 'button', class: 'btn btn-primary', id: `${kind}-confirm` }, 'Confirm and pay');
    pay.addEventListener('click', () => confirm(pay));
    fill(review,
      h('h3', { id: `${kind}-quote-title` }, 'Before you pay'),
      quoteFacts(data),
      h('div', { class: 'actions' }, pay,
        h('button', { type: 'button', class: 'btn', onclick: () => { reset(); form.elements[0].focus(); } }, 'Change')));
    review.hidden = false;
    review.focus();
  });
}

function amountOf(form, values) {
  const amount = parseAmount(values.amount);
  if (amount === null) {
    setFieldError(form, 'amount', 'Enter an amount in NOK with at most two decimals, such as 250 or 99.50.');
    form.elements.namedItem('amount').focus();
  }
  return amount;
}

function paidNotice(alert, tx) {
  const to = tx.recipientName || tx.merchantName || 'the payee';
  const amount = tx.type === 'remittance' ? tx.sendAmount : tx.amount;
  showAlert(alert, 'success', `Paid ${money(amount)} to ${to} (total ${money(tx.total)}). Status: ${tx.status}. `,
    h('a', { href: '#/history' }, 'See it in your history'), '.');
  alert.setAttribute('tabindex', '-1');
  alert.focus();
  announce(`Payment to ${to}: ${tx.status}`);
}

function remittanceCard(recipients, accounts, me) {
  const alert = alertBox();
  const primary = accounts.find((a) => a.isPrimary);
  const form = h('form', { id: 'remit-form', novalidate: true },
    field({ label: 'Recipient', name: 'recipientId', required: true,
      options: recipients.map((r) => [r.id, `${r.name}, ${r.countryName} (${r.currency})`]) }),
    h('div', { class: 'grid-2' },
      field({ label: 'Amount (NOK)', name: 'amount', required: true, inputmode: 'decimal', placeholder: '1000',
        hint: 'From 100 to 50,000 NOK. Fee 0.5 %.' }),
      field({ label: 'From account', name: 'bankAccountId', required: true, value: primary ? primary.id : '',
        options: accounts.map((a) => [a.id, `${a.bankName} ${a.accountNumber} (${money(a.balance)})`]) })),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Review transfer')));
  const card = h('section', { class: 'card', 'aria-labelledby': 'remit-title' },
    h('h2', { id: 'remit-title' }, 'Send money abroad'));
  if (me.kycStatus !== 'approved') {
    card.append(h('p', { class: 'alert alert-warning' },
      'Transfers abroad need an approved identity check, and yours is ', h('strong', {}, me.kycStatus),
      '. An administrator decides it; QR payments below work meanwhile.'));
  }
  if (recipients.length === 0) {
    card.append(h('p', {}, 'Add a recipient first: ', h('a', { href: '#/recipients' }, 'Recipients'), '.'));
    return card;
  }
  card.append(alert, form);
  paymentFlow({
    form, alert, kind: 'remit', path: '/api/v1/transactions/remittance',
    quoteBody: (v) => {
      const amount = amountOf(form, v);
      return amount === null ? null : { type: 'remittance', amount, currency: 'NOK', recipientId: v.recipientId };
    },
    payBody: (v) => ({ recipientId: v.recipientId, amount: parseAmount(v.amount), currency: 'NOK',
      bankAccountId: v.bankAccountId }),
    done: (tx) => paidNotice(alert, tx),
  });
  return card;
}

// "cairn://pay/mer_…" (what the merchant's QR code holds) or the bare id.
function merchantIdOf(text) {
  const m = /^(?:cairn:\/\/pay\/)?(\S+)$/.exec(String(text).trim());
  return m ? m[1] : '';
}

function qrCard() {
  const alert = alertBox();
  const form = h('form', { id: 'qr-form', novalidate: true },
    h('div', { class: 'grid-2' },
      field({ label: 'Merchant', name: 'merchantId', required: true, autocomplete: 'off', placeholder: 'mer_… or cairn://pay/mer_…',
        hint: "The merchant's id, or the text of their QR code." }),
      field({ label: 'Amount (NOK)', name: 'amount', required: true, inputmode: 'decimal', placeholder: '250',
        hint: 'From 1 to 100,000 NOK. Fee 1 %.' })),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Review payment')));
  const card = h('section', { class: 'card', 'aria-labelledby': 'qr-title' },
    h('h2', { id: 'qr-title' }, 'Pay a merchant'),
    h('p', { class: 'muted small' }, 'A QR payment completes at once, from your primary account.'),
    alert, form);
  paymentFlow({
    form, alert, kind: 'qr', path: '/api/v1/transactions/qr-payment',
    quoteBody: (v) => {
      if (!merchantIdOf(v.merchantId)) {
        setFieldError(form, 'merchantId', 'Enter the merchant id from their QR code.');
        form.elements.namedItem('merchantId').focus();
        return null;
      }
      const amount = amountOf(form, v);
      return amount === null ? null : { type: 'qr_payment', amount, currency: 'NOK' };
    },
    payBody: (v) => ({ merchantId: merchantIdOf(v.merchantId), amount: parseAmount(v.amount) }),
    done: (tx) => paidNotice(alert, tx),
  });
  return card;
}

async function render(el, ctx) {
  const alert = alertBox();
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  el.append(pageHeader('Pay', 'Every payment shows its fee and total before you confirm it.'), alert, body);
  let recipients;
  let accounts;
  let me;
  try {
    [recipients, accounts, me] = await Promise.all([
      get('/api/v1/recipients?pageSize=100'), get('/api/v1/bank-accounts?pageSize=100'), ctx.reloadMe()]);
  } catch (err) {
    fill(body);
    reportError(null, alert, err);
    return;
  }
  if (accounts.data.length === 0) {
    fill(body, h('div', { class: 'card' }, h('p', {}, 'Link a bank account to pay from: ',
      h('a', { href: '#/accounts' }, 'Bank accounts'), '.')));
    return;
  }
  fill(body, remittanceCard(recipients.data, accounts.data, me), qrCard());
}

export default { path: 'pay', label: 'Pay', render };

// The console's building blocks: labelled fields whose errors sit next to
// them, a form runner that shows the API's error message and field details,
// formatting of money and times, and the polite status announcer.

import { h, fill } from './dom.js';
import { ApiError } from './api.js';

let fieldSeq = 0;

// A labelled input (or select when options are given) with a hint and an
// error slot, both tied to it by aria-describedby. name is the API field.
// plain: no "(optional)" mark, for filters where every field is optional.
export function field({ label, name, type = 'text', required = false, hint = '', options = null,
  value = '', autocomplete = null, inputmode = null, placeholder = null, id = null, plain = false }) {
  const fid = id || `f-${name}-${++fieldSeq}`;
  const hintId = `${fid}-hint`;
  const errorId = `${fid}-error`;
  const described = [hint ? hintId : null, errorId].filter(Boolean).join(' ');
  const control = options
    ? h('select', { id: fid, name, required, 'aria-describedby': described },
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)))
    : h('input', { id: fid, name, type, required, value, autocomplete, inputmode, placeholder,
      'aria-describedby': described });
  return h('div', { class: 'field' },
    h('label', { for: fid }, label, required || plain ? null : h('span', { class: 'muted small' }, ' (optional)')),
    control,
    hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
    h('span', { class: 'field-error', id: errorId }));
}

export function alertBox() {
  return h('div', { class: 'alert', role: 'alert', hidden: true });
}

export function showAlert(box, kind, ...content) {
  box.className = `alert alert-${kind}`;
  fill(box, ...content);
  box.hidden = false;
}

export function hideAlert(box) {
  box.hidden = true;
  fill(box);
}

function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
}

// The control named name; for a group of checkboxes sharing the name, the
// fieldset around them (its error slot is ${fieldset.id}-error).
function controlOf(form, name) {
  const control = form.elements.namedItem(name);
  if (control instanceof RadioNodeList) return control[0] ? control[0].closest('fieldset') : null;
  return control;
}

// Where focus goes for a field in error: the control, or a group's first box.
function focusTarget(form, name) {
  const control = form.elements.namedItem(name);
  return control instanceof RadioNodeList ? control[0] : control;
}

// Puts message next to the control named name; false when there is none.
export function setFieldError(form, name, message) {
  const control = controlOf(form, name);
  if (!control || !control.id) return false;
  control.setAttribute('aria-invalid', 'true');
  const slot = document.getElementById(`${control.id}-error`);
  if (slot) slot.textContent = message;
  return true;
}

// The form's values by name (checkbox groups as arrays of checked values).
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') {
      if (!Array.isArray(out[el.name])) out[el.name] = [];
      if (el.checked) out[el.name].push(el.value);
    } else {
      out[el.name] = el.value.trim();
    }
  }
  return out;
}

// Runs onSubmit(values) when the form is submitted, with the submit button
// busy meanwhile. An ApiError's field details go next to their fields, its
// message into alert; focus moves to the first field in error, or the alert.
export function handleForm(form, alert, onSubmit) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    hideAlert(alert);
    const button = form.querySelector('button[type="submit"]');
    if (button) { button.disabled = true; button.setAttribute('aria-busy', 'true'); }
    try {
      await onSubmit(formValues(form));
    } catch (err) {
      reportError(form, alert, err);
    } finally {
      if (button) { button.disabled = false; button.removeAttribute('aria-busy'); }
    }
  });
}

export function reportError(form, alert, err) {
  if (!(err instanceof ApiError)) {
    showAlert(alert, 'error', err.message || String(err));
    alert.focus();
    return;
  }
  let first = null;
  const elsewhere = [];
  for (const [name, message] of Object.entries(err.fieldErrors())) {
    if (form && setFieldError(form, name, message)) first = first || focusTarget(form, name);
    else elsewhere.push(`${name}: ${message}`);
  }
  const ref = err.requestId ? h('span', { class: 'small' }, ` (request ${err.requestId})`) : null;
  const list = elsewhere.length ? h('ul', { class: 'small' }, elsewhere.map((t) => h('li', {}, t))) : null;
  showAlert(alert, 'error', err.message, ref, list);
  if (first) first.focus();
  else { alert.setAttribute('tabindex', '-1'); alert.focus(); }
}

// Money amounts as the API sends them (numbers in NOK, or other currencies).
export function money(amount, currency = 'NOK') {
  if (typeof amount !== 'number') return '—';
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency, currencyDisplay: 'code' }).format(amount);
  } catch (err) {
    return `${currency} ${amount.toFixed(2)}`;
  }
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

// An amount typed by a person: digits with at most two decimals; a comma
// is taken as the decimal mark. Returns a number, or null.
export function parseAmount(text) {
  const t = String(text).trim().replace(/\s/g, '').replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  return Number(t);
}

const STATUS_TONE = { completed: 'success', approved: 'success', active: 'success', delivered: 'success',
  processing: 'accent',
  pending: 'warning', failed: 'danger', rejected: 'danger', deleted: 'danger' };

export function statusBadge(status) {
  const tone = STATUS_TONE[status];
  return h('span', { class: tone ? `badge badge-${tone}` : 'badge' }, status);
}

// Tells screen readers (and shows in the page's notice line) what happened.
export function announce(message) {
  const box = document.getElementById('notice');
  if (!box) return;
  box.textContent = '';
  // A fresh text node after a tick, so a repeated message is read again.
  setTimeout(() => { box.textContent = message; }, 30);
}

// A secret shown once (an API key, a webhook's signing secret) with a button
// that copies it, or selects it where the clipboard is not allowed.
export function secretRow(id, secret) {
  const text = h('code', { class: 'key-value', id }, secret);
  const copy = h('button', { type: 'button', class: 'btn btn-small' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(secret);
      copy.textContent = 'Copied';
    } catch (err) {
      window.getSelection().selectAllChildren(text);
      copy.textContent = 'Selected: press Ctrl+C';
    }
  });
  return h('div', { class: 'key-row' }, text, copy);
}

// Runs fn once for a burst of calls (live events often come in twos), and
// never twice at once: a call while it runs runs it once more afterwards.
export function coalesce(fn, ms = 150) {
  let timer = 0;
  let running = false;
  let again = false;
  async function run() {
    timer = 0;
    if (running) { again = true; return; }
    running = true;
    try {
      await fn();
    } finally {
      running = false;
      if (again) { again = false; trigger(); }
    }
  }
  function trigger() {
    if (!timer) timer = setTimeout(run, ms);
  }
  return trigger;
}

export function pageHeader(title, intro) {
  return h('header', { class: 'view-head' },
    h('h1', { id: 'view-title', tabindex: '-1' }, title),
    intro ? h('p', { class: 'muted' }, intro) : null);
}

export function emptyRow(cols, text) {
  return h('tr', {}, h('td', { colspan: cols, class: 'muted' }, text));
}

// Lets a table fold into one card per row on a phone: each cell is labelled
// with its column's heading (shown by console.css under 560 px).
export function stackTable(table) {
  table.classList.add('stack');
  const heads = [...table.querySelectorAll('thead th')].map((th) => (th.querySelector('.sr-only') ? '' : th.textContent));
  for (const row of table.querySelectorAll('tbody tr')) {
    [...row.cells].forEach((td, i) => { if (heads[i] && td.colSpan === 1) td.dataset.label = heads[i]; });
  }
  return table;
}

// Signing in and creating an account.

import { h } from './dom.js';
import { post } from './api.js';
import { field, alertBox, handleForm } from './ui.js';

function authCard(title, intro, ...body) {
  return h('section', { class: 'auth-card card', 'aria-labelledby': 'view-title' },
    h('h1', { id: 'view-title', tabindex: '-1' }, title),
    intro ? h('p', { class: 'muted' }, intro) : null,
    ...body);
}

export function renderSignIn(el, { onSignedIn, notice, email }) {
  const alert = alertBox();
  const form = h('form', { id: 'signin-form', novalidate: true },
    field({ label: 'Email', name: 'email', type: 'email', required: true, autocomplete: 'username', value: email || '' }),
    field({ label: 'Password', name: 'password', type: 'password', required: true, autocomplete: 'current-password' }),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary btn-wide', type: 'submit' }, 'Sign in')));
  const info = h('div', { class: 'alert alert-success', role: 'status', hidden: !notice }, notice || '');
  el.append(authCard('Sign in', 'The sandbox payments console: link test bank accounts, add recipients and make payments with play money.',
    info, alert, form,
    h('p', { class: 'switch' }, 'New here? ', h('a', { href: '#/register' }, 'Create an account'))));
  handleForm(form, alert, async (values) => {
    const { data } = await post('/api/v1/auth/login', { email: values.email, password: values.password });
    onSignedIn(data.user);
  });
  if (email) queueMicrotask(() => form.elements.namedItem('password').focus());
}

export function renderRegister(el, { onRegistered }) {
  const alert = alertBox();
  const form = h('form', { id: 'register-form', novalidate: true },
    h('div', { class: 'grid-2' },
      field({ label: 'First name', name: 'firstName', required: true, autocomplete: 'given-name' }),
      field({ label: 'Last name', name: 'lastName', required: true, autocomplete: 'family-name' })),
    field({ label: 'Email', name: 'email', type: 'email', required: true, autocomplete: 'email' }),
    field({ label: 'Password', name: 'password', type: 'password', required: true, autocomplete: 'new-password',
      hint: 'At least 8 characters, with letters and digits.' }),
    field({ label: 'Date of birth', name: 'dateOfBirth', type: 'date', required: true, autocomplete: 'bday',
      hint: 'You must be 18 or older.' }),
    field({ label: 'Phone', name: 'phone', type: 'tel', autocomplete: 'tel', placeholder: '+4791234567',
      hint: 'A + and 8 to 15 digits.' }),
    h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary btn-wide', type: 'submit' }, 'Create account')));
  el.append(authCard('Create an account', 'Everything here is a sandbox: no real money moves.', alert, form,
    h('p', { class: 'switch' }, 'Already registered? ', h('a', { href: '#/signin' }, 'Sign in'))));
  handleForm(form, alert, async (values) => {
    const body = { firstName: values.firstName, lastName: values.lastName, email: values.email,
      password: values.password, dateOfBirth: values.dateOfBirth };
    if (values.phone) body.phone = values.phone;
    const { data } = await post('/api/v1/auth/register', body);
    onRegistered(data.email);
  });
}

// The Cairn console: a small single-page app over the API, signed in with
// the HttpOnly cookies login sets. Pages are addressed by the URL fragment
// (#/accounts), so the browser's back button and bookmarks work; each page
// is a panel module that draws itself into a fresh container. While signed
// in, the event stream (live.js) keeps what is on screen current: a page
// hears of events through ctx.onEvent, and payments are announced.

import { h, fill } from './dom.js';
import { get, post, onSignedOut } from './api.js';
import { announce, money } from './ui.js';
import { startLive, stopLive } from './live.js';
import { renderSignIn, renderRegister } from './view-auth.js';
import overview from './view-overview.js';
import accounts from './view-accounts.js';
import recipients from './view-recipients.js';
import pay from './view-pay.js';
import history from './view-history.js';
import security from './view-security.js';
import webhooks from './view-webhooks.js';
import admin from './view-admin.js';

// The panels, in menu order: {path, label, render(el, ctx), adminOnly?}.
const PANELS = [overview, accounts, recipients, pay, history, webhooks, security, admin];

// Whether this browser was signed in: only so that a first visit does not
// start with a request bound to fail. The session itself is the cookies.
const HINT = 'cairn.signedIn';

const session = { me: null, notice: null, email: '' };

function setHint(on) {
  try {
    if (on) localStorage.setItem(HINT, '1');
    else localStorage.removeItem(HINT);
  } catch (err) { /* storage disabled: every visit probes once */ }
}

function hadSession() {
  try { return localStorage.getItem(HINT) === '1'; } catch (err) { return true; }
}

function currentPath() {
  const m = /^#\/([a-z-]*)/.exec(location.hash);
  return m ? m[1] : '';
}

function navigate(path) {
  if (currentPath() === path) route();
  else location.hash = `#/${path}`;
}

function isAdmin() {
  return session.me && session.me.role === 'admin';
}

function drawChrome(active) {
  const signedIn = Boolean(session.me);
  document.getElementById('account-menu').hidden = !signedIn;
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('app').classList.toggle('signed-out', !signedIn);
  if (!signedIn) return;
  const me = session.me;
  fill(document.getElementById('who'), `${me.firstName} ${me.lastName}`,
    me.role !== 'user' ? h('span', { class: 'badge badge-accent' }, me.role) : null);
  // The menu is rebuilt only when the role changes what it offers, so a
  // link someone is focused on or about to click stays where it is.
  const list = document.getElementById('nav-list');
  const panels = PANELS.filter((p) => !p.adminOnly || isAdmin());
  const key = panels.map((p) => p.path).join(' ');
  if (list.dataset.panels !== key) {
    list.dataset.panels = key;
    fill(list, panels.map((p) => h('li', {}, h('a', { href: `#/${p.path}` }, p.label))),
      h('li', { class: 'nav-aside' }, h('a', { href: '/docs' }, 'API reference')));
  }
  for (const a of list.querySelectorAll('a')) {
    if (a.getAttribute('href') === `#/${active}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // On a phone the menu is a row that scrolls sideways: keep this page's entry in sight.
  const current = list.querySelector('[aria-current="page"]');
  if (current) current.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

// After a move between pages, focus goes to the new page's heading, so a
// screen reader reads where it is and Tab continues from there. Not on the
// first page: there the browser's own start (the skip link) comes first.
let moved = false;
function focusTitle() {
  const title = document.getElementById('view-title');
  if (title && moved) title.focus({ preventScroll: false });
  moved = true;
}

async function reloadMe() {
  const { data } = await get('/api/v1/auth/me');
  session.me = data;
  drawChrome(currentPath());
  return data;
}

// --- live events ---

// The pages listening, as {container, fn}; a page's go once it is replaced.
const listeners = [];

const LIVE_STATES = {
  connecting: ['Connecting…', 'Opening the live connection.'],
  live: ['Live', 'Payments and their status changes appear here as they happen.'],
  reconnecting: ['Reconnecting…', 'The live connection dropped; trying again. Pages still load as usual.'],
  paused: ['Paused', 'Live updates pause while the tab is hidden, and resume when you come back.'],
};

function drawLive(state) {
  const el = document.getElementById('live-status');
  el.hidden = !(state in LIVE_STATES);
  if (el.hidden) return;
  const [text, title] = LIVE_STATES[state];
  el.dataset.state = state;
  el.title = title;
  fill(el, h('span', { class: 'sr-only' }, 'Updates: '), text);
}

// What a payment event means to the person, or null when it needs no word
// (a QR payment is created completed: its completed event says it).
function liveMessage(type, tx) {
  const to = tx.recipientName || tx.merchantName || 'a payee';
  const amount = typeof tx.amount === 'number' ? ` (${money(Math.abs(tx.amount), tx.currency)})` : '';
  if (type === 'transaction.created' && tx.status === 'processing') return `Payment to ${to} is processing${amount}`;
  if (type === 'transaction.completed') return `Payment to ${to} completed${amount}`;
  if (type === 'transaction.failed') return `Payment to ${to} failed${amount}`;
  return null;
}

// A note in the polite live region at the foot of the window, gone after 8 s.
function showLive(text) {
  const feed = document.getElementById('live-feed');
  const note = h('p', { class: 'live-note' }, text);
  feed.append(note);
  while (feed.children.length > 3) feed.firstElementChild.remove();
  setTimeout(() => note.remove(), 8000);
}

function onLive(type, body) {
  const data = body && body.data && typeof body.data === 'object' ? body.data : null;
  const text = data ? liveMessage(type, data) : null;
  if (text) showLive(text);
  for (let i = listeners.length - 1; i >= 0; i -= 1) {
    if (!listeners[i].container.isConnected) listeners.splice(i, 1);
  }
  for (const l of [...listeners]) l.fn(type, data);
}

function goLive() {
  startLive({ message: onLive, state: drawLive });
}

const ctx = {
  navigate,
  reloadMe,
  signOutHere: () => signedOut('You have signed out of every session.'),
  get me() { return session.me; },
};

function signedIn(user) {
  session.me = user;
  setHint(true);
  goLive();
  announce(`Signed in as ${user.firstName} ${user.lastName}`);
  navigate('overview');
}

function signedOut(notice, email = '') {
  stopLive();
  session.me = null;
  session.notice = notice;
  session.email = email;
  setHint(false);
  navigate('signin');
}

async function route() {
  const path = currentPath();
  const container = h('div', { class: 'view' });
  fill(document.getElementById('view'), container);
  if (!session.me) {
    drawChrome(null);
    if (path === 'register') {
      renderRegister(container, { onRegistered: (email) => signedOut(`Account created for ${email}. Sign in to continue.`, email) });
    } else {
      if (path !== 'signin' && path !== '') { location.replace('#/signin'); return; }
      const notice = session.notice;
      session.notice = null;
      renderSignIn(container, { onSignedIn: signedIn, notice, email: session.email });
    }
    focusTitle();
    return;
  }
  let panel = PANELS.find((p) => p.path === path && (!p.adminOnly || isAdmin()));
  if (!panel) {
    if (path !== 'overview') { location.replace('#/overview'); return; }
    panel = PANELS[0];
  }
  drawChrome(panel.path);
  document.title = `${panel.label} · Cairn console`;
  // onEvent(fn): fn(type, data) for each live event while this page is shown,
  // and ('resync', null) when events may have been missed.
  const view = Object.create(ctx, { onEvent: { value: (fn) => listeners.push({ container, fn }) } });
  const ready = panel.render(container, view);
  focusTitle();
  await ready;
}

async function signOut() {
  stopLive();
  try {
    await post('/api/v1/auth/logout', {});
  } catch (err) {
    // The session is over for this page either way; the cookies expire.
  }
  signedOut('You have signed out.');
}

async function boot() {
  onSignedOut(() => { if (session.me) signedOut('Your session has ended. Please sign in again.'); });
  document.getElementById('sign-out').addEventListener('click', signOut);
  window.addEventListener('hashchange', () => { route(); });
  if (hadSession()) {
    try {
      const { data } = await get('/api/v1/auth/me');
      session.me = data;
      goLive();
    } catch (err) {
      setHint(false);
    }
  }
  route();
}

boot();

// The Cairn console: a small single-page app over the API, signed in with
// the HttpOnly cookies login sets. Pages are addressed by the URL fragment
// (#/accounts), so the browser's back button and bookmarks work; each page
// is a panel module that draws itself into a fresh container.

import { h, fill } from './dom.js';
import { get, post, onSignedOut } from './api.js';
import { announce } from './ui.js';
import { renderSignIn, renderRegister } from './view-auth.js';
import overview from './view-overview.js';
import accounts from './view-accounts.js';
import recipients from './view-recipients.js';
import pay from './view-pay.js';
import history from './view-history.js';
import security from './view-security.js';
import admin from './view-admin.js';

// The panels, in menu order: {path, label, render(el, ctx), adminOnly?}.
// Two more belong here once their API routes exist (other work in progress):
//   webhooks  manage webhooks and see their deliveries (/api/v1/webhooks)
//   activity  follow transactions live from the event stream (/api/v1/events)
// Each will be one view-<name>.js module added to this list.
const PANELS = [overview, accounts, recipients, pay, history, security, admin];

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

const ctx = {
  navigate,
  reloadMe,
  signOutHere: () => signedOut('You have signed out of every session.'),
  get me() { return session.me; },
};

function signedIn(user) {
  session.me = user;
  setHint(true);
  announce(`Signed in as ${user.firstName} ${user.lastName}`);
  navigate('overview');
}

function signedOut(notice, email = '') {
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
  const ready = panel.render(container, ctx);
  focusTitle();
  await ready;
}

async function signOut() {
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
    } catch (err) {
      setHint(false);
    }
  }
  route();
}

boot();

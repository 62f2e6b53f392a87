#!/usr/bin/env node
// The console in a real browser: headless Chromium (Debian's `chromium`, or
// CHROMIUM_PATH) driven by puppeteer-core from tests/interop/node_modules.
//
//   node tests/browser/console.js BASE_URL [ADMIN_EMAIL ADMIN_PASSWORD]
//
// Registers a new person through the UI (first with a weak password, to see
// the field error), signs in, links a sandbox account, and registers a
// webhook pointing at a receiver this script runs on 127.0.0.1 (the server
// needs WEBHOOK_ALLOW_PRIVATE=1): first an https URL, to see it refused next
// to the field, then the receiver, whose signing secret is shown once. With
// the history open in the first tab, the same person pays a merchant by QR
// code in a second tab, and the first tab shows the payment without a
// reload, from the event stream. With an admin's credentials an admin then
// approves the person's identity check in another browser session, the
// person sends a transfer abroad from the second tab, and the first tab
// shows it processing, then completed when the sandbox bank settles it (the
// server should run with SANDBOX_SETTLE_SECONDS=2). The webhooks page then
// lists deliveries that the receiver answered 200 (it checks their
// signatures with the secret), redelivers one, sees a delivery the receiver
// answered 500 stay pending, sees the console say why a redelivery of it is
// refused 409, and deletes the webhook. In a tab opened through a TCP relay
// of its own, the script then cuts the tab's event stream and has the
// browser's reconnection refused, 400 for an unknown last event id and 401
// for an expired access cookie, and hides the tab for (a faked) two
// minutes: each time the console must come back live by itself, show the
// payment made while it was not, and show the next one live. It reads the
// docs page too, and signs out, which must close the stream.
//
// Fails (exit 1) on any script error, console error, CSP violation, failed
// request or unexpected HTTP error status, on a form control without a
// label, or on a page wider than a 390 px phone screen. The event stream
// cut off by sign-out or a closed tab (net::ERR_ABORTED), or by the relay
// on purpose, is not a failure.
// Screenshots at 1280x800 and 390x844 go to tests/browser/screenshots/
// (git-ignored). tests/api/console_test.cpp runs it against the real binary.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const { createRequire } = require('module');

const requireInterop = createRequire(path.join(__dirname, '..', 'interop', 'package.json'));
const puppeteer = requireInterop('puppeteer-core');

const BASE = (process.argv[2] || '').replace(/\/$/, '');
const ADMIN = process.argv[4] ? { email: process.argv[3], password: process.argv[4] } : null;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.join(__dirname, 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
const PASSWORD = 'Passw0rd1';
const started = Date.now();

const problems = [];
const expected = [];  // [{status, path}] HTTP errors a step provokes on purpose
// Event streams the relay cut, whose failure (and its console message) the
// browser has yet to report.
const cut = { failures: 0, messages: 0 };

function log(msg) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
}

function fail(msg) {
  throw new Error(msg);
}

// --- the API directly, for what the console does not do (a merchant) ---
async function apiCall(method, p, body, token) {
  const headers = { Accept: 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(BASE + p, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json();
  if (!res.ok) fail(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

async function makeMerchant(tag) {
  const email = `shop.${tag}@example.com`;
  await apiCall('POST', '/api/v1/auth/register', { email, password: PASSWORD, firstName: 'Kari',
    lastName: 'Nordmann', dateOfBirth: '1985-06-01' });
  const { accessToken } = await apiCall('POST', '/api/v1/auth/login', { email, password: PASSWORD });
  const orgNumber = String(100000000 + Math.floor(Math.random() * 899999999));
  const m = await apiCall('POST', '/api/v1/merchants/register', { businessName: 'Fjord Bakery',
    orgNumber, bankAccount: '8601.11.17947' }, accessToken);
  return m.id;
}

// --- a webhook receiver: answers 200 (500 while `down`) and keeps what it got ---
async function startReceiver() {
  const got = [];  // [{headers, body, json}]
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      let json = null;
      try { json = JSON.parse(body); } catch (err) { /* kept as text */ }
      got.push({ headers: req.headers, body, json });
      res.writeHead(receiver.down ? 500 : 200, { 'Content-Type': 'text/plain' });
      res.end(receiver.down ? 'down' : 'ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver = {
    url: `http://127.0.0.1:${server.address().port}/hooks/cairn`,
    got,
    down: false,  // true: every delivery is answered 500, so it stays pending
    async waitFor(what, test, ms = 15000) {
      const until = Date.now() + ms;
      while (!got.some(test)) {
        if (Date.now() > until) fail(`the receiver never got ${what}; it got ${got.map((g) => g.json && g.json.type).join(', ') || 'nothing'}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return got.find(test);
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
  return receiver;
}

// --- a relay: the server's port, through TCP connections this script can cut ---
// A tab opened through it is the same server to the browser's cookies
// (they are per host, not per port) and to the CSRF check (Origin matches
// the Host the server is sent), so the console works there as it does at
// BASE, and its event stream can be dropped as a network drops it. The
// relay notes each event-stream request, and while `stale` is set it swaps
// the Last-Event-ID a request carries for an id the server does not have,
// as after the server was restored from a backup older than that event.
async function startRelay(target) {
  const { hostname, port } = new URL(target);
  // {client, upstream, path, streaming}: the path of the last request the
  // client sent, and whether the server answered it with a stream.
  const links = new Set();
  const relay = {
    url: '',
    asked: [],     // event-stream requests: {kind: EventSource or fetch, lastId, at}
    stale: false,
    // The event-stream requests since the nth, as "EventSource with an id, fetch, …".
    since: (n) => relay.asked.slice(n).map((a) => `${a.kind}${a.lastId ? ' with an id' : ''}`).join(', '),
  };
  // Requests start a chunk of their own (the browser waits for each answer)
  // and have no body when they are a GET of the stream.
  function pass(link, chunk) {
    const text = chunk.toString('latin1');
    const line = /^[A-Z]+ (\S+) HTTP\/1\.[01]\r\n/.exec(text);
    if (!line) return chunk;
    link.path = new URL(line[1], 'http://relay').pathname;
    if (link.path !== STREAM) return chunk;
    const id = /^Last-Event-ID: *([^\r]*)\r$/im.exec(text);
    relay.asked.push({ kind: /^Accept: *text\/event-stream/im.test(text) ? 'EventSource' : 'fetch', lastId: id ? id[1] : '',
      at: Date.now() });
    if (!id || !relay.stale) return chunk;
    const unknown = id[1].replace(/_.*/, (rest) => `_${'0'.repeat(rest.length - 1)}`);
    return Buffer.from(text.replace(id[0], id[0].replace(id[1], unknown)), 'latin1');
  }
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    const link = { client, upstream, path: '', streaming: false };
    links.add(link);
    client.on('data', (chunk) => upstream.write(pass(link, chunk)));
    upstream.on('data', (chunk) => {
      // A stream's answer never ends: after its status line, all is events.
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(chunk.toString('latin1', 0, 16));
      if (status) link.streaming = link.path === STREAM && status[1] === '200';
      client.write(chunk);
    });
    const end = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${server.address().port}`;
  const streamLinks = () => [...links].filter((l) => l.streaming);
  // Event streams open through the relay now, as the server sees them.
  relay.streams = () => streamLinks().length;
  // Resets every event stream's connection; returns how many there were.
  relay.cutStreams = () => {
    const cut = streamLinks();
    for (const l of cut) {
      l.client.resetAndDestroy();
      l.upstream.destroy();
    }
    return cut.length;
  };
  relay.close = () => {
    for (const l of links) {
      l.client.destroy();
      l.upstream.destroy();
    }
    server.close();
  };
  return relay;
}

// --- watching a page ---
const STREAM = '/api/v1/events';
const streams = new Map();  // page name -> event-stream requests not yet ended

function isStream(req) {
  return req.resourceType() === 'eventsource' && new URL(req.url()).pathname === STREAM;
}

function watch(page, name) {
  const open = new Set();
  streams.set(name, open);
  page.on('request', (req) => { if (isStream(req)) open.add(req); });
  // A reload drops the old document's stream without a word to this script.
  page.on('domcontentloaded', () => open.clear());
  // DEBUG_STREAMS=1 logs what the page does with the event stream.
  if (process.env.DEBUG_STREAMS) {
    page.on('request', (req) => { if (req.url().includes(STREAM)) log(`${name}: open ${req.resourceType()} ${req.headers()['last-event-id'] || ''}`); });
    page.on('response', (res) => { if (res.url().includes(STREAM)) log(`${name}: ${res.status()} ${res.request().resourceType()}`); });
    page.on('requestfailed', (req) => { if (req.url().includes(STREAM)) log(`${name}: ended ${req.failure().errorText}`); });
    page.on('console', (msg) => log(`${name}: console ${msg.type()} ${msg.text()}`));
  }
  page.on('requestfinished', (req) => open.delete(req));
  page.on('pageerror', (err) => problems.push(`${name}: page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // Network statuses are judged by the response handler below.
    if (/^Failed to load resource: the server responded with a status of/.test(msg.text())) return;
    if (cut.messages > 0 && /^Failed to load resource: net::ERR_CONNECTION_RESET/.test(msg.text())) {
      cut.messages -= 1;
      return;
    }
    problems.push(`${name}: console error: ${msg.text()}`);
  });
  page.on('requestfailed', (req) => {
    open.delete(req);
    // The event stream never finishes by itself: closing it (sign-out, a
    // closed tab, leaving the page) aborts it.
    const aborted = req.failure() && req.failure().errorText === 'net::ERR_ABORTED';
    if (aborted && new URL(req.url()).pathname === STREAM) return;
    if (cut.failures > 0 && isStream(req)) {
      cut.failures -= 1;
      return;
    }
    // DevTools reports a fetch answered 204 (a DELETE) as aborted after its response.
    if (aborted && req.response() && req.response().status() === 204) return;
    problems.push(`${name}: request failed: ${req.method()} ${req.url()} ${req.failure() && req.failure().errorText}`);
  });
  page.on('response', (res) => {
    if (res.status() < 400) return;
    const url = new URL(res.url());
    const i = expected.findIndex((e) => e.status === res.status() && url.pathname === e.path);
    if (i >= 0) expected.splice(i, 1);
    else problems.push(`${name}: unexpected ${res.status()} from ${res.request().method()} ${url.pathname}`);
  });
}

async function openPage(context, name, viewport = DESKTOP) {
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  await page.exposeFunction('__cspViolation', (text) => problems.push(`${name}: CSP violation: ${text}`));
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  watch(page, name);
  await page.setViewport(viewport);
  return page;
}

// --- small steps ---
async function shot(page, name) {
  await new Promise((r) => setTimeout(r, 150));  // let focus rings and layout settle
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function textOf(page, selector) {
  await page.waitForSelector(selector, { visible: true });
  return page.$eval(selector, (el) => el.innerText.replace(/\s+/g, ' ').trim());
}

async function waitText(page, selector, want) {
  await page.waitForFunction((sel, w) => {
    const el = document.querySelector(sel);
    return el && el.innerText.replace(/\s+/g, ' ').includes(w);
  }, {}, selector, want);
}

// Polls test() until it holds; fails with what() after ms.
async function until(test, what, ms = 10000) {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) fail(what());
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function fill(page, selector, value) {
  await page.waitForSelector(selector, { visible: true });
  await page.$eval(selector, (el) => { el.value = ''; });
  await page.type(selector, value);
}

async function setValue(page, selector, value) {
  await page.$eval(selector, (el, v) => {
    el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

// Locators wait until the element is there, visible and still, and retry
// when the page replaces it meanwhile.
async function click(page, selector) {
  await page.locator(selector).click();
}

// A click lands where the element is: one scrolled just under the sticky
// header would hit the header instead.
async function clickCentred(page, selector) {
  await page.waitForSelector(selector, { visible: true });
  await page.$eval(selector, (el) => el.scrollIntoView({ block: 'center' }));
  await click(page, selector);
}

async function go(page, route, ready) {
  await click(page, `#nav a[href="#/${route}"]`);
  await page.waitForSelector(ready, { visible: true });
}

// Every visible form control has a label; the page is no wider than the window.
async function checkPage(page, name) {
  const issues = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden' || el.offsetParent === null) continue;
      if (el.labels.length === 0 && !el.getAttribute('aria-label')) out.push(`unlabelled ${el.tagName} ${el.name}`);
    }
    if (document.documentElement.scrollWidth > window.innerWidth + 1) {
      out.push(`page ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`);
    }
    return out;
  });
  for (const i of issues) problems.push(`${name}: ${i}`);
}

// --- the story ---
async function registerAndSignIn(page, email) {
  await page.goto(`${BASE}/`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#signin-form', { visible: true });
  await shot(page, 'desktop-signin');
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => document.activeElement && document.activeElement.className);
  if (skip !== 'skip-link') problems.push(`the first Tab reaches "${skip}", not the skip link`);

  await click(page, 'a[href="#/register"]');
  await page.waitForSelector('#register-form', { visible: true });
  const f = '#register-form';
  await fill(page, `${f} [name=firstName]`, 'Ada');
  await fill(page, `${f} [name=lastName]`, 'Lovelace');
  await fill(page, `${f} [name=email]`, email);
  await fill(page, `${f} [name=password]`, 'password');
  await setValue(page, `${f} [name=dateOfBirth]`, '1990-04-30');
  expected.push({ status: 422, path: '/api/v1/auth/register' });
  await click(page, `${f} button[type=submit]`);
  await page.waitForSelector(`${f} [name=password][aria-invalid=true]`);
  const why = await page.$eval(`${f} [name=password]`, (el) => document.getElementById(`${el.id}-error`).textContent);
  if (!why) fail('a weak password showed no message next to the field');
  log(`weak password refused next to the field: "${why}"`);
  await checkPage(page, 'register');
  await shot(page, 'desktop-register-error');

  await fill(page, `${f} [name=password]`, PASSWORD);
  await click(page, `${f} button[type=submit]`);
  await page.waitForSelector('#signin-form', { visible: true });
  const prefilled = await page.$eval('#signin-form [name=email]', (el) => el.value);
  if (prefilled !== email) fail(`sign-in form has "${prefilled}", not the new email`);
  log('registered through the form');

  await fill(page, '#signin-form [name=password]', PASSWORD);
  await click(page, '#signin-form button[type=submit]');
  await waitText(page, '#view-title', 'Welcome, Ada');
  log('signed in');
}

async function linkAccount(page) {
  await go(page, 'accounts', '#link-form');
  await fill(page, '#link-form [name=bankName]', 'DNB');
  await fill(page, '#link-form [name=initialBalance]', '50000');
  await click(page, '#link-form button[type=submit]');
  await waitText(page, '#accounts-table', 'NOK 50,000.00');
  await checkPage(page, 'accounts');
  await shot(page, 'desktop-accounts');
  log('linked a sandbox account at DNB');
}

async function payMerchant(page, merchantId) {
  await go(page, 'pay', '#qr-form');
  await fill(page, '#qr-form [name=merchantId]', `cairn://pay/${merchantId}`);
  await fill(page, '#qr-form [name=amount]', '250');
  await click(page, '#qr-form button[type=submit]');
  await page.waitForSelector('#qr-confirm', { visible: true });
  const quote = await textOf(page, '.quote');
  for (const want of ['NOK 2.50', 'NOK 252.50', 'Instant']) {
    if (!quote.includes(want)) fail(`the fee disclosure lacks ${want}: ${quote}`);
  }
  await checkPage(page, 'pay');
  await page.$eval('#qr-confirm', (el) => el.scrollIntoView({ block: 'center' }));
  await shot(page, 'desktop-pay-disclosure');
  await click(page, '#qr-confirm');
  await waitText(page, '#view', 'Paid NOK 250.00 to Fjord Bakery');
  log('paid the merchant by QR after the fee disclosure');
}

async function seeHistory(page, wants) {
  await go(page, 'history', '#history-table');
  for (const want of wants) await waitText(page, '#history-table', want);
  await checkPage(page, 'history');
  await shot(page, 'desktop-history');
  log(`the history shows ${wants.join(', ')}`);
}

async function registerWebhook(page, url) {
  await go(page, 'webhooks', '#webhook-form');
  await waitText(page, '#webhooks-table', 'No webhooks yet.');
  const f = '#webhook-form';
  await fill(page, `${f} [name=url]`, 'ftp://hooks.example.com/cairn');
  expected.push({ status: 422, path: '/api/v1/webhooks' });
  await click(page, `${f} button[type=submit]`);
  await page.waitForSelector(`${f} [name=url][aria-invalid=true]`);
  const why = await page.$eval(`${f} [name=url]`, (el) => document.getElementById(`${el.id}-error`).textContent);
  if (!/http or https/.test(why)) fail(`an ftp URL was refused with "${why}" next to the field`);
  log(`an ftp webhook URL refused next to the field: "${why}"`);

  await fill(page, `${f} [name=url]`, url);
  await click(page, '#wh-event-all');
  if (!(await page.$eval('#wh-event-0', (el) => el.disabled))) fail('"All events" left the single events enabled');
  await click(page, `${f} button[type=submit]`);
  await page.waitForSelector('#new-webhook-secret', { visible: true });
  const secret = await textOf(page, '#new-webhook-secret');
  if (!/^whsec_/.test(secret)) fail(`the new webhook's secret reads "${secret}"`);
  await waitText(page, '#new-webhook', 'you will not see it again');
  await waitText(page, '#webhooks-table', url);
  await waitText(page, '#webhooks-table', 'All events');
  await checkPage(page, 'webhooks');
  await shot(page, 'desktop-webhooks-created');
  log('registered a webhook to the receiver; its secret was shown once');
  return secret;
}

// The history in the first tab notes every status each of its rows shows
// from now on; a reload would lose the notes, and the flag that says none came.
async function openLiveHistory(page) {
  await go(page, 'history', '#history-table');
  await waitText(page, '#live-status', 'Live');
  await page.evaluate(() => {
    window.__sameDocument = true;
    window.__seen = [];
    const note = () => {
      for (const tr of document.querySelectorAll('#history-table tbody tr[data-id]')) {
        const seen = `${tr.dataset.id} ${tr.querySelector('.tx-status').textContent}`;
        if (!window.__seen.includes(seen)) window.__seen.push(seen);
      }
    };
    note();
    new MutationObserver(note).observe(document.getElementById('view'), { subtree: true, childList: true, characterData: true });
  });
}

// Waits until the row of payee reads the last of statuses, then checks that
// it read each of them in turn, that the page was not reloaded, and that the
// live region said so. Rows are matched by their text with its spaces made
// plain: money has a no-break space after the currency.
async function seeLive(page, payee, statuses, said) {
  const final = statuses[statuses.length - 1];
  await page.waitForFunction((p, s) => [...document.querySelectorAll('#history-table tbody tr[data-id]')]
    .some((tr) => tr.innerText.replace(/\s+/g, ' ').includes(p) && tr.querySelector('.tx-status').textContent === s), { polling: 50 }, payee, final);
  const { seen, same } = await page.evaluate((p) => {
    const row = [...document.querySelectorAll('#history-table tbody tr[data-id]')].find((tr) => tr.innerText.replace(/\s+/g, ' ').includes(p));
    const prefix = `${row.dataset.id} `;
    return { seen: window.__seen.filter((x) => x.startsWith(prefix)).map((x) => x.slice(prefix.length)), same: window.__sameDocument };
  }, payee);
  if (!same) fail('the history page was reloaded');
  if (seen.join(' → ') !== statuses.join(' → ')) fail(`the row of ${payee} read ${seen.join(' → ')}, not ${statuses.join(' → ')}`);
  await waitText(page, '#live-feed', said);
  log(`the history open at ${page.viewport().width} px showed ${payee} live: ${seen.join(' → ')}; "${said}" announced`);
}

// The receiver heard of the payments; the webhooks page shows it.
async function webhookDeliveries(page, phone, receiver, secret) {
  const hit = await receiver.waitFor('a transaction.completed', (g) => g.json && g.json.type === 'transaction.completed');
  const stamp = hit.headers['x-webhook-timestamp'];
  const signed = crypto.createHmac('sha256', secret).update(`${stamp}.${hit.body}`).digest('hex');
  if (hit.headers['x-webhook-signature'] !== signed) fail('a delivery\'s X-Webhook-Signature does not match the secret shown');

  await go(page, 'webhooks', '#webhooks-table');
  await click(page, '#webhooks-table button[aria-label^="Show the deliveries"]');
  await page.waitForSelector('#deliveries-table', { visible: true });
  await click(page, '#deliveries-refresh');
  await waitText(page, '#deliveries-table', 'transaction.completed');
  await waitText(page, '#deliveries-table', 'delivered');
  await waitText(page, '#deliveries-table', 'HTTP 200');
  log(`the receiver got ${receiver.got.length} signed deliveries; the panel lists them delivered with HTTP 200`);

  const before = receiver.got.length;
  const first = await page.evaluate(() => {
    const tr = [...document.querySelectorAll('#deliveries-table tbody tr[data-id]')].find((r) => r.querySelector('button'));
    return { id: tr.dataset.id, event: tr.querySelector('.mono').textContent };
  });
  await click(page, `#deliveries-table tr[data-id="${first.id}"] button`);
  await waitText(page, '#deliveries', 'queued again');
  await receiver.waitFor('the redelivery', (g, i) => i >= before && g.headers['x-webhook-id'] === first.event);
  await click(page, '#deliveries-refresh');
  await page.waitForFunction((e) => [...document.querySelectorAll('#deliveries-table tbody tr')]
    .filter((tr) => tr.innerText.includes(e)).length === 2, {}, first.event);
  await checkPage(page, 'webhooks deliveries');
  await page.$eval('#deliveries', (el) => el.scrollIntoView({ block: 'start' }));
  await shot(page, 'desktop-webhooks');
  log(`redelivered ${first.event}: the receiver got it again with the same webhook-id`);
  await redeliverPending(page, receiver, first);

  await phone.bringToFront();
  await go(phone, 'webhooks', '#webhooks-table');
  await click(phone, '#webhooks-table button[aria-label^="Show the deliveries"]');
  await waitText(phone, '#deliveries-table', 'HTTP 200');
  await checkPage(phone, 'phone webhooks');
  await shot(phone, 'phone-webhook-deliveries');
  await phone.close();
  await page.bringToFront();

  page.once('dialog', (d) => d.accept());
  await click(page, '#webhooks-table button[aria-label^="Delete"]');
  await waitText(page, '#webhooks-table', 'No webhooks yet.');
  if (!(await page.$eval('#deliveries', (el) => el.hidden))) fail('the deleted webhook\'s deliveries are still shown');
  log('deleted the webhook');
}

// The server records a try just after its answer: refreshes until the
// deliveries show `want`.
async function refreshUntil(page, want) {
  await until(async () => {
    await clickCentred(page, '#deliveries-refresh');
    await page.waitForFunction(() => !document.getElementById('deliveries-refresh').hasAttribute('aria-busy'));
    return page.$eval('#deliveries-table', (el, w) => el.innerText.includes(w), want);
  }, () => `the deliveries never showed ${want}`);
}

// The next page of deliveries the page loads shows the one `id` as failed
// (the console offers Redeliver only on finished ones): as if the list were
// older than the delivery's first try.
async function staleDeliveries(page, id) {
  const cdp = await page.createCDPSession();
  const done = new Promise((resolve, reject) => {
    cdp.once('Fetch.requestPaused', async (e) => {
      try {
        const { body, base64Encoded } = await cdp.send('Fetch.getResponseBody', { requestId: e.requestId });
        const json = JSON.parse(base64Encoded ? Buffer.from(body, 'base64').toString() : body);
        const d = json.data.find((x) => x.id === id);
        if (!d) fail(`the deliveries listed lack ${id}`);
        d.status = 'failed';
        await cdp.send('Fetch.fulfillRequest', { requestId: e.requestId, responseCode: e.responseStatusCode,
          responseHeaders: e.responseHeaders.filter((x) => x.name.toLowerCase() !== 'content-length'),
          body: Buffer.from(JSON.stringify(json)).toString('base64') });
        await cdp.send('Fetch.disable');
        await cdp.detach();
        resolve();
      } catch (err) {
        reject(err);
      }
    });
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*/deliveries?*', requestStage: 'Response' }] });
  return done;
}

// A delivery the receiver answers 500 stays pending, without a Redeliver
// button. Asked to redeliver it all the same, from a list that showed it
// failed, the server answers 409, and the console says what the server said.
async function redeliverPending(page, receiver, first) {
  receiver.down = true;
  const before = receiver.got.length;
  await clickCentred(page, `#deliveries-table tr[data-id="${first.id}"] button`);
  await waitText(page, '#deliveries', 'queued again');
  await receiver.waitFor('the redelivery answered 500', (g, i) => i >= before && g.headers['x-webhook-id'] === first.event);
  await refreshUntil(page, 'HTTP 500');
  const pending = await page.evaluate(() => {
    const tr = [...document.querySelectorAll('#deliveries-table tbody tr[data-id]')].find((r) => r.innerText.includes('HTTP 500'));
    return { id: tr.dataset.id, text: tr.innerText, button: Boolean(tr.querySelector('button')) };
  });
  if (!/pending/.test(pending.text)) fail(`the delivery answered 500 reads "${pending.text}", not pending`);
  if (pending.button) fail('a pending delivery offers Redeliver');

  const stale = staleDeliveries(page, pending.id);
  await clickCentred(page, '#deliveries-refresh');
  await stale;
  const hook = await page.$eval('#webhooks-table tbody tr[data-id]', (tr) => tr.dataset.id);
  const path = `/api/v1/webhooks/${hook}/deliveries/${pending.id}/redeliver`;
  expected.push({ status: 409, path });
  const answer = page.waitForResponse((res) => new URL(res.url()).pathname === path);
  await clickCentred(page, `#deliveries-table tr[data-id="${pending.id}"] button`);
  const res = await answer;
  if (res.status() !== 409) fail(`redelivering a pending delivery was answered ${res.status()}`);
  const { error } = await res.json();
  try {
    await waitText(page, '#deliveries .alert-error', error.message);
  } catch (err) {
    fail(`refused 409, the deliveries panel does not say "${error.message}"`);
  }
  log(`redelivering a pending delivery was refused 409; the console says "${error.message}"`);

  const rows = await page.$$eval('#deliveries-table tbody tr[data-id]', (trs) => trs.length);
  await refreshUntil(page, 'HTTP 500');
  if (await page.$$eval('#deliveries-table tbody tr[data-id]', (trs) => trs.length) !== rows) fail('a refused redelivery made a delivery');
  receiver.down = false;
}

// With the account's streams at their cap (SSE_MAX_PER_USER, 5), a new tab's
// stream is refused 503: the console says it is reconnecting and waits (one
// refused stream, one request asking why, nothing more) until a place is
// free, then it is live. This script holds the other places with the
// person's cookie.
async function streamCap(context, page) {
  const cookie = (await page.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const hold = new AbortController();
  const held = [];
  async function fillUp() {
    for (let i = 0; i < 6; i += 1) {
      const res = await fetch(BASE + STREAM, { headers: { Cookie: cookie }, signal: hold.signal });
      if (res.status === 503) return;
      held.push(res);
    }
    fail('six more streams than the console\'s were allowed');
  }
  try {
    await fillUp();
    // Streams whose tab has closed hold a place until the server's next
    // heartbeat finds them gone (SSE_HEARTBEAT_S): wait one, then fill again.
    await new Promise((r) => setTimeout(r, 2500));
    await fillUp();
    expected.push({ status: 503, path: STREAM }, { status: 503, path: STREAM });
    const tab = await openPage(context, 'capped tab');
    const asked = [];
    tab.on('request', (req) => { if (new URL(req.url()).pathname === STREAM) asked.push(Date.now()); });
    await tab.goto(`${BASE}/#/overview`);
    await waitText(tab, '#live-status', 'Reconnecting');
    const refused = Date.now();
    await shot(tab, 'desktop-reconnecting');
    hold.abort();
    await waitText(tab, '#live-status', 'Live');
    const waited = ((Date.now() - refused) / 1000).toFixed(1);
    if (asked.length !== 3) fail(`the capped tab asked for the stream ${asked.length} times, not 3`);
    if (Date.now() - refused < 3500) fail(`the capped tab came back after ${waited} s, before its back-off`);
    await tab.close();
    log(`at the stream cap a new tab showed "Reconnecting…", waited ${waited} s, and went live`);
  } finally {
    hold.abort();
  }
}

// Every event stream the page opened has ended (closing one aborts it).
async function streamsClosed(name) {
  const until = Date.now() + 3000;
  while (streams.get(name).size > 0) {
    if (Date.now() > until) fail(`${name}: the event stream is still open after signing out`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function approveAsAdmin(browser, email) {
  const context = await browser.createBrowserContext();
  const page = await openPage(context, 'admin');
  await page.goto(`${BASE}/`, { waitUntil: 'networkidle0' });
  await fill(page, '#signin-form [name=email]', ADMIN.email);
  await fill(page, '#signin-form [name=password]', ADMIN.password);
  await click(page, '#signin-form button[type=submit]');
  await page.waitForSelector('#nav a[href="#/admin"]', { visible: true });
  await go(page, 'admin', '#users-table');
  await fill(page, '#users-filters [name=search]', email);
  await click(page, '#users-filters button[type=submit]');
  // The search's answer, not the first unfiltered page, which lists others too.
  await page.waitForFunction((e) => {
    const rows = document.querySelectorAll('#users-table tbody tr');
    return rows.length === 1 && rows[0].textContent.includes(e);
  }, {}, email);
  await click(page, '#users-table button[aria-label^="Approve"]');
  await page.waitForFunction(() => !document.querySelector('#users-table button[aria-label^="Approve"]'));
  await waitText(page, '#users-table', 'approved');
  await checkPage(page, 'admin');
  await shot(page, 'desktop-admin-users');
  await context.close();
  log('an admin approved the identity check');
}

async function sendAbroad(page) {
  await go(page, 'recipients', '#recipient-form');
  await fill(page, '#recipient-form [name=name]', 'Mama Jasmina');
  await page.select('#recipient-form [name=country]', 'RS');
  await fill(page, '#recipient-form [name=bankAccount]', 'RS35 2600 0560 1001 6113 79');
  await click(page, '#recipient-form button[type=submit]');
  await waitText(page, '#recipients-table', 'Mama Jasmina');
  await checkPage(page, 'recipients');
  await shot(page, 'desktop-recipients');

  await go(page, 'pay', '#remit-form');
  await fill(page, '#remit-form [name=amount]', '1000');
  await click(page, '#remit-form button[type=submit]');
  await page.waitForSelector('#remit-confirm', { visible: true });
  const quote = await textOf(page, '.quote');
  for (const want of ['NOK 5.00', 'NOK 1,005.00', 'RSD 11,700']) {
    if (!quote.includes(want)) fail(`the transfer's disclosure lacks ${want}: ${quote}`);
  }
  await click(page, '#remit-confirm');
  await waitText(page, '#view', 'Paid NOK 1,000.00 to Mama Jasmina');
  log('sent a transfer abroad');
}

// Installed in a tab before its scripts run: window.__advance(ms) runs the
// timers due within ms at once, as if that much time had passed, so that
// the script need not wait out the console's minutes.
function fakeClock() {
  const realSet = window.setTimeout.bind(window);
  const realClear = window.clearTimeout.bind(window);
  const pending = new Map();  // timer id -> {due, run}
  window.setTimeout = (fn, ms = 0, ...args) => {
    if (typeof fn !== 'function') return realSet(fn, ms, ...args);
    const run = () => {
      pending.delete(id);
      fn(...args);
    };
    const id = realSet(run, ms);
    pending.set(id, { due: Date.now() + Number(ms), run });
    return id;
  };
  window.clearTimeout = (id) => {
    pending.delete(id);
    realClear(id);
  };
  window.__advance = (ms) => {
    const horizon = Date.now() + ms;
    const due = [...pending].filter(([, t]) => t.due <= horizon).sort(([, a], [, b]) => a.due - b.due);
    for (const [id, t] of due) {
      realClear(id);
      t.run();
    }
    return due.length;
  };
}

// The live indicator's states from now on, without repeats, in window.__states.
async function noteStates(tab) {
  await tab.evaluate(() => {
    const el = document.getElementById('live-status');
    window.__states = [el.dataset.state];
    if (window.__statesObserved) return;
    window.__statesObserved = true;
    new MutationObserver(() => {
      if (window.__states[window.__states.length - 1] !== el.dataset.state) window.__states.push(el.dataset.state);
    }).observe(el, { attributes: true, attributeFilter: ['data-state'] });
  });
}

// Polls rather than waits for frames: a hidden tab draws none.
async function waitState(tab, want, what) {
  try {
    await tab.waitForFunction((w) => {
      const s = window.__states;
      return s[s.length - 1] === w;
    }, { polling: 100, timeout: 15000 }, want);
  } catch (err) {
    fail(`${what}: the live indicator went ${await tab.evaluate(() => window.__states.join(' → '))}, never ${want}`);
  }
  return tab.evaluate(() => window.__states.map((s) => s[0].toUpperCase() + s.slice(1)).join(' → '));
}

async function refusedAs(status, what) {
  await until(() => !expected.some((e) => e.status === status && e.path === STREAM),
    () => `${what}: the stream was not refused ${status} twice (by the browser's request and the console's probe)`);
}

// The stream cut, then refused, and hidden, in a tab opened through the
// relay with the history open: each time the console recovers by itself,
// the history misses nothing that happened meanwhile, and the next payment
// shows live. The person pays by QR through the API, a new amount each time.
async function liveRecovers(context, front, relay, email, merchantId) {
  const { accessToken } = await apiCall('POST', '/api/v1/auth/login', { email, password: PASSWORD });
  let nok = 10;
  const pay = async () => {
    nok += 1;
    await apiCall('POST', '/api/v1/transactions/qr-payment', { merchantId, amount: nok }, accessToken);
    return { row: `-NOK ${nok}.00`, said: `Payment to Fjord Bakery completed (NOK ${nok}.00)` };
  };
  const payLive = async () => {
    const p = await pay();
    await seeLive(tab, p.row, ['completed'], p.said);
  };
  const drop = () => {
    const n = relay.cutStreams();
    if (n !== 1) fail(`the relay carried ${n} event streams, not the one of the relayed tab`);
    cut.failures += 1;
    cut.messages += 1;
  };

  // The first tab shows a page that loads nothing on events, so that only
  // the relayed tab meets the expired access cookie below.
  await go(front, 'security', '#sessions-table');
  const tab = await openPage(context, 'relayed tab');
  await tab.evaluateOnNewDocument(fakeClock);
  const refreshes = [];
  tab.on('request', (req) => { if (new URL(req.url()).pathname === '/api/v1/auth/refresh') refreshes.push(req.method()); });
  // Another origin to the browser (the port differs): signed out until signed in here.
  await tab.goto(`${relay.url}/`);
  await fill(tab, '#signin-form [name=email]', email);
  await fill(tab, '#signin-form [name=password]', PASSWORD);
  await click(tab, '#signin-form button[type=submit]');
  await waitText(tab, '#view-title', 'Welcome, Ada');
  await openLiveHistory(tab);
  await payLive();  // now the browser has an event id to resume from

  // Dropped, then refused when the browser asks again with the last event
  // id: the console asks why (the same request, as fetch), reopens at once
  // without the id, and reloads the history, which shows the payment made
  // meanwhile; the next one comes live.
  const refusedThenLive = async (status, what) => {
    await noteStates(tab);
    const n = relay.asked.length;
    expected.push({ status, path: STREAM }, { status, path: STREAM });
    drop();
    const missed = await pay();
    const went = await waitState(tab, 'live', what);
    await refusedAs(status, what);
    const asked = relay.asked.slice(n);
    if (relay.since(n) !== 'EventSource with an id, fetch with an id, EventSource') {
      fail(`${what}, the tab asked for the stream: ${relay.since(n)}`);
    }
    // The back-off's shortest wait is 4 s.
    const waited = asked[2].at - asked[1].at;
    if (waited > 3000) fail(`${what}, the tab reopened its stream after ${waited} ms, not at once`);
    await waitText(tab, '#history-table', missed.row);
    await payLive();
    return went;
  };

  relay.stale = true;
  let went = await refusedThenLive(400, 'with its last event id unknown to the server');
  relay.stale = false;
  log(`a stream dropped, and its last event id refused 400: ${went}; the payment made meanwhile shown`);

  refreshes.length = 0;
  const cdp = await tab.createCDPSession();
  // By domain and path: the cookie was last set through the relay's port.
  await cdp.send('Network.deleteCookies', { name: 'access_token', domain: new URL(BASE).hostname, path: '/' });
  await cdp.detach();
  went = await refusedThenLive(401, 'with its access cookie expired');
  if (refreshes.length !== 1) fail(`the stream refused 401 cost ${refreshes.length} refreshes, not one`);
  log(`a stream dropped with the access cookie expired, refused 401: ${went}, after one refresh; the payment made meanwhile shown`);

  // Hidden behind another tab for two minutes: the stream is given back,
  // and opened again when the tab is shown.
  await noteStates(tab);
  const n = relay.asked.length;
  await front.bringToFront();
  await tab.waitForFunction(() => document.hidden, { polling: 100 });
  await tab.evaluate(() => window.__advance(120000));
  await waitState(tab, 'paused', 'hidden for two minutes');
  const said = await tab.$eval('#live-status', (el) => el.textContent);
  if (!said.includes('Paused')) fail(`hidden for two minutes, the live indicator reads "${said}"`);
  await until(() => relay.streams() === 0 && streams.get('relayed tab').size === 0,
    () => `hidden for two minutes, the tab still holds ${relay.streams()} event stream(s)`);
  const missed = await pay();
  await tab.bringToFront();
  went = await waitState(tab, 'live', 'shown again');
  if (relay.since(n) !== 'EventSource') fail(`hidden, then shown, the tab asked for the stream: ${relay.since(n)}`);
  if (relay.streams() !== 1) fail(`shown again, the tab holds ${relay.streams()} event streams`);
  await waitText(tab, '#history-table', missed.row);
  await payLive();
  await checkPage(tab, 'relayed history');
  await shot(tab, 'desktop-history-recovered');
  await tab.close();
  await front.bringToFront();
  log(`hidden for two minutes, the tab gave its stream back: ${went}; shown again, the payment made meanwhile is there`);
}

// An access cookie gone (as after its 15 minutes): the overview's four
// requests meet 401, one refresh renews the session, all four are retried.
async function expiredAccess(page) {
  const refreshes = [];
  const count = (req) => { if (req.url().endsWith('/api/v1/auth/refresh')) refreshes.push(req.method()); };
  page.on('request', count);
  const cdp = await page.createCDPSession();
  await cdp.send('Network.deleteCookies', { name: 'access_token', url: `${BASE}/` });
  for (const p of ['/api/v1/auth/me', '/api/v1/bank-accounts', '/api/v1/transactions/summary', '/api/v1/transactions']) {
    expected.push({ status: 401, path: p });
  }
  await go(page, 'overview', '.stats');
  await waitText(page, '#view-title', 'Welcome, Ada');
  page.off('request', count);
  await cdp.detach();
  if (refreshes.length !== 1) fail(`expected one refresh after the access cookie went, saw ${refreshes.length}`);
  log('an expired access cookie cost one refresh, and the page loaded');
}

async function phoneViews(page) {
  await page.setViewport(PHONE);
  for (const [route, ready] of [['overview', '.stats'], ['pay', '#qr-form'], ['history', '#history-table'],
    ['accounts', '#accounts-table'], ['webhooks', '#webhook-form'], ['security', '#keys-table']]) {
    await go(page, route, ready);
    await checkPage(page, `phone ${route}`);
    await shot(page, `phone-${route}`);
  }
  await page.setViewport(DESKTOP);
  log('phone-width views fit 390 px');
}

async function security(page) {
  await go(page, 'security', '#sessions-table');
  await waitText(page, '#sessions-table', 'This device');
  await fill(page, '#key-form [name=name]', 'Reports');
  await click(page, '#key-form button[type=submit]');
  await page.waitForSelector('#new-key-value', { visible: true });
  const key = await textOf(page, '#new-key-value');
  if (!key.startsWith('ck_')) fail(`the new key reads "${key}"`);
  await waitText(page, '#keys-table', 'Reports');
  await checkPage(page, 'security');
  await shot(page, 'desktop-security');
  log('saw this session and created an API key');
}

async function docs(page) {
  await page.setViewport(DESKTOP);
  await page.goto(`${BASE}/docs`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#op-postApiV1TransactionsQrPayment', { visible: true });
  const ops = await page.$$eval('.op', (els) => els.length);
  if (ops < 30) fail(`the docs page shows ${ops} routes`);
  // The suite's server runs with RATE_LIMIT_ENABLED=0, and the page says so
  // instead of listing rules nobody enforces.
  if (!(await page.$eval('#rate-limits-off', (el) => !el.hidden))) fail('the docs page hides that rate limiting is off');
  if (await page.$eval('#rate-rules-table', (el) => !el.hidden)) fail('the docs page lists rate-limit rules that are off');
  if ((await page.$$('.op .meta.small')).length !== 0) fail('the docs page gives routes rate limits that are off');
  await checkPage(page, 'docs');
  await shot(page, 'desktop-docs');
  await page.setViewport(PHONE);
  await checkPage(page, 'phone docs');
  await shot(page, 'phone-docs');
  await page.setViewport(DESKTOP);
  log(`the docs page lists ${ops} routes`);
}

async function main() {
  if (!BASE) fail('usage: node tests/browser/console.js BASE_URL [ADMIN_EMAIL ADMIN_PASSWORD]');
  if (!fs.existsSync(CHROMIUM)) fail(`no Chromium at ${CHROMIUM}: scripts/deps.sh test installs Debian's chromium (or set CHROMIUM_PATH)`);
  fs.mkdirSync(SHOTS, { recursive: true });
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const email = `ada.${tag}@example.com`;
  const merchantId = await makeMerchant(tag);
  log(`merchant ${merchantId} registered through the API`);

  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Tests run as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--lang=en-GB'],
  });
  const receiver = await startReceiver();
  const relay = await startRelay(BASE);
  try {
    const page = await openPage(browser.defaultBrowserContext(), 'console');
    await registerAndSignIn(page, email);
    await shot(page, 'desktop-overview-new');
    await linkAccount(page);
    const secret = await registerWebhook(page, receiver.url);

    // The person pays in a second tab while the history is open in the
    // first and in a phone-sized third (opened at that size: switching a
    // page to phone emulation reloads it).
    const context = browser.defaultBrowserContext();
    const phone = await openPage(context, 'phone tab', PHONE);
    await phone.goto(`${BASE}/#/history`);
    await openLiveHistory(phone);
    await page.bringToFront();
    await openLiveHistory(page);
    const payer = await openPage(context, 'second tab');
    await payer.goto(`${BASE}/#/pay`);
    await payer.waitForSelector('#qr-form', { visible: true });
    await payMerchant(payer, merchantId);
    await page.bringToFront();
    await seeLive(page, 'Fjord Bakery (QR)', ['completed'], 'Payment to Fjord Bakery completed');
    await seeLive(phone, 'Fjord Bakery (QR)', ['completed'], 'Payment to Fjord Bakery completed');
    await seeHistory(page, ['Fjord Bakery (QR)', '-NOK 250.00', 'completed']);
    if (ADMIN) {
      await openLiveHistory(page);
      await approveAsAdmin(browser, email);
      await payer.bringToFront();
      await sendAbroad(payer);
      await page.bringToFront();
      await seeLive(page, 'To Mama Jasmina', ['processing', 'completed'], 'Payment to Mama Jasmina completed');
      await seeLive(phone, 'To Mama Jasmina', ['processing', 'completed'], 'Payment to Mama Jasmina completed');
      await waitText(page, '#history-table', '-NOK 1,000.00');
    }
    await payer.close();
    await checkPage(page, 'live history');
    await shot(page, 'desktop-history-live');
    await phone.bringToFront();
    await checkPage(phone, 'phone live history');
    await shot(phone, 'phone-history-live');
    await page.bringToFront();
    await webhookDeliveries(page, phone, receiver, secret);
    await streamCap(context, page);
    await go(page, 'overview', '.stats');
    await waitText(page, '.stats', ADMIN ? 'NOK 48,742.50' : 'NOK 49,747.50');
    await checkPage(page, 'overview');
    await shot(page, 'desktop-overview');
    await security(page);
    await liveRecovers(context, page, relay, email, merchantId);
    await expiredAccess(page);
    await phoneViews(page);
    await click(page, '#sign-out');
    await page.waitForSelector('#signin-form', { visible: true });
    await streamsClosed('console');
    if (!(await page.$eval('#live-status', (el) => el.hidden))) fail('the live indicator is still shown after signing out');
    await page.setViewport(PHONE);
    await checkPage(page, 'phone sign-in');
    await shot(page, 'phone-signin');
    log('signed out');
    await docs(page);
  } finally {
    await browser.close();
    receiver.close();
    relay.close();
  }
  if (expected.length) problems.push(`expected errors that never came: ${JSON.stringify(expected)}`);
  if (problems.length) fail(`problems:\n  ${problems.join('\n  ')}`);
  log(`passed; screenshots in ${path.relative(process.cwd(), SHOTS)}/`);
}

const watchdog = setTimeout(() => {
  console.error(`timed out after 240 s; problems so far: ${problems.join('; ') || 'none'}`);
  process.exit(1);
}, 240000);

main().then(() => {
  clearTimeout(watchdog);
  process.exit(0);
}, (err) => {
  console.error(err && err.stack ? err.stack : String(err));
  if (problems.length) console.error(`also: ${problems.join('; ')}`);
  process.exit(1);
});

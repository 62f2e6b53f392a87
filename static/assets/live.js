// The console's live feed: one EventSource on GET /api/v1/events while
// signed in (the access cookie authenticates it, as it does every request).
//
// After a dropped connection the browser reconnects by itself, sending
// Last-Event-ID, and the server resumes right after that event: nothing is
// missed. When the server refuses the stream instead, EventSource gives up
// without saying why, so one fetch of the same URL asks for the status:
//   401  the access cookie expired: the console's shared refresh, then reopen;
//   400  the last event id is unknown here: reopen without it;
//   503  too many streams (SSE_MAX_PER_USER): wait, longer each time.
// Only the first failure in a row reopens at once; later ones wait 5, 10,
// 20, 40, then 60 s, so a refusing server is never hammered. A stream that
// was opened afresh may have missed events: listeners then get 'resync' and
// reload what they show. A tab hidden for two minutes gives its stream back
// and opens a new one when it is shown again.

import { renewSession } from './api.js';

export const EVENT_TYPES = [
  'bank_account.linked', 'complaint.created', 'merchant.registered', 'password_reset.requested',
  'recipient.created', 'transaction.completed', 'transaction.created', 'transaction.failed',
];

const STREAM_URL = '/api/v1/events';
const BACKOFF_S = [5, 10, 20, 40, 60];
const HIDDEN_MS = 120000;

let handlers = { message: () => {}, state: () => {} };
let wanted = false;    // signed in: a stream should be open
let source = null;     // the EventSource in use, or null
let timer = 0;         // the pending reopen
let hiddenTimer = 0;
let paused = false;    // closed because the tab was hidden
let failures = 0;      // refusals since the last open stream
let lastId = '';       // the last event received
let wasOpen = false;   // a stream was open before: a fresh one must resync
let resyncDue = false;

function setState(state) {
  handlers.state(state);
}

function shut() {
  clearTimeout(timer);
  timer = 0;
  if (source) {
    source.close();
    source = null;
  }
}

function open() {
  shut();
  if (!wanted) return;
  const es = new EventSource(STREAM_URL);
  source = es;
  setState(wasOpen ? 'reconnecting' : 'connecting');
  es.addEventListener('open', () => {
    if (es !== source) return;
    failures = 0;
    wasOpen = true;
    setState('live');
    if (resyncDue) {
      resyncDue = false;
      handlers.message('resync', null);
    }
  });
  for (const type of EVENT_TYPES) {
    es.addEventListener(type, (e) => {
      if (es !== source) return;
      if (e.lastEventId) lastId = e.lastEventId;
      let body;
      try {
        body = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      handlers.message(type, body);
    });
  }
  es.addEventListener('error', () => {
    if (es !== source) return;
    // CONNECTING: the browser is already trying again, with Last-Event-ID.
    if (es.readyState === EventSource.CONNECTING) {
      setState('reconnecting');
      return;
    }
    shut();
    setState('reconnecting');
    diagnose();
  });
}

// The status the server answers the stream with now; 0 when unreachable.
async function probe() {
  const abort = new AbortController();
  try {
    const res = await fetch(STREAM_URL, { credentials: 'same-origin', signal: abort.signal,
      headers: lastId ? { 'Last-Event-ID': lastId } : {} });
    return res.status;
  } catch (err) {
    return 0;
  } finally {
    abort.abort();  // a 200 would stream on: only its status was wanted
  }
}

function later(attempt) {
  const base = BACKOFF_S[Math.min(attempt, BACKOFF_S.length) - 1] * 1000;
  return base * (0.8 + Math.random() * 0.4);
}

function reopen(delay) {
  clearTimeout(timer);
  resyncDue = resyncDue || wasOpen;
  timer = setTimeout(() => { timer = 0; open(); }, delay);
}

async function diagnose() {
  failures += 1;
  const status = await probe();
  if (!wanted || source || paused) return;
  if (status === 401) {
    if (failures > 1) reopen(later(failures - 1));
    else if (await renewSession()) reopen(0);  // otherwise the console signs out
    return;
  }
  if (status === 400) lastId = '';
  if (status === 503) reopen(later(failures));
  else reopen(failures > 1 ? later(failures - 1) : 0);
}

document.addEventListener('visibilitychange', () => {
  clearTimeout(hiddenTimer);
  if (!wanted) return;
  if (document.hidden) {
    hiddenTimer = setTimeout(() => {
      if (!document.hidden || !wanted) return;
      shut();
      paused = true;
      setState('paused');
    }, HIDDEN_MS);
  } else if (paused) {
    paused = false;
    resyncDue = true;
    open();
  }
});

// Opens the stream. on: {message(type, body), state(name)}: type is an
// event type with the event's body ({id, type, data, timestamp}), or
// 'resync' with null; state is connecting, live, reconnecting, paused or off.
export function startLive(on) {
  handlers = on;
  wanted = true;
  paused = false;
  failures = 0;
  lastId = '';
  wasOpen = false;
  resyncDue = false;
  open();
}

export function stopLive() {
  wanted = false;
  paused = false;
  clearTimeout(hiddenTimer);
  shut();
  setState('off');
}

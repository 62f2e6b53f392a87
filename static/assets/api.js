// The console's one way to the API. Authentication is the HttpOnly cookies
// that login sets: this script never sees a token. fetch() sends Origin on
// every POST, PUT, PATCH and DELETE, which is what the server's CSRF check
// asks of a cookie-authenticated request.
//
// A 401 is answered once by POST /auth/refresh and the request retried. One
// refresh serves every request sent before it: those that meet their 401
// while it runs wait for it, those that meet it after it just retry. When
// the refresh fails too, the session is over and onSignedOut is called.

export class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || `Request failed (${status})`);
    this.status = status;
    this.code = (error && error.code) || 'network_error';
    this.details = (error && error.details) || null;
    this.requestId = (error && error.requestId) || '';
  }

  // Field errors as {field: message}, when the server named fields.
  fieldErrors() {
    const out = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details) if (d && d.field && !(d.field in out)) out[d.field] = d.message;
    }
    return out;
  }
}

const NO_REFRESH = new Set(['/api/v1/auth/login', '/api/v1/auth/register', '/api/v1/auth/refresh']);

let refreshing = null;  // the refresh in flight
let generation = 0;     // successful refreshes so far
let signedOutHandler = () => {};

export function onSignedOut(fn) {
  signedOutHandler = fn;
}

// A random version-4 UUID. crypto.randomUUID() exists only in secure
// contexts; a console served over plain HTTP on a LAN address is not one.
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function send(method, path, body, headers) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, { code: 'network_error', message: 'The server could not be reached. Check the connection and try again.' });
  }
  if (res.status === 204) return { status: 204, body: null };
  let json = null;
  try {
    json = await res.json();
  } catch (err) {
    json = null;
  }
  if (!res.ok || !json || json.success === false) {
    throw new ApiError(res.status, json && json.error);
  }
  return { status: res.status, body: json };
}

function refreshOnce() {
  if (!refreshing) {
    refreshing = send('POST', '/api/v1/auth/refresh', {}, {})
      .then(() => { generation += 1; return true; }, () => false)
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

// The same shared refresh, for what cannot go through api(): the event
// stream, whose EventSource does not say why it was refused. Resolves true
// once the session is renewed; when it cannot be, onSignedOut runs.
export async function renewSession() {
  const renewed = await refreshOnce();
  if (!renewed) signedOutHandler();
  return renewed;
}

// Calls the API; resolves with {data, pagination, message, status} or
// rejects with an ApiError. options: {body, idempotencyKey}.
export async function api(method, path, options = {}) {
  const headers = {};
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  const sentAfter = generation;
  try {
    const { status, body } = await send(method, path, options.body, headers);
    return { status, data: body && body.data, pagination: body && body.pagination, message: body && body.message };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401 || NO_REFRESH.has(path)) throw err;
    const renewed = generation !== sentAfter || (await refreshOnce());
    if (!renewed) {
      signedOutHandler();
      throw err;
    }
    try {
      const { status, body } = await send(method, path, options.body, headers);
      return { status, data: body && body.data, pagination: body && body.pagination, message: body && body.message };
    } catch (again) {
      if (again instanceof ApiError && again.status === 401) signedOutHandler();
      throw again;
    }
  }
}

export const get = (path) => api('GET', path);
export const post = (path, body, options = {}) => api('POST', path, { ...options, body });
export const patch = (path, body) => api('PATCH', path, { body });
export const del = (path) => api('DELETE', path);

// "?a=1&b=x" from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// The API reference, rendered in the browser from the server's own OpenAPI
// document (GET /api/v1/openapi.json): nothing else is fetched. Every piece
// of document text goes into the page through textContent, never as HTML.

import { h, clear } from './dom.js';
import { describeType, constraintsOf, flattenSchema, exampleOf, resolveRef } from './schema.js';

// Services in the order a reader meets them; any other tag follows.
const TAG_ORDER = ['system', 'auth', 'users', 'api-keys', 'bank-accounts', 'rates', 'recipients',
  'transactions', 'merchants', 'notifications', 'settings', 'compliance', 'cards', 'admin'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const RATE_CLASS_TEXT = {
  none: 'never limited',
  standard: 'standard: by the caller\'s role when signed in, by IP when anonymous',
  auth: 'auth',
  payments: 'payments, on top of the caller\'s standard rule',
  rates: 'rates',
};
const PER_TEXT = { ip: 'client IP', user: 'user' };

// "60 per minute and 1000 per hour" from [{count, windowSeconds}].
function limitsText(limits) {
  if (!limits || limits.length === 0) return 'unlimited';
  const unit = (s) => {
    if (s % 3600 === 0) return s === 3600 ? 'hour' : `${s / 3600} hours`;
    if (s % 60 === 0) return s === 60 ? 'minute' : `${s / 60} minutes`;
    return s === 1 ? 'second' : `${s} seconds`;
  };
  return limits.map((l) => `${l.count} per ${unit(l.windowSeconds)}`).join(' and ');
}

// The rules this server was started with (x-rate-limits), not the defaults.
function renderRateLimits(doc) {
  const table = doc['x-rate-limits'] || { enabled: false, rules: [] };
  const body = $('rate-rules');
  clear(body);
  $('rate-limits-off').hidden = table.enabled;
  $('rate-rules-table').hidden = !table.enabled;
  for (const r of table.rules) {
    let who = r.appliesTo === 'anyone' ? '' : `, ${r.appliesTo}`;
    if (r.class === 'payments') who += ', on top of the standard rule';
    body.append(h('tr', {}, h('td', {}, h('code', {}, r.class), who),
      h('td', {}, r.limits.length === 0 ? '—' : (PER_TEXT[r.per] || r.per)),
      h('td', {}, limitsText(r.limits))));
  }
  body.append(h('tr', {}, h('td', {}, h('code', {}, 'none')), h('td', {}, '—'), h('td', {}, 'never limited')));
}

const $ = (id) => document.getElementById(id);

// Text with `code` spans, as nodes.
function richText(text) {
  const parts = String(text).split('`');
  return parts.map((part, i) => (i % 2 === 1 ? h('code', {}, part) : document.createTextNode(part)));
}

function anchorFor(op, method, path) {
  const raw = op.operationId || `${method}-${path}`;
  return 'op-' + raw.replace(/[^A-Za-z0-9_-]/g, '-');
}

function operationsByTag(doc) {
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ method, path, op });
    }
  }
  const rank = (t) => (TAG_ORDER.includes(t) ? TAG_ORDER.indexOf(t) : TAG_ORDER.length);
  return [...byTag.entries()].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
}

function fieldTable(rows, caption) {
  if (rows.length === 0) return h('p', { class: 'muted small' }, 'No fields.');
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'fields' },
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Type'),
        h('th', { scope: 'col' }, 'Rules and meaning'))),
      h('tbody', {}, rows.map((r) => h('tr', {},
        h('td', {}, h('code', {}, r.name), r.required ? h('span', { class: 'req' }, ' required') : null),
        h('td', {}, r.type),
        h('td', {}, r.rules.length ? h('span', { class: 'rules' }, r.rules.join('; ')) : null,
          r.rules.length && r.description ? h('br') : null,
          r.description ? richText(r.description) : null))))));
}

function authLine(op, doc) {
  if (!op.security || op.security.length === 0) {
    return h('span', { class: 'badge' }, 'Public: no sign-in');
  }
  const role = op['x-required-role'] || 'user';
  const ways = [];
  let scopes = [];
  for (const req of op.security) {
    for (const [name, list] of Object.entries(req)) {
      const scheme = (doc.components && doc.components.securitySchemes || {})[name] || {};
      if (name === 'apiKeyAuth') scopes = list;
      ways.push(scheme.type === 'http' ? 'bearer token' : name === 'cookieAuth' ? 'access cookie' : 'API key');
    }
  }
  const nodes = [h('span', { class: 'badge badge-accent' }, `Role ${role} or above`),
    h('span', { class: 'small muted' }, ` ${ways.join(', ')}`)];
  if (scopes.length) nodes.push(h('span', { class: 'small muted' }, `; key scopes: ${scopes.join(', ')}`));
  else nodes.push(h('span', { class: 'small muted' }, '; not open to API keys'));
  return nodes;
}

function curlExample(method, path, op, body) {
  const lines = [`curl -X ${method.toUpperCase()} '${location.origin}${path}'`];
  if (op.security && op.security.length) lines.push(`  -H 'Authorization: Bearer $ACCESS_TOKEN'`);
  if (body !== undefined) {
    lines.push(`  -H 'Content-Type: application/json'`);
    lines.push(`  -d '${JSON.stringify(body)}'`);
  }
  return lines.join(' \\\n');
}

function parametersBlock(doc, op) {
  const params = (op.parameters || []).map((p) => resolveRef(doc, p))
    .filter((p) => !(p.in === 'header' && p.name === 'X-Correlation-ID'));
  if (params.length === 0) return null;
  return h('div', { class: 'block' }, h('h4', {}, 'Parameters'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'fields' },
      h('caption', { class: 'sr-only' }, 'Parameters'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'In'),
        h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Meaning'))),
      h('tbody', {}, params.map((p) => {
        const schema = resolveRef(doc, p.schema || {});
        const rules = constraintsOf(schema);
        return h('tr', {},
          h('td', {}, h('code', {}, p.name), p.required ? h('span', { class: 'req' }, ' required') : null),
          h('td', {}, p.in), h('td', {}, describeType(doc, schema)),
          h('td', {}, rules.length ? h('span', { class: 'rules' }, rules.join('; ')) : null,
            rules.length && p.description ? h('br') : null, p.description ? richText(p.description) : null));
      })))));
}

function requestBlock(doc, method, path, op) {
  const content = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
  if (!content) {
    return h('details', { class: 'example' }, h('summary', {}, 'Example request'),
      h('pre', {}, h('code', {}, curlExample(method, path, op))));
  }
  const schema = resolveRef(doc, content.schema || {});
  const example = exampleOf(doc, schema);
  return h('div', { class: 'block' }, h('h4', {}, 'Request body'),
    fieldTable(flattenSchema(doc, schema), 'Request body fields'),
    h('details', { class: 'example' }, h('summary', {}, 'Example request'),
      h('pre', {}, h('code', {}, curlExample(method, path, op, example)))));
}

function successBlock(doc, op) {
  const entries = Object.entries(op.responses || {}).filter(([s]) => s.startsWith('2'));
  return entries.map(([status, raw]) => {
    const resp = resolveRef(doc, raw);
    const json = resp.content && resp.content['application/json'];
    const head = h('h4', {}, `Response ${status}`, h('span', { class: 'muted small' }, ` ${resp.description || ''}`));
    if (!json) return h('div', { class: 'block' }, head, h('p', { class: 'muted small' }, 'No body.'));
    const schema = resolveRef(doc, json.schema || {});
    const props = schema.properties || {};
    const enveloped = props.success && props.data;
    const shape = enveloped ? resolveRef(doc, props.data) : schema;
    const rows = enveloped || !props.success ? flattenSchema(doc, shape) : [];
    return h('div', { class: 'block' }, head,
      enveloped ? h('p', { class: 'small muted' }, 'Fields of data:') : null,
      rows.length || enveloped ? fieldTable(rows, 'Response fields') : null,
      h('details', { class: 'example' }, h('summary', {}, 'Example response'),
        h('pre', {}, h('code', {}, JSON.stringify(exampleOf(doc, schema), null, 2)))));
  });
}

function errorsBlock(doc, op) {
  const entries = Object.entries(op.responses || {}).filter(([s]) => !s.startsWith('2'));
  if (entries.length === 0) return null;
  return h('div', { class: 'block' }, h('h4', {}, 'Errors'),
    h('ul', { class: 'errors' }, entries.map(([status, raw]) => {
      const resp = resolveRef(doc, raw);
      const name = raw.$ref ? raw.$ref.split('/').pop() : '';
      return h('li', {}, h('code', {}, status), ` ${name}: `, richText(resp.description || ''));
    })));
}

function renderOperation(doc, { method, path, op }) {
  const rate = op['x-rate-limit-class'];
  return h('article', { class: 'op', id: anchorFor(op, method, path), 'data-search': `${method} ${path} ${op.summary || ''}`.toLowerCase() },
    h('header', { class: 'op-head' },
      h('h3', {}, h('span', { class: `method method-${method}` }, method.toUpperCase()), ' ',
        h('code', { class: 'path' }, path)),
      h('p', { class: 'summary' }, op.summary || '', op.deprecated ? h('span', { class: 'badge badge-warning' }, ' Deprecated') : null)),
    op.description ? h('p', {}, richText(op.description)) : null,
    h('p', { class: 'meta' }, authLine(op, doc)),
    rate && doc['x-rate-limits'] && doc['x-rate-limits'].enabled
      ? h('p', { class: 'meta small muted' }, `Rate limit: ${RATE_CLASS_TEXT[rate] || rate}`) : null,
    parametersBlock(doc, op),
    requestBlock(doc, method, path, op),
    successBlock(doc, op),
    errorsBlock(doc, op));
}

function renderReference(doc) {
  const services = $('services');
  const toc = $('toc-list');
  clear(services);
  clear(toc);
  toc.append(h('li', {}, h('a', { href: '#overview' }, 'Overview')),
    h('li', {}, h('a', { href: '#conventions' }, 'Requests and responses')),
    h('li', {}, h('a', { href: '#auth' }, 'Authentication')),
    h('li', {}, h('a', { href: '#errors' }, 'Errors')),
    h('li', {}, h('a', { href: '#rate-limits' }, 'Rate limits')));
  for (const [tag, ops] of operationsByTag(doc)) {
    const id = `tag-${tag.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    services.append(h('section', { class: 'service', id, 'aria-labelledby': `${id}-title` },
      h('h2', { id: `${id}-title` }, tag, h('span', { class: 'muted small' }, ` ${ops.length} route${ops.length === 1 ? '' : 's'}`)),
      ops.map((o) => renderOperation(doc, o))));
    toc.append(h('li', { class: 'toc-tag', 'data-tag': id }, h('a', { href: `#${id}` }, tag),
      h('ol', { class: 'toc-ops' }, ops.map((o) => h('li', { 'data-op': anchorFor(o.op, o.method, o.path) },
        h('a', { href: `#${anchorFor(o.op, o.method, o.path)}` },
          h('span', { class: `method method-${o.method}` }, o.method.toUpperCase()), ' ', o.path))))));
  }
}

function renderIntro(doc) {
  const info = doc.info || {};
  $('overview-title').textContent = info.title || 'API';
  $('api-description').textContent = info.description || '';
  $('api-version').textContent = info.version || '';
  $('api-base').textContent = location.origin + '/api/v1';
  const schemes = (doc.components && doc.components.securitySchemes) || {};
  const body = $('schemes').tBodies[0];
  for (const [name, s] of Object.entries(schemes)) {
    const how = s.type === 'http' ? `Authorization: ${s.scheme} …` : `${s.in} ${s.name}`;
    body.append(h('tr', {}, h('td', {}, h('code', {}, name)), h('td', {}, h('code', {}, how)),
      h('td', {}, s.description || '')));
  }
  const responses = (doc.components && doc.components.responses) || {};
  const statusOf = {};
  for (const item of Object.values(doc.paths || {})) {
    for (const op of Object.values(item)) {
      for (const [status, r] of Object.entries((op && op.responses) || {})) {
        if (r.$ref) statusOf[r.$ref.split('/').pop()] = status;
      }
    }
  }
  const rows = Object.entries(responses).map(([name, r]) => [statusOf[name] || '', name, r.description || ''])
    .sort((a, b) => a[0].localeCompare(b[0]));
  const errors = $('error-table').tBodies[0];
  for (const [status, name, text] of rows) {
    errors.append(h('tr', {}, h('td', {}, h('code', {}, status)), h('td', {}, name), h('td', {}, richText(text))));
  }
}

function applyFilter(text) {
  const q = text.trim().toLowerCase();
  for (const section of document.querySelectorAll('.service')) {
    let shown = 0;
    for (const op of section.querySelectorAll('.op')) {
      const hit = !q || op.dataset.search.includes(q) || section.id.includes(q);
      op.hidden = !hit;
      const entry = document.querySelector(`[data-op="${op.id}"]`);
      if (entry) entry.hidden = !hit;
      if (hit) shown += 1;
    }
    section.hidden = shown === 0;
    const tocTag = document.querySelector(`[data-tag="${section.id}"]`);
    if (tocTag) tocTag.hidden = shown === 0;
  }
}

async function main() {
  const status = $('status');
  let doc;
  try {
    const res = await fetch('/api/v1/openapi.json', { headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    doc = await res.json();
  } catch (err) {
    status.className = 'alert alert-error';
    status.setAttribute('role', 'alert');
    status.textContent = `Could not load the API description: ${err.message}`;
    return;
  }
  renderIntro(doc);
  renderRateLimits(doc);
  renderReference(doc);
  for (const id of ['overview', 'conventions', 'auth', 'errors', 'rate-limits']) $(id).hidden = false;
  status.hidden = true;
  $('filter').addEventListener('input', (e) => applyFilter(e.target.value));
  if (location.hash.length > 1) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) target.scrollIntoView();
  }
}

main();

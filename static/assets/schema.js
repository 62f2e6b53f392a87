// Reading the JSON Schemas of an OpenAPI 3.1 document for people: a type
// in words, its rules, its fields as rows, and an example value.

// Follows a local "$ref" ("#/components/schemas/X") to its target.
export function resolveRef(doc, node, depth = 0) {
  if (!node || typeof node !== 'object' || !node.$ref || depth > 8) return node || {};
  const ref = String(node.$ref);
  if (!ref.startsWith('#/')) return {};
  let cur = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!cur || typeof cur !== 'object' || !(key in cur)) return {};
    cur = cur[key];
  }
  return resolveRef(doc, cur, depth + 1);
}

function variants(schema) {
  return schema.oneOf || schema.anyOf || null;
}

export function describeType(doc, raw, depth = 0) {
  const s = resolveRef(doc, raw);
  if (depth > 4) return 'value';
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const alts = variants(s);
  if (alts) return alts.map((v) => describeType(doc, v, depth + 1)).join(' or ');
  let type = s.type;
  if (Array.isArray(type)) return type.join(' or ');
  if (!type) type = s.properties ? 'object' : s.items ? 'array' : 'any';
  if (type === 'array') return `array of ${describeType(doc, s.items || {}, depth + 1)}`;
  if (s.format) return `${type} (${s.format})`;
  return type;
}

export function constraintsOf(s) {
  const out = [];
  const pairs = [
    ['minLength', (v) => `at least ${v} characters`], ['maxLength', (v) => `at most ${v} characters`],
    ['minimum', (v) => `≥ ${v}`], ['maximum', (v) => `≤ ${v}`],
    ['exclusiveMinimum', (v) => `> ${v}`], ['exclusiveMaximum', (v) => `< ${v}`],
    ['multipleOf', (v) => `multiple of ${v}`],
    ['minItems', (v) => `at least ${v} items`], ['maxItems', (v) => `at most ${v} items`],
    ['pattern', (v) => `matches ${v}`], ['default', (v) => `default ${JSON.stringify(v)}`],
  ];
  for (const [key, text] of pairs) if (key in s) out.push(text(s[key]));
  if (s.uniqueItems) out.push('unique items');
  if (s.deprecated) out.push('deprecated');
  return out;
}

// Rows {name, type, required, rules, description} for every field, nested
// fields as "a.b" and array items as "a[].b", a few levels deep.
export function flattenSchema(doc, raw, prefix = '', depth = 0, rows = []) {
  const s = resolveRef(doc, raw);
  if (depth > 4) return rows;
  const alts = variants(s);
  if (alts && !s.properties) {
    for (const alt of alts) flattenSchema(doc, alt, prefix, depth + 1, rows);
    return rows;
  }
  if ((s.type === 'array' || s.items) && !s.properties) {
    const items = resolveRef(doc, s.items || {});
    if (items.properties) flattenSchema(doc, items, prefix ? `${prefix}[]` : '[]', depth + 1, rows);
    return rows;
  }
  const required = new Set(s.required || []);
  for (const [name, propRaw] of Object.entries(s.properties || {})) {
    const prop = resolveRef(doc, propRaw);
    const full = prefix ? `${prefix}.${name}` : name;
    rows.push({ name: full, type: describeType(doc, prop), required: required.has(name),
      rules: constraintsOf(prop), description: prop.description || '' });
    const items = prop.items ? resolveRef(doc, prop.items) : null;
    if (prop.properties) flattenSchema(doc, prop, full, depth + 1, rows);
    else if (items && items.properties) flattenSchema(doc, items, `${full}[]`, depth + 1, rows);
  }
  return rows;
}

const SAMPLE_BY_NAME = {
  email: 'ada@example.com', password: 'Passw0rd1', firstName: 'Ada', lastName: 'Lovelace',
  phone: '+4712345678', dateOfBirth: '1990-04-30', currency: 'NOK', country: 'RS',
  bankName: 'DNB', name: 'Mama Jasmina', businessName: 'Ahmetov Kebab', orgNumber: '123456789',
  bankAccount: 'RS35260005601001611379', amount: 100, requestId: 'req_9f2c0d1e4b7a3c55',
};

function sampleString(name, s) {
  if (name in SAMPLE_BY_NAME) return SAMPLE_BY_NAME[name];
  if (s.format === 'date-time') return '2026-01-15T10:30:00Z';
  if (s.format === 'date') return '2026-01-15';
  if (s.format === 'email') return 'ada@example.com';
  if (s.format === 'uri') return 'https://example.com/hook';
  const prefix = /^\^([a-z]+_)/.exec(s.pattern || '');
  if (prefix) return `${prefix[1]}9f2c0d1e4b7a3c55`;
  if (/(^id$|Id$)/.test(name)) return 'usr_9f2c0d1e4b7a3c55';
  if (/At$/.test(name)) return '2026-01-15T10:30:00Z';
  return name ? `${name} text` : 'text';
}

// An example value for a schema: its own example, default, const or first
// enum value when it has one, else one made up from the type and name.
export function exampleOf(doc, raw, name = '', depth = 0) {
  const s = resolveRef(doc, raw);
  if (depth > 6) return null;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if ('example' in s) return s.example;
  if ('const' in s) return s.const;
  if ('default' in s) return s.default;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const alts = variants(s);
  if (alts && alts.length) return exampleOf(doc, alts[0], name, depth + 1);
  let type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (!type) type = s.properties ? 'object' : s.items ? 'array' : 'string';
  switch (type) {
    case 'object': {
      const out = {};
      for (const [key, prop] of Object.entries(s.properties || {})) {
        out[key] = exampleOf(doc, prop, key, depth + 1);
      }
      return out;
    }
    case 'array':
      return s.items ? [exampleOf(doc, s.items, name, depth + 1)] : [];
    case 'integer':
      return 'minimum' in s ? s.minimum : name in SAMPLE_BY_NAME ? SAMPLE_BY_NAME[name] : 1;
    case 'number':
      return 'minimum' in s && s.minimum > 0 ? s.minimum : name in SAMPLE_BY_NAME ? SAMPLE_BY_NAME[name] : 100;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return sampleString(name, s);
  }
}

#!/usr/bin/env node
// Validates an OpenAPI 3.1 document with npm's @apidevtools/swagger-parser,
// so the API tests (tests/api/openapi_test.cpp) can check Cairn's document
// with a validator that is not Cairn's own.
//
//   node openapi.js [file]      the document as JSON; no file or "-": stdin
//
// Three passes, each a hard failure:
//   1. SwaggerParser.validate: every $ref resolves, and the document matches
//      the OpenAPI 3.1 schema (the 2021-09-28 JSON Schema of the spec).
//   2. Every Schema Object against the JSON Schema 2020-12 meta-schema. The
//      OpenAPI 3.1 schema takes a Schema Object as any object (swagger-parser
//      replaces the spec's $dynamicRef to the dialect with just that), so a
//      misspelt type or a `required` that is not a list would pass pass 1.
//   3. The rules of the spec that swagger-parser checks for Swagger 2.0 only:
//      operationIds are unique, a path's {name}s are exactly its path
//      parameters, and security requirements name declared schemes.
//
// Prints one line and exits 0 when the document is valid; otherwise prints
// the validator's message on stderr and exits 1 (2: bad usage, an unreadable
// file, or the package is not installed).
'use strict';

const fs = require('fs');

function fail(code, message) {
  process.stderr.write(message.endsWith('\n') ? message : message + '\n');
  process.exit(code);
}

let SwaggerParser;
let Ajv2020;
try {
  SwaggerParser = require('@apidevtools/swagger-parser');
  Ajv2020 = require('ajv/dist/2020');
} catch (e) {
  fail(2, `${e.message}\nscripts/deps.sh test installs tests/interop/node_modules`);
}

const kMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// Every Schema Object the document holds directly (not inside another
// schema: the meta-schema checks those), as [where, schema].
function schemaObjects(doc) {
  const found = [];
  const content = (where, c) => {
    for (const [type, media] of Object.entries(c || {})) {
      if (media && media.schema !== undefined) found.push([`${where}/content/${type}/schema`, media.schema]);
    }
  };
  const withSchema = (where, o) => {
    if (!o || o.$ref !== undefined) return;
    if (o.schema !== undefined) found.push([`${where}/schema`, o.schema]);
    content(where, o.content);
  };
  const response = (where, r) => {
    if (!r || r.$ref !== undefined) return;
    content(where, r.content);
    for (const [name, h] of Object.entries(r.headers || {})) withSchema(`${where}/headers/${name}`, h);
  };
  const operation = (where, op) => {
    (op.parameters || []).forEach((p, i) => withSchema(`${where}/parameters/${i}`, p));
    if (op.requestBody && op.requestBody.$ref === undefined) content(`${where}/requestBody`, op.requestBody.content);
    for (const [status, r] of Object.entries(op.responses || {})) response(`${where}/responses/${status}`, r);
  };
  for (const [path, item] of Object.entries(doc.paths || {})) {
    const where = `#/paths/${path}`;
    (item.parameters || []).forEach((p, i) => withSchema(`${where}/parameters/${i}`, p));
    for (const m of kMethods) if (item[m]) operation(`${where}/${m}`, item[m]);
  }
  const c = doc.components || {};
  for (const [name, s] of Object.entries(c.schemas || {})) found.push([`#/components/schemas/${name}`, s]);
  for (const [name, p] of Object.entries(c.parameters || {})) withSchema(`#/components/parameters/${name}`, p);
  for (const [name, h] of Object.entries(c.headers || {})) withSchema(`#/components/headers/${name}`, h);
  for (const [name, r] of Object.entries(c.responses || {})) response(`#/components/responses/${name}`, r);
  for (const [name, b] of Object.entries(c.requestBodies || {})) {
    if (b && b.$ref === undefined) content(`#/components/requestBodies/${name}`, b.content);
  }
  return found;
}

function checkSchemas(doc) {
  const ajv = new Ajv2020({strict: false, validateFormats: false});
  const found = schemaObjects(doc);
  const errors = [];
  for (const [where, schema] of found) {
    if (!ajv.validateSchema(schema)) {
      for (const e of ajv.errors) errors.push(`  ${where}${e.instancePath} ${e.message}`);
    }
  }
  if (errors.length) throw new SyntaxError('JSON Schema 2020-12 validation failed.\n' + errors.join('\n'));
  return found.length;
}

// A path parameter is resolved through a $ref only in components/parameters.
function parameterOf(doc, p) {
  if (!p || p.$ref === undefined) return p || {};
  const prefix = '#/components/parameters/';
  return p.$ref.startsWith(prefix) ? (doc.components.parameters[p.$ref.slice(prefix.length)] || {}) : {};
}

function checkSecurity(doc, where, requirements) {
  const schemes = (doc.components || {}).securitySchemes || {};
  for (const requirement of requirements || []) {
    for (const name of Object.keys(requirement)) {
      if (!Object.hasOwn(schemes, name)) throw new SyntaxError(`${where}: unknown security scheme '${name}'`);
    }
  }
}

function checkSpecRules(doc) {
  checkSecurity(doc, '#/security', doc.security);
  const ids = new Map();
  let operations = 0;
  for (const [path, item] of Object.entries(doc.paths || {})) {
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    for (const m of kMethods) {
      const op = item[m];
      if (!op) continue;
      ++operations;
      const where = `${m.toUpperCase()} ${path}`;
      checkSecurity(doc, where, op.security);
      if (op.operationId !== undefined) {
        if (ids.has(op.operationId)) {
          throw new SyntaxError(`Duplicate operationId '${op.operationId}': ${ids.get(op.operationId)} and ${where}`);
        }
        ids.set(op.operationId, where);
      }
      const declared = [...(item.parameters || []), ...(op.parameters || [])]
                           .map((p) => parameterOf(doc, p))
                           .filter((p) => p.in === 'path')
                           .map((p) => p.name);
      const unique = [...new Set(declared)].sort();
      if (JSON.stringify(unique) !== JSON.stringify(templated)) {
        throw new SyntaxError(`${where}: path parameters [${unique}] do not match the template [${templated}]`);
      }
    }
  }
  return operations;
}

async function main(args) {
  if (args.length > 1) fail(2, 'usage: openapi.js [file|-]');
  const file = args.length === 1 && args[0] !== '-' ? args[0] : 0;  // 0: stdin
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    fail(2, `cannot read the document: ${e.message}`);
  }
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail(1, `not a JSON document: ${e.message}`);
  }
  const version = doc !== null && typeof doc === 'object' ? doc.openapi : undefined;
  if (typeof version !== 'string' || !version.startsWith('3.1.')) {
    fail(1, `expected an OpenAPI 3.1.x document, got openapi: ${JSON.stringify(version)}`);
  }
  try {
    // validate() dereferences what it is given, in place.
    await SwaggerParser.validate(structuredClone(doc));
    const schemas = checkSchemas(doc);
    const operations = checkSpecRules(doc);
    process.stdout.write(`valid OpenAPI ${doc.openapi}: ${Object.keys(doc.paths || {}).length} paths, ` +
                         `${operations} operations, ${schemas} schemas\n`);
  } catch (e) {
    fail(1, `${e.name}: ${e.message}`);
  }
}

main(process.argv.slice(2)).catch((e) => fail(2, `openapi.js: ${e.stack || e}`));

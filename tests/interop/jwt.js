#!/usr/bin/env node
// Signs and verifies JWTs with the npm `jsonwebtoken` library, so the API
// tests (tests/api/jwt_interop_test.cpp) can check Cairn's tokens against a
// third-party implementation.
//
//   node jwt.js verify <token> <secret> <issuer>
//       HS256 only, issuer required; prints the decoded payload as JSON.
//   node jwt.js sign <json-payload> <secret> [alg]
//       alg: HS256 (default), HS384, HS512 or none; prints the token. The
//       payload's iat and exp are kept as given; a missing iat becomes now.
//
// Exit 0 on success; otherwise 1 with the error on stderr (2 for bad usage).
'use strict';

const jwt = require('jsonwebtoken');

const kSignAlgs = ['HS256', 'HS384', 'HS512', 'none'];

function usage() {
  process.stderr.write(
      'usage: jwt.js verify <token> <secret> <issuer>\n' +
      '       jwt.js sign <json-payload> <secret> [HS256|HS384|HS512|none]\n');
  process.exit(2);
}

function verify([token, secret, issuer, ...rest]) {
  if (token === undefined || secret === undefined || issuer === undefined || rest.length) usage();
  const payload = jwt.verify(token, secret, {algorithms: ['HS256'], issuer});
  process.stdout.write(JSON.stringify(payload) + '\n');
}

function sign([json, secret, alg = 'HS256', ...rest]) {
  if (json === undefined || secret === undefined || rest.length) usage();
  if (!kSignAlgs.includes(alg)) usage();
  const payload = JSON.parse(json);
  const key = alg === 'none' ? '' : secret;
  process.stdout.write(jwt.sign(payload, key, {algorithm: alg}) + '\n');
}

const [command, ...args] = process.argv.slice(2);
const commands = {verify, sign};
if (!Object.hasOwn(commands, command)) usage();
try {
  commands[command](args);
} catch (e) {
  process.stderr.write(`${e.name}: ${e.message}\n`);
  process.exit(1);
}

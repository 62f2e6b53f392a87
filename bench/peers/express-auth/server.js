'use strict';
// GET /api/v1/auth/me as a typical Node API would serve it: Express 5,
// jsonwebtoken, better-sqlite3, in a 2-worker `cluster` (one per core here).
// The authenticated-read peer in bench/run.sh. Per request it does the same
// work as Cairn's route:
//   verify the HS256 access token (same secret, issuer "cairn"),
//   refuse a token whose session id (`sid`) is revoked (an in-memory Set,
//     loaded at start from the sessions table, as Cairn keeps it),
//   read the user row with a prepared statement,
//   answer Cairn's envelope: {"success":true,"data":{...}}, or a 401 envelope.
// It opens Cairn's own database file (WAL, read-only), so the same user and
// the same token serve both servers.
//
// Environment: PORT, DATABASE_PATH (Cairn's SQLite file), JWT_SECRET (the
// secret Cairn signs with), WORKERS (default 2).
const cluster = require('node:cluster');

const port = Number(process.env.PORT);
const dbPath = process.env.DATABASE_PATH;
const secret = process.env.JWT_SECRET;
const workers = Number(process.env.WORKERS || 2);
if (!Number.isInteger(port) || port <= 0 || !dbPath || !secret || secret.length < 32 ||
    !Number.isInteger(workers) || workers < 1) {
  console.error('server.js: set PORT, DATABASE_PATH, JWT_SECRET (32+ bytes) and optionally WORKERS');
  process.exit(2);
}

if (cluster.isPrimary) {
  runPrimary();
} else {
  runWorker();
}

// The primary forks the workers and tells them once all are listening: until
// then /health answers 503, so run.sh's readiness poll waits for every worker.
function runPrimary() {
  let listening = 0;
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('listening', () => {
    if (++listening === workers) {
      for (const w of Object.values(cluster.workers)) w.send('all-listening');
    }
  });
  cluster.on('exit', (w, code, signal) => {
    if (stopping) return;
    // A worker that dies makes the figures meaningless: stop, run.sh reports it.
    console.error(`server.js: worker ${w.process.pid} exited (${signal || code}); stopping`);
    stop(1);
  });
  function stop(status) {
    stopping = true;
    for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM');
    process.exit(status);
  }
  // run.sh stops the peer with SIGTERM to the primary; the workers go with it
  // (and would exit anyway when the primary's IPC channel closes).
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
}

function runWorker() {
  const express = require('express');
  const jwt = require('jsonwebtoken');
  const Database = require('better-sqlite3');

  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const revoked = new Set(
      db.prepare('SELECT id FROM sessions WHERE revoked_at IS NOT NULL').pluck().all());
  const findUser = db.prepare(
      'SELECT id, email, first_name, last_name, phone, date_of_birth, role, kyc_status, ' +
      "created_at FROM users WHERE id = ? AND status = 'active'");

  let ready = false;
  process.on('message', (m) => { if (m === 'all-listening') ready = true; });

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');  // Cairn sends none either

  app.get('/health', (req, res) => {
    if (!ready) return res.status(503).json({ status: 'starting' });
    res.json({ status: 'ok' });
  });

  function unauthorized(res, message, code = 'unauthorized') {
    res.status(401).set('WWW-Authenticate', 'Bearer realm="cairn"').json({
      success: false,
      error: { code, message, timestamp: new Date().toISOString().slice(0, 19) + 'Z' },
    });
  }

  app.get('/api/v1/auth/me', (req, res) => {
    const header = req.get('authorization') || '';
    if (!/^bearer /i.test(header)) return unauthorized(res, 'Authentication required');
    let claims;
    try {
      claims = jwt.verify(header.slice(7).trim(), secret, { algorithms: ['HS256'], issuer: 'cairn' });
    } catch (e) {
      if (e.name === 'TokenExpiredError') return unauthorized(res, 'Token expired', 'token_expired');
      return unauthorized(res, 'Invalid token');
    }
    if (typeof claims.sid !== 'string' || revoked.has(claims.sid)) {
      return unauthorized(res, 'The session has ended');
    }
    const u = findUser.get(claims.sub);
    if (!u) return unauthorized(res, 'The account no longer exists');
    const data = {
      id: u.id,
      email: u.email,
      firstName: u.first_name,
      lastName: u.last_name,
    };
    if (u.phone) data.phone = u.phone;
    data.dateOfBirth = u.date_of_birth;
    data.role = u.role;
    data.kycStatus = u.kyc_status;
    // created_at is Unix seconds; Cairn prints it without fractional seconds.
    data.createdAt = new Date(u.created_at * 1000).toISOString().slice(0, 19) + 'Z';
    res.json({ success: true, data });
  });

  // Loopback only: the benchmark never exposes anything to the network.
  const server = app.listen(port, '127.0.0.1', (err) => {
    if (err) {
      console.error(`server.js: ${err.message}`);
      process.exit(1);
    }
  });
  process.on('SIGTERM', () => {
    server.close();
    process.exit(0);
  });
}

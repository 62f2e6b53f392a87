'use strict';
// Cairn's two benchmarked API routes as a typical Node API would serve them:
// Express 5, jsonwebtoken, better-sqlite3, in a 2-worker `cluster` (one per
// core here). The Express peer of Cairn's benchmark (bench/run.sh for
// /auth/me, bench/payments.sh for the QR payment), on Cairn's own database
// file (WAL), so the same users, tokens and merchant serve both servers.
//
// Both routes authenticate as Cairn does for a bearer token:
//   verify the HS256 access token (same secret, issuer "cairn"),
//   refuse a token whose session id (`sid`) is revoked (an in-memory Set,
//     loaded at start from the sessions table, as Cairn keeps it),
// and answer Cairn's envelope: {"success":true,"data":{...}}, or
// {"success":false,"error":{code,message[,details],timestamp}}.
//
// GET /api/v1/auth/me, the authenticated read, per request:
//   read the user row with a prepared statement, answer it (or 401).
//
// POST /api/v1/transactions/qr-payment, the money-moving write, per request
// the same work as Cairn's route (src/http/handlers_transactions.cpp PayQr,
// src/payments/transactions.cpp Pay + PayQr):
//   the body as Cairn reads it: application/json (else 415), at most
//     MAX_BODY_BYTES (else 413), well-formed UTF-8 JSON whose top level is an
//     object (else 400);
//   an optional Idempotency-Key (1-255 visible ASCII, else 400), fingerprinted
//     as Cairn does: hex SHA-256 of method NUL path NUL raw body;
//   merchantId a string, amount a number of at most 2 decimals from 1 to
//     100 000 NOK (else 422 validation_error with details), kept as øre;
//   then, in ONE BEGIN IMMEDIATE transaction of prepared statements (SQLite's
//   busy timeout waits out the other worker's and Cairn's writers):
//     the idempotency record (24 h): replayed with Idempotent-Replayed: true,
//       or 422 idempotency_key_reused for another request;
//     the merchant (404 unknown or its owner not active; 422 own_merchant),
//       and its owner's user row;
//     the caller's primary bank account (400 no_bank_account);
//     fee 1 % rounded half-up, total = amount + fee;
//     the sandbox bank's debit of the total (one UPDATE ... WHERE balance >=
//       ... RETURNING; 402 insufficient_balance when it is refused) and its
//       completed sandbox_payments row;
//     the bank account's cached balance;
//     the transactions row (tx_qr_<16 hex>, status completed);
//     the outbox events transaction.created and transaction.completed;
//     the idempotency record of the reply (when a key was sent);
//   answer 201 with the transaction as Cairn renders it (same keys, same
//   order, amounts as NOK numbers).
// A refusal inside the transaction rolls all of it back, as in Cairn.
//
// The connection is opened read-write the way Cairn opens its own
// (src/store/database.cpp): journal_mode=WAL, synchronous=FULL,
// foreign_keys=ON, busy timeout 5000 ms. A writer still refused after the
// timeout is 503, as in Cairn.
//
// Environment: PORT, DATABASE_PATH (Cairn's SQLite file), JWT_SECRET (the
// secret Cairn signs with), WORKERS (default 2), MAX_BODY_BYTES (default
// 10240, Cairn's default).
const cluster = require('node:cluster');

const port = Number(process.env.PORT);
const dbPath = process.env.DATABASE_PATH;
const secret = process.env.JWT_SECRET;
const workers = Number(process.env.WORKERS || 2);
const maxBodyBytes = Number(process.env.MAX_BODY_BYTES || 10240);
if (!Number.isInteger(port) || port <= 0 || !dbPath || !secret || secret.length < 32 ||
    !Number.isInteger(workers) || workers < 1 || !Number.isInteger(maxBodyBytes) ||
    maxBodyBytes < 1) {
  console.error('server.js: set PORT, DATABASE_PATH, JWT_SECRET (32+ bytes) and optionally ' +
                'WORKERS, MAX_BODY_BYTES');
  process.exit(2);
}

// Cairn's QR limits and fee (src/payments/transactions.h), in øre.
const QR_MIN = 100;          // 1 NOK
const QR_MAX = 10000000;     // 100 000 NOK
const QR_FEE_BP = 100;       // 1 %
const MAX_MINOR = 1e13;      // payments/money.h kMaxMinor
const IDEMPOTENCY_TTL_S = 24 * 3600;
const QR_PATH = '/api/v1/transactions/qr-payment';

// A refusal: the HTTP status and Cairn's error code, message and details.
class Refusal extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function validation(details) {
  return new Refusal(422, 'validation_error', 'Request validation failed', details);
}

function isoSeconds(date) {
  return date.toISOString().slice(0, 19) + 'Z';
}

// payments/money.cpp ParseAmount: øre from a JSON number of at most two
// decimals, never rounded; the text of the shortest round-trip form counts
// the decimals. Returns øre or one of the error codes.
function parseAmount(v) {
  if (typeof v !== 'number') return 'invalid_type';
  if (!(Math.abs(v) <= MAX_MINOR / 100)) return 'out_of_range';
  let text = String(v);
  // Exponent forms only appear here below 1e-6: more than two decimals.
  if (text.includes('e')) return 'too_precise';
  const negative = text.startsWith('-');
  if (negative) text = text.slice(1);
  const dot = text.indexOf('.');
  const whole = dot < 0 ? text : text.slice(0, dot);
  const frac = dot < 0 ? '' : text.slice(dot + 1);
  if (frac.length > 2) return 'too_precise';
  const minor = Number(whole) * 100 + Number((frac + '00').slice(0, 2));
  return negative ? -minor : minor;
}

// payments/money.cpp AmountToJson: øre as a NOK number (200000 -> 2000,
// 129 -> 1.29); JSON.stringify prints the shortest round-trip form, as Cairn.
function amountJson(minor) {
  return minor / 100;
}

// PercentOf: amount × basis points / 10000, half-up (amounts are positive).
function percentOf(minor, bp) {
  return Math.floor((minor * bp + 5000) / 10000);
}

// util/ids.cpp IsWellFormedId: "<lowercase letters and inner underscores>_<16 hex>".
const WELL_FORMED_ID = /^[a-z](?:[a-z_]*[a-z])?_[0-9a-f]{16}$/;

// http/pipeline.cpp IsJsonContentType.
function isJsonContentType(ct) {
  const type = String(ct || '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return true;
  return type.startsWith('application/') && type.length > 17 && type.endsWith('+json');
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
  const crypto = require('node:crypto');
  const express = require('express');
  const jwt = require('jsonwebtoken');
  const Database = require('better-sqlite3');

  // Opened as Cairn opens its connections (store/database.cpp OpenConnection).
  const db = new Database(dbPath, { fileMustExist: true, timeout: 5000 });
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') {
    console.error(`server.js: the database is not in WAL mode (mode is ${mode})`);
    process.exit(1);
  }
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = FULL');

  const revoked = new Set(
      db.prepare('SELECT id FROM sessions WHERE revoked_at IS NOT NULL').pluck().all());
  const findUser = db.prepare(
      'SELECT id, email, first_name, last_name, phone, date_of_birth, role, kyc_status, ' +
      "created_at FROM users WHERE id = ? AND status = 'active'");

  // The QR payment's statements, as Cairn's store/ functions run them.
  const sql = {
    // store/idempotency.cpp FindIdempotency, PutIdempotency
    findKey: db.prepare(
        'SELECT fingerprint, status, body, created_at FROM idempotency_keys ' +
        'WHERE user_id = ? AND key = ? AND created_at >= ?'),
    putKey: db.prepare(
        'INSERT OR REPLACE INTO idempotency_keys (user_id, key, fingerprint, status, body, ' +
        'created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    // store/merchants.cpp FindMerchant
    findMerchant: db.prepare(
        "SELECT id, user_id, business_name, org_number, coalesce(address, '') AS address, " +
        'bank_account, created_at FROM merchants WHERE id = ?'),
    // store/users.cpp FindUserById (the merchant's owner)
    findOwner: db.prepare(
        'SELECT id, email, password_hash, first_name, last_name, phone, date_of_birth, role, ' +
        'status, kyc_status, created_at, updated_at, coalesce(locked_until, 0) AS locked_until ' +
        'FROM users WHERE id = ?'),
    // store/bank_accounts.cpp FindPrimaryBankAccount, UpdateBankBalance
    findPrimary: db.prepare(
        'SELECT id, user_id, provider, account_number, bank_name, currency, balance, ' +
        'balance_refreshed_at, is_primary, created_at FROM bank_accounts ' +
        'WHERE user_id = ? AND is_primary = 1'),
    updateBalance: db.prepare(
        'UPDATE bank_accounts SET balance = ?, balance_refreshed_at = ? WHERE id = ?'),
    // store/sandbox_bank.cpp DebitSandboxAccount (and its refusal's lookup),
    // InsertSandboxPayment
    debit: db.prepare(
        'UPDATE sandbox_accounts SET balance = balance - @amount ' +
        'WHERE account_number = @number AND balance >= @amount RETURNING balance'),
    findSandbox: db.prepare(
        'SELECT account_number, bank_name, currency, balance, created_at ' +
        'FROM sandbox_accounts WHERE account_number = ?'),
    insertSandboxPayment: db.prepare(
        'INSERT INTO sandbox_payments (id, account_number, amount, status, settle_at, ' +
        'failure, created_at, settled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    // store/transactions.cpp InsertTransaction
    insertTransaction: db.prepare(
        'INSERT INTO transactions (id, user_id, type, status, amount, currency, fee, total, ' +
        'bank_account_id, provider_ref, recipient_id, recipient_name, recipient_country, ' +
        'receive_amount, receive_currency, rate_micro, merchant_id, merchant_name, failure, ' +
        'created_at, updated_at, completed_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    // store/events.cpp InsertEvent, less its second statement: Cairn then
    // sets the id from seq through a keyed permutation (an UPDATE of the row
    // just written); the peer keeps a random id, which events.id (no longer
    // UNIQUE since migration 0006) accepts. The peer does slightly less.
    insertEvent: db.prepare(
        'INSERT INTO events (id, user_id, type, data, created_at) VALUES (?, ?, ?, ?, ?) ' +
        'RETURNING seq'),
  };

  // util/ids.cpp NewId: prefix_<16 hex> of CSPRNG bytes, drawn 8 at a time
  // from a 512-byte pool refilled by one call, each byte handed out once.
  const idPool = Buffer.alloc(512);
  let idUsed = idPool.length;
  function newId(prefix) {
    if (idUsed === idPool.length) {
      crypto.randomFillSync(idPool);
      idUsed = 0;
    }
    const hex = idPool.toString('hex', idUsed, idUsed + 8);
    idPool.fill(0, idUsed, idUsed + 8);
    idUsed += 8;
    return `${prefix}_${hex}`;
  }

  function emit(userId, type, data, now) {
    sql.insertEvent.get(newId('evt'), userId, type, data, now);
  }

  // transactions.cpp EventData for a QR payment, keys in Cairn's (sorted)
  // order.
  function eventData(t) {
    const o = {
      amount: amountJson(t.amount),
      currency: t.currency,
      fee: amountJson(t.fee),
      id: t.id,
    };
    if (t.merchantName) o.merchantName = t.merchantName;
    o.status = t.status;
    o.total = amountJson(t.total);
    o.type = t.type;
    return JSON.stringify(o);
  }

  // http/transaction_json.cpp TransactionJson for a QR payment, in Cairn's
  // key order, as the full success envelope.
  function renderCreated(t) {
    const data = {
      amount: amountJson(t.amount),
      completedAt: t.completedAt ? isoSeconds(new Date(t.completedAt * 1000)) : null,
      createdAt: isoSeconds(new Date(t.createdAt * 1000)),
      currency: t.currency,
      eta: 'Instant',
      fee: amountJson(t.fee),
      feePercent: QR_FEE_BP / 100,
      fromAccount: t.bankName,
      id: t.id,
      merchantId: t.merchantId,
      merchantName: t.merchantName,
      status: t.status,
      total: amountJson(t.total),
      type: t.type,
    };
    return { status: 201, body: `{"success":true,"data":${JSON.stringify(data)}}`, replayed: false };
  }

  // transactions.cpp Pay + PayQr: everything between BEGIN IMMEDIATE and
  // COMMIT. Throws a Refusal (rolled back) or returns the reply.
  const pay = db.transaction((userId, key, merchantId, amount) => {
    const now = Math.floor(Date.now() / 1000);
    // payments/idempotency.cpp Recall
    if (key.key) {
      const seen = sql.findKey.get(userId, key.key, now - IDEMPOTENCY_TTL_S);
      if (seen) {
        const a = Buffer.from(seen.fingerprint);
        const b = Buffer.from(key.fingerprint);
        if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
          throw new Refusal(422, 'idempotency_key_reused',
                            'This Idempotency-Key was used for a different request; use a new key');
        }
        return { status: seen.status, body: seen.body, replayed: true };
      }
    }

    // PayQr's prepare
    if (!WELL_FORMED_ID.test(merchantId)) throw new Refusal(404, 'not_found', 'No such merchant');
    const merchant = sql.findMerchant.get(merchantId);
    if (!merchant) throw new Refusal(404, 'not_found', 'No such merchant');
    // A merchant whose account was deleted or erased takes no more payments.
    const owner = sql.findOwner.get(merchant.user_id);
    if (!owner) throw new Refusal(404, 'not_found', 'No such user');
    if (owner.status !== 'active') throw new Refusal(404, 'not_found', 'No such merchant');
    if (merchant.user_id === userId) {
      throw validation([{ field: 'merchantId', message: 'A merchant cannot pay itself',
                          code: 'own_merchant' }]);
    }
    const account = sql.findPrimary.get(userId);
    if (!account) {
      throw new Refusal(400, 'no_bank_account', 'No bank account to pay from; link one first');
    }
    const fee = percentOf(amount, QR_FEE_BP);
    const total = amount + fee;

    // SandboxBank::Submit, instant: debit the total, record it completed.
    const debited = sql.debit.get({ amount: total, number: account.account_number });
    if (!debited) {
      if (!sql.findSandbox.get(account.account_number)) {
        throw new Refusal(404, 'not_found', 'The bank has no such account');
      }
      throw new Refusal(402, 'insufficient_balance',
                        "The bank account's balance does not cover this payment");
    }
    const ref = newId('sbp');
    sql.insertSandboxPayment.run(ref, account.account_number, total, 'completed', now, null,
                                 now, now);
    sql.updateBalance.run(debited.balance, now, account.id);

    const t = {
      id: newId('tx_qr'),
      type: 'qr_payment',
      status: 'completed',
      amount,
      currency: 'NOK',
      fee,
      total,
      merchantId: merchant.id,
      merchantName: merchant.business_name,
      bankName: account.bank_name,
      createdAt: now,
      completedAt: now,
    };
    sql.insertTransaction.run(
        t.id, userId, t.type, t.status, t.amount, t.currency, t.fee, t.total, account.id, ref,
        null, null, null, null, null, null, t.merchantId, t.merchantName || null, null,
        now, now, now);
    const data = eventData(t);
    emit(userId, 'transaction.created', data, now);
    emit(userId, 'transaction.completed', data, now);
    const reply = renderCreated(t);
    // payments/idempotency.cpp Remember
    if (key.key) sql.putKey.run(userId, key.key, key.fingerprint, reply.status, reply.body, now);
    return reply;
  });

  let ready = false;
  process.on('message', (m) => { if (m === 'all-listening') ready = true; });

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');  // Cairn sends none either

  app.get('/health', (req, res) => {
    if (!ready) return res.status(503).json({ status: 'starting' });
    res.json({ status: 'ok' });
  });

  function sendError(res, status, code, message, details) {
    const error = { code, message };
    if (details) error.details = details;
    error.timestamp = isoSeconds(new Date());
    res.status(status).json({ success: false, error });
  }

  function unauthorized(res, message, code = 'unauthorized') {
    res.set('WWW-Authenticate', 'Bearer realm="cairn"');
    sendError(res, 401, code, message);
  }

  // The bearer token's claims, or null once a 401 is sent. Like Cairn's
  // bearer principal (auth/sessions.cpp Authenticate) it reads no row.
  function authenticate(req, res) {
    const header = req.get('authorization') || '';
    if (!/^bearer /i.test(header)) {
      unauthorized(res, 'Authentication required');
      return null;
    }
    let claims;
    try {
      claims = jwt.verify(header.slice(7).trim(), secret, { algorithms: ['HS256'], issuer: 'cairn' });
    } catch (e) {
      if (e.name === 'TokenExpiredError') unauthorized(res, 'Token expired', 'token_expired');
      else unauthorized(res, 'Invalid token');
      return null;
    }
    if (typeof claims.sid !== 'string' || revoked.has(claims.sid)) {
      unauthorized(res, 'The session has ended');
      return null;
    }
    return claims;
  }

  app.get('/api/v1/auth/me', (req, res) => {
    const claims = authenticate(req, res);
    if (!claims) return;
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

  // http/pipeline.cpp CheckBodyHeaders: 415 and 413 from the headers alone,
  // closing the connection (the body is left unread).
  function checkBodyHeaders(req, res, next) {
    const length = Number(req.headers['content-length'] || 0);
    if (!(length > 0) && !req.headers['transfer-encoding']) return next();
    if (!isJsonContentType(req.headers['content-type'])) {
      res.set('Connection', 'close');
      return sendError(res, 415, 'unsupported_media_type', 'Content-Type must be application/json');
    }
    if (length > maxBodyBytes) {
      res.set('Connection', 'close');
      return sendError(res, 413, 'payload_too_large',
                       `Request body exceeds ${maxBodyBytes} bytes`);
    }
    next();
  }
  // The raw bytes: the idempotency fingerprint covers the body as sent.
  const rawBody = express.raw({ type: () => true, limit: maxBodyBytes });
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });  // a BOM is not JSON

  app.post(QR_PATH, checkBodyHeaders, rawBody, (req, res) => {
    const claims = authenticate(req, res);
    if (!claims) return;
    if (typeof claims.sub !== 'string') return unauthorized(res, 'Invalid token');

    // util/json.cpp ParseObject (V8's JSON.parse is not recursive, so needs
    // no nesting pre-scan); an empty body is an empty object.
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let body = {};
    if (raw.length > 0) {
      let text;
      try {
        text = utf8.decode(raw);
      } catch {
        return sendError(res, 400, 'bad_request', 'The JSON body is not valid UTF-8');
      }
      try {
        body = JSON.parse(text);
      } catch {
        return sendError(res, 400, 'bad_request', 'Malformed JSON body');
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        return sendError(res, 400, 'bad_request', 'The JSON body must be an object');
      }
    }

    // http/idempotency.cpp ReadIdempotencyKey
    const key = { key: '', fingerprint: '' };
    const header = req.headers['idempotency-key'];
    if (header !== undefined) {
      if (!/^[\x21-\x7e]{1,255}$/.test(header)) {
        return sendError(res, 400, 'bad_request',
                         'Idempotency-Key must be 1-255 visible ASCII characters');
      }
      key.key = header;
      key.fingerprint = crypto.createHash('sha256')
          .update(req.method).update('\0').update(req.path).update('\0').update(raw)
          .digest('hex');
    }

    // http/fields.cpp FieldReader: String("merchantId"), Amount("amount", true);
    // null is the field left out.
    const errors = [];
    let merchantId = '';
    const m = body.merchantId;
    if (m === undefined || m === null) {
      errors.push({ field: 'merchantId', message: 'merchantId is required', code: 'required' });
    } else if (typeof m !== 'string') {
      errors.push({ field: 'merchantId', message: 'merchantId must be a string',
                    code: 'invalid_type' });
    } else {
      merchantId = m;
    }
    let amount = 0;
    if (body.amount === undefined || body.amount === null) {
      errors.push({ field: 'amount', message: 'amount is required', code: 'required' });
    } else {
      const parsed = parseAmount(body.amount);
      if (typeof parsed === 'number') {
        amount = parsed;
      } else {
        const message = { invalid_type: 'amount must be a number',
                          too_precise: 'amount has at most 2 decimals',
                          out_of_range: 'amount is out of range' }[parsed];
        errors.push({ field: 'amount', message, code: parsed });
      }
    }
    if (errors.length > 0) return sendError(res, 422, 'validation_error',
                                            'Request validation failed', errors);
    // transactions.cpp CheckAmount
    if (amount < QR_MIN || amount > QR_MAX) {
      return sendError(res, 422, 'validation_error', 'Request validation failed', [{
        field: 'amount', message: 'amount must be from 1.00 to 100000.00 NOK',
        code: 'out_of_range' }]);
    }

    let reply;
    try {
      reply = pay.immediate(claims.sub, key, merchantId, amount);
    } catch (e) {
      if (e instanceof Refusal) return sendError(res, e.status, e.code, e.message, e.details);
      return sendDatabaseError(res, e);
    }
    if (reply.replayed) res.set('Idempotent-Replayed', 'true');
    res.status(reply.status).type('application/json; charset=utf-8').send(reply.body);
  });

  // store/database.cpp FromSqliteError, as the client sees it.
  function sendDatabaseError(res, e) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      return sendError(res, 409, 'conflict', 'the record conflicts with an existing one');
    }
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      return sendError(res, 409, 'conflict', 'the record refers to one that does not exist');
    }
    if (/^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN)/.test(code)) {
      // Overloaded: free the connection for others, as Cairn does.
      res.set('Connection', 'close');
      res.set('Retry-After', '1');
      return sendError(res, 503, 'service_unavailable', code.startsWith('SQLITE_BUSY') ||
                       code.startsWith('SQLITE_LOCKED') ? 'the database is busy; try again'
                                                        : 'the database cannot be written');
    }
    console.error(`server.js: ${e && e.stack || e}`);
    return sendError(res, 500, 'internal_error', 'Internal server error');
  }

  // The raw body reader's refusals (a chunked body past the limit, an
  // aborted upload) and anything unexpected, in the envelope.
  app.use((err, req, res, next) => {
    if (res.headersSent) return next(err);
    if (err && err.type === 'entity.too.large') {
      res.set('Connection', 'close');
      return sendError(res, 413, 'payload_too_large', `Request body exceeds ${maxBodyBytes} bytes`);
    }
    if (err && err.status >= 400 && err.status < 500) {
      return sendError(res, err.status, 'bad_request', 'Malformed request');
    }
    console.error(`server.js: ${err && err.stack || err}`);
    sendError(res, 500, 'internal_error', 'Internal server error');
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
    db.close();
    process.exit(0);
  });
}

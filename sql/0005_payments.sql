-- The payments domain (API.md §9, §13). Money is INTEGER minor units (øre)
-- everywhere; times are Unix seconds.

-- The sandbox bank's own books: the accounts it keeps and what they hold.
-- Cairn never holds money; these rows play the user's real bank.
CREATE TABLE sandbox_accounts (
  account_number TEXT    PRIMARY KEY,                -- "1234.56.78901"
  bank_name      TEXT    NOT NULL,
  currency       TEXT    NOT NULL,
  balance        INTEGER NOT NULL CHECK (balance >= 0),
  created_at     INTEGER NOT NULL
) STRICT;

-- Payments the sandbox bank accepted: debited at once, settled (or failed
-- and refunded) at settle_at by the settlement worker.
CREATE TABLE sandbox_payments (
  id             TEXT    PRIMARY KEY,                -- sbp_<16 hex>
  account_number TEXT    NOT NULL REFERENCES sandbox_accounts(account_number),
  amount         INTEGER NOT NULL CHECK (amount > 0),
  status         TEXT    NOT NULL CHECK (status IN ('processing', 'completed', 'failed')),
  settle_at      INTEGER NOT NULL,
  failure        TEXT,                               -- why it fails: fixed at submission, told at settlement
  created_at     INTEGER NOT NULL,
  settled_at     INTEGER
) STRICT;
CREATE INDEX sandbox_payments_due ON sandbox_payments(settle_at) WHERE status = 'processing';

-- A user's link to an account at a bank (through an account-information
-- provider): the balance is the last one read from the bank, with when.
CREATE TABLE bank_accounts (
  id                   TEXT    PRIMARY KEY,          -- ba_<16 hex>
  user_id              TEXT    NOT NULL REFERENCES users(id),
  provider             TEXT    NOT NULL,             -- "sandbox"
  account_number       TEXT    NOT NULL,
  bank_name            TEXT    NOT NULL,
  currency             TEXT    NOT NULL,
  balance              INTEGER NOT NULL,
  balance_refreshed_at INTEGER NOT NULL,
  is_primary           INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
  created_at           INTEGER NOT NULL
) STRICT;
CREATE INDEX bank_accounts_user ON bank_accounts(user_id, created_at);
CREATE UNIQUE INDEX bank_accounts_primary ON bank_accounts(user_id) WHERE is_primary = 1;

-- People a user sends remittances to. Deleting keeps the row (transactions
-- name it) and hides it.
CREATE TABLE recipients (
  id           TEXT    PRIMARY KEY,                  -- rcp_<16 hex>
  user_id      TEXT    NOT NULL REFERENCES users(id),
  name         TEXT    NOT NULL,
  country      TEXT    NOT NULL,                     -- RS, BA, PL, PK, TR
  currency     TEXT    NOT NULL,
  bank_account TEXT    NOT NULL,                     -- as entered, normalised
  bank_name    TEXT,
  created_at   INTEGER NOT NULL,
  deleted_at   INTEGER
) STRICT;
CREATE INDEX recipients_user ON recipients(user_id, created_at) WHERE deleted_at IS NULL;

-- A user registered as a merchant: QR payments go to it.
CREATE TABLE merchants (
  id            TEXT    PRIMARY KEY,                 -- mer_<16 hex>
  user_id       TEXT    NOT NULL UNIQUE REFERENCES users(id),
  business_name TEXT    NOT NULL,
  org_number    TEXT    NOT NULL UNIQUE,             -- 9 digits
  address       TEXT,
  bank_account  TEXT    NOT NULL,                    -- payout account
  created_at    INTEGER NOT NULL
) STRICT;

-- Money that moved, or is moving. amount is what the user sends (positive),
-- total = amount + fee is what left the account. A remittance names its
-- recipient and exchange; a QR payment its merchant. Names are copied in so
-- a receipt stays true after the recipient is deleted or the user erased.
CREATE TABLE transactions (
  id               TEXT    PRIMARY KEY,              -- tx_rem_… / tx_qr_…
  user_id          TEXT    NOT NULL REFERENCES users(id),
  type             TEXT    NOT NULL CHECK (type IN ('remittance', 'qr_payment')),
  status           TEXT    NOT NULL CHECK (status IN ('processing', 'completed', 'failed')),
  amount           INTEGER NOT NULL CHECK (amount > 0),
  currency         TEXT    NOT NULL,
  fee              INTEGER NOT NULL CHECK (fee >= 0),
  total            INTEGER NOT NULL,
  bank_account_id  TEXT    NOT NULL REFERENCES bank_accounts(id),
  provider_ref     TEXT    NOT NULL,                 -- the bank's payment id
  recipient_id     TEXT    REFERENCES recipients(id),
  recipient_name   TEXT,
  recipient_country TEXT,
  receive_amount   INTEGER,
  receive_currency TEXT,
  rate_micro       INTEGER,                          -- exchange rate × 10^6
  merchant_id      TEXT    REFERENCES merchants(id),
  merchant_name    TEXT,
  failure          TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  completed_at     INTEGER
) STRICT;
CREATE INDEX transactions_user ON transactions(user_id, created_at);
CREATE INDEX transactions_user_type ON transactions(user_id, type, created_at);
CREATE INDEX transactions_user_status ON transactions(user_id, status, created_at);
CREATE INDEX transactions_user_amount ON transactions(user_id, amount);
CREATE INDEX transactions_merchant ON transactions(merchant_id, created_at)
  WHERE merchant_id IS NOT NULL;
CREATE INDEX transactions_provider ON transactions(provider_ref);

-- Idempotency-Key records of money-moving POSTs, per user, for 24 hours:
-- the request's fingerprint and the response it got.
CREATE TABLE idempotency_keys (
  user_id     TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,                      -- hex SHA-256 of method, path, body
  status      INTEGER NOT NULL,
  body        TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

-- The outbox: every state change a client cares about, written in the same
-- transaction as the change. seq orders the stream (SSE ids); dispatched_at
-- is set once the dispatcher has turned the event into notifications.
CREATE TABLE events (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT    NOT NULL UNIQUE,             -- evt_<16 hex>
  user_id       TEXT    NOT NULL,
  type          TEXT    NOT NULL,                    -- e.g. "transaction.completed"
  data          TEXT    NOT NULL,                    -- the resource, JSON
  created_at    INTEGER NOT NULL,
  dispatched_at INTEGER
) STRICT;
CREATE INDEX events_pending ON events(seq) WHERE dispatched_at IS NULL;
CREATE INDEX events_user ON events(user_id, seq);

CREATE TABLE notifications (
  id         TEXT    PRIMARY KEY,                    -- noti_<16 hex>
  user_id    TEXT    NOT NULL REFERENCES users(id),
  event_id   TEXT,                                   -- the event it tells of
  type       TEXT    NOT NULL,
  title      TEXT    NOT NULL,
  body       TEXT    NOT NULL,
  read_at    INTEGER,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX notifications_user ON notifications(user_id, created_at);

-- Per-user preferences; a missing row means the defaults.
CREATE TABLE user_settings (
  user_id       TEXT    PRIMARY KEY REFERENCES users(id),
  currency      TEXT    NOT NULL,
  language      TEXT    NOT NULL,
  push_enabled  INTEGER NOT NULL CHECK (push_enabled IN (0, 1)),
  email_enabled INTEGER NOT NULL CHECK (email_enabled IN (0, 1)),
  updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE consents (
  id           TEXT    PRIMARY KEY,                  -- con_<16 hex>
  user_id      TEXT    NOT NULL REFERENCES users(id),
  consent_type TEXT    NOT NULL,
  granted      INTEGER NOT NULL CHECK (granted IN (0, 1)),
  granted_at   INTEGER,
  withdrawn_at INTEGER,
  ip_address   TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  UNIQUE (user_id, consent_type)
) STRICT;

CREATE TABLE complaints (
  id          TEXT    PRIMARY KEY,                   -- cmp_<16 hex>
  user_id     TEXT    NOT NULL REFERENCES users(id),
  category    TEXT    NOT NULL,
  subject     TEXT    NOT NULL,
  description TEXT    NOT NULL,
  status      TEXT    NOT NULL DEFAULT 'received',
  resolution  TEXT,
  created_at  INTEGER NOT NULL,
  resolved_at INTEGER
) STRICT;
CREATE INDEX complaints_user ON complaints(user_id, created_at);

-- GDPR requests a user made (export, erasure), kept as the record of them.
CREATE TABLE data_access_requests (
  id         TEXT    PRIMARY KEY,                    -- dar_<16 hex>
  user_id    TEXT    NOT NULL REFERENCES users(id),
  type       TEXT    NOT NULL CHECK (type IN ('export', 'erasure')),
  status     TEXT    NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX data_access_requests_user ON data_access_requests(user_id, created_at);

-- Cards (FEATURE_CARDS): never a full number or CVV, only the last four.
CREATE TABLE cards (
  id               TEXT    PRIMARY KEY,              -- card_<16 hex>
  user_id          TEXT    NOT NULL REFERENCES users(id),
  type             TEXT    NOT NULL CHECK (type IN ('virtual', 'physical')),
  status           TEXT    NOT NULL CHECK (status IN ('active', 'frozen', 'cancelled')),
  last4            TEXT    NOT NULL,
  expiry_month     INTEGER NOT NULL,
  expiry_year      INTEGER NOT NULL,
  pin_hash         TEXT,
  shipping_address TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX cards_user ON cards(user_id, created_at);

CREATE TABLE card_limits (
  card_id    TEXT    NOT NULL REFERENCES cards(id),
  limit_type TEXT    NOT NULL CHECK (limit_type IN ('daily', 'weekly', 'monthly', 'transaction')),
  amount     INTEGER NOT NULL CHECK (amount > 0),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (card_id, limit_type)
) STRICT, WITHOUT ROWID;

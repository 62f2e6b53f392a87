-- API keys, password resets, the sandbox mailbox and the audit log.

-- Keys a user creates for programs. The key itself ("ck_" + 256 random bits)
-- is shown once; only its SHA-256 is kept. Scopes are space-separated.
CREATE TABLE api_keys (
  id           TEXT    PRIMARY KEY,                  -- key_<16 hex>
  user_id      TEXT    NOT NULL REFERENCES users(id),
  name         TEXT    NOT NULL,
  key_hash     TEXT    NOT NULL UNIQUE,              -- lowercase hex SHA-256
  key_prefix   TEXT    NOT NULL,                     -- "ck_" + 6 chars, to tell keys apart
  scopes       TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER,                              -- NULL: never
  last_used_at INTEGER,                              -- to the minute
  revoked_at   INTEGER
) STRICT;
CREATE INDEX api_keys_user ON api_keys(user_id);

-- Single-use password reset tokens, stored only as SHA-256 hashes.
CREATE TABLE password_resets (
  token_hash TEXT    PRIMARY KEY,
  user_id    TEXT    NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER                                 -- set once: used or superseded
) STRICT;
CREATE INDEX password_resets_user ON password_resets(user_id);

-- The sandbox mailbox: mail that would have been sent, kept for an admin to
-- read when no MAIL_COMMAND is configured.
CREATE TABLE mail (
  id         TEXT    PRIMARY KEY,                    -- mail_<16 hex>
  recipient  TEXT    NOT NULL,
  subject    TEXT    NOT NULL,
  body       TEXT    NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX mail_created ON mail(created_at, id);

-- What admins did and what happened to accounts: sign-ins, failures,
-- lockouts, token reuse, key creation. Append-only.
CREATE TABLE audit_log (
  id         TEXT    PRIMARY KEY,                    -- aud_<16 hex>
  created_at INTEGER NOT NULL,
  action     TEXT    NOT NULL,                       -- e.g. "login.failed"
  actor_id   TEXT,                                   -- who acted; NULL: anonymous
  target_id  TEXT,                                   -- the account acted on
  ip         TEXT,
  details    TEXT                                    -- a JSON object, or NULL
) STRICT;
CREATE INDEX audit_log_created ON audit_log(created_at, id);
CREATE INDEX audit_log_target ON audit_log(target_id, created_at);

-- Soft delete keeps the row (and its email) and records when.
ALTER TABLE users ADD COLUMN deleted_at INTEGER;

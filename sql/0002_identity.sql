-- Accounts and their sessions. Times the code compares are Unix seconds
-- (INTEGER); the API writes them as ISO 8601.

CREATE TABLE users (
  id            TEXT    PRIMARY KEY,                 -- usr_<16 hex>
  email         TEXT    NOT NULL UNIQUE,             -- lowercased; kept after a soft delete
  password_hash TEXT    NOT NULL,                    -- Argon2id, libsodium's encoded form
  first_name    TEXT    NOT NULL,
  last_name     TEXT    NOT NULL,
  phone         TEXT,
  date_of_birth TEXT    NOT NULL,                    -- YYYY-MM-DD
  role          TEXT    NOT NULL DEFAULT 'user'
                CHECK (role IN ('user', 'merchant', 'admin')),
  status        TEXT    NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'deleted')),
  kyc_status    TEXT    NOT NULL DEFAULT 'pending'
                CHECK (kyc_status IN ('pending', 'approved', 'rejected')),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
) STRICT;

-- One row per login. Its refresh tokens rotate; a revoked session revokes
-- every access token that names it (sid) at once.
CREATE TABLE sessions (
  id             TEXT    PRIMARY KEY,                -- ses_<16 hex>
  user_id        TEXT    NOT NULL REFERENCES users(id),
  created_at     INTEGER NOT NULL,
  last_used_at   INTEGER NOT NULL,
  revoked_at     INTEGER,
  revoked_reason TEXT,
  user_agent     TEXT,
  ip             TEXT
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_revoked ON sessions(revoked_at) WHERE revoked_at IS NOT NULL;

-- Refresh tokens, stored only as SHA-256 hashes. A rotated token keeps its
-- row (rotated_at set) so that presenting it again is recognised as reuse.
CREATE TABLE refresh_tokens (
  token_hash TEXT    PRIMARY KEY,                    -- lowercase hex SHA-256
  session_id TEXT    NOT NULL REFERENCES sessions(id),
  issued_at  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  rotated_at INTEGER
) STRICT;
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

-- Webhooks (API.md §10): endpoints a user registers, and the deliveries of
-- their events to them. The deliveries table is the delivery queue: it is
-- written in the dispatcher's transaction, so an event reaches every
-- endpoint that wants it however often the process stops, and retries are
-- scheduled here rather than in memory.

CREATE TABLE webhooks (
  id         TEXT    PRIMARY KEY,                    -- whk_<16 hex>
  user_id    TEXT    NOT NULL REFERENCES users(id),
  url        TEXT    NOT NULL,
  events     TEXT    NOT NULL,                       -- event types, space-separated; "*": all
  -- The signing secret, shown once at creation. Kept as is, because signing
  -- needs the key itself, not a hash of it.
  secret     TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE INDEX webhooks_user ON webhooks(user_id, created_at) WHERE deleted_at IS NULL;

CREATE TABLE webhook_deliveries (
  id              TEXT    PRIMARY KEY,               -- whd_<16 hex>
  webhook_id      TEXT    NOT NULL REFERENCES webhooks(id),
  user_id         TEXT    NOT NULL,
  event_id        TEXT    NOT NULL,                  -- evt_…: webhook-id, the same on every try
  event_type      TEXT    NOT NULL,
  -- The exact body sent, fixed when the delivery is made, so every try
  -- (and a redelivery) sends and signs the same bytes.
  payload         TEXT    NOT NULL,
  status          TEXT    NOT NULL,                  -- pending | delivered | failed
  attempts        INTEGER NOT NULL DEFAULT 0,
  -- While pending: when the next try may start, in Unix milliseconds (a
  -- retry may come sooner than a second in tests). A try in progress holds
  -- its delivery by moving this past its own deadline, so a process that
  -- dies mid-try leaves it to be tried again.
  next_attempt_at INTEGER,
  last_status     INTEGER,                           -- HTTP status of the last try
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  completed_at    INTEGER
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at)
  WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, created_at);

-- Every try of a delivery: when, how long, and what came back.
CREATE TABLE webhook_attempts (
  delivery_id TEXT    NOT NULL REFERENCES webhook_deliveries(id),
  attempt     INTEGER NOT NULL,                      -- 1, 2, …
  started_at  INTEGER NOT NULL,                      -- Unix milliseconds
  duration_ms INTEGER NOT NULL,
  status      INTEGER,                               -- HTTP status; NULL: no answer
  error       TEXT,                                  -- why it failed; NULL on success
  PRIMARY KEY (delivery_id, attempt)
) STRICT, WITHOUT ROWID;

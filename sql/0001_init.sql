-- The installation itself: one row, written when the database is created.
-- instance_id names this database in logs, backups and `cairn check`, so two
-- copies (a live file and a restored backup) can be told apart.
CREATE TABLE instance (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  instance_id TEXT    NOT NULL,
  created_at  TEXT    NOT NULL
) STRICT;

INSERT INTO instance (id, instance_id, created_at)
VALUES (1,
        'ins_' || lower(hex(randomblob(8))),
        strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

-- Failed sign-ins per account, for the lockout rule: five failures within
-- fifteen minutes lock the account for fifteen minutes.
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN first_failed_at INTEGER;  -- start of the current window
ALTER TABLE users ADD COLUMN locked_until INTEGER;     -- Unix seconds; NULL: not locked

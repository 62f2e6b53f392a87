-- The admin lists (users, the audit log, the sandbox mailbox) read through
-- indexes like every other list: each sort they offer has an index in that
-- order, and each filter an index to find its rows, so a page neither scans
-- the table nor sorts it. tests/store/index_use_test.cpp plans every list
-- statement and holds them to it.
--
-- Lists break ties by rowid, which every index of a rowid table ends with:
-- an index on (created_at) gives the order (created_at, rowid) the list asks
-- for, where (created_at, id) did not.
CREATE INDEX users_created ON users(created_at);
CREATE INDEX users_first_name ON users(first_name);
CREATE INDEX users_last_name ON users(last_name);
CREATE INDEX users_role ON users(role);
CREATE INDEX users_status ON users(status);

DROP INDEX audit_log_created;
CREATE INDEX audit_log_created ON audit_log(created_at);
CREATE INDEX audit_log_action ON audit_log(action);
CREATE INDEX audit_log_actor ON audit_log(actor_id, created_at);

DROP INDEX mail_created;
CREATE INDEX mail_created ON mail(created_at);
CREATE INDEX mail_recipient ON mail(recipient, created_at);

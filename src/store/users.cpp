#include "store/users.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

namespace {

constexpr char kColumns[] =
    "id, email, password_hash, first_name, last_name, phone, date_of_birth, role, status, "
    "kyc_status, created_at, updated_at";
constexpr char kReadColumns[] =
    "id, email, password_hash, first_name, last_name, phone, date_of_birth, role, status, "
    "kyc_status, created_at, updated_at, coalesce(locked_until, 0)";

UserRow ReadRow(SQLite::Statement& q) {
  UserRow u;
  u.id = q.getColumn(0).getString();
  u.email = q.getColumn(1).getString();
  u.password_hash = q.getColumn(2).getString();
  u.first_name = q.getColumn(3).getString();
  u.last_name = q.getColumn(4).getString();
  u.phone = q.getColumn(5).isNull() ? "" : q.getColumn(5).getString();
  u.date_of_birth = q.getColumn(6).getString();
  u.role = q.getColumn(7).getString();
  u.status = q.getColumn(8).getString();
  u.kyc_status = q.getColumn(9).getString();
  u.created_at = q.getColumn(10).getInt64();
  u.updated_at = q.getColumn(11).getInt64();
  u.locked_until = q.getColumn(12).getInt64();
  return u;
}

Result<UserRow> FindOne(SQLite::Database& db, const char* where, const std::string& value) {
  try {
    Query q(db, std::string("SELECT ") + kReadColumns + " FROM users WHERE " + where);
    q->bind(1, value);
    if (!q->executeStep()) return Status::NotFound("No such user");
    return ReadRow(*q);
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find user");
  }
}

}  // namespace

Status InsertUser(SQLite::Database& db, const UserRow& u) {
  try {
    SQLite::Statement q(db, std::string("INSERT INTO users (") + kColumns +
                                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, u.id);
    q.bind(2, u.email);
    q.bind(3, u.password_hash);
    q.bind(4, u.first_name);
    q.bind(5, u.last_name);
    BindOrNull(q, 6, u.phone);
    q.bind(7, u.date_of_birth);
    q.bind(8, u.role);
    q.bind(9, u.status);
    q.bind(10, u.kyc_status);
    q.bind(11, u.created_at);
    q.bind(12, u.updated_at);
    q.exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert user");
  }
}

Result<UserRow> FindUserByEmail(SQLite::Database& db, const std::string& email) {
  return FindOne(db, "email = ?", email);
}

Result<UserRow> FindUserById(SQLite::Database& db, const std::string& id) {
  return FindOne(db, "id = ?", id);
}

Status UpdatePasswordHash(SQLite::Database& db, const std::string& id, const std::string& hash,
                          int64_t now) {
  try {
    SQLite::Statement q(db, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
    q.bind(1, hash);
    q.bind(2, now);
    q.bind(3, id);
    if (q.exec() == 0) return Status::NotFound("No such user");
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "update password hash");
  }
}

Result<int64_t> RecordLoginFailure(SQLite::Database& db, const std::string& user_id, int64_t now,
                                   int64_t window_s, int max_failures, int64_t lock_s) {
  try {
    WriteTransaction tx(db);
    SQLite::Statement sel(db,
                          "SELECT failed_logins, coalesce(first_failed_at, 0), "
                          "coalesce(locked_until, 0) FROM users WHERE id = ?");
    sel.bind(1, user_id);
    if (!sel.executeStep()) return Status::NotFound("No such user");
    int failures = sel.getColumn(0).getInt();
    int64_t first = sel.getColumn(1).getInt64();
    int64_t locked_until = sel.getColumn(2).getInt64();
    sel.reset();
    if (first == 0 || now - first > window_s) {
      failures = 0;
      first = now;
    }
    ++failures;
    if (failures >= max_failures) {
      locked_until = now + lock_s;
      failures = 0;
      first = 0;
    }
    SQLite::Statement upd(db,
                          "UPDATE users SET failed_logins = ?, first_failed_at = ?, "
                          "locked_until = ? WHERE id = ?");
    upd.bind(1, failures);
    BindOrNull(upd, 2, first);
    BindOrNull(upd, 3, locked_until);
    upd.bind(4, user_id);
    upd.exec();
    tx.Commit();
    return locked_until > now ? locked_until : 0;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "record login failure");
  }
}

Status ClearLoginFailures(SQLite::Database& db, const std::string& user_id) {
  try {
    SQLite::Statement q(db,
                        "UPDATE users SET failed_logins = 0, first_failed_at = NULL, "
                        "locked_until = NULL WHERE id = ? AND (failed_logins != 0 OR "
                        "locked_until IS NOT NULL)");
    q.bind(1, user_id);
    q.exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "clear login failures");
  }
}

Status UpdateUser(SQLite::Database& db, const UserRow& u) {
  try {
    SQLite::Statement q(db,
                        "UPDATE users SET first_name = ?, last_name = ?, phone = ?, role = ?, "
                        "kyc_status = ?, updated_at = ? WHERE id = ?");
    q.bind(1, u.first_name);
    q.bind(2, u.last_name);
    BindOrNull(q, 3, u.phone);
    q.bind(4, u.role);
    q.bind(5, u.kyc_status);
    q.bind(6, u.updated_at);
    q.bind(7, u.id);
    if (q.exec() == 0) return Status::NotFound("No such user");
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "update user");
  }
}

Status SoftDeleteUser(SQLite::Database& db, const std::string& id, int64_t now) {
  try {
    SQLite::Statement q(db,
                        "UPDATE users SET status = 'deleted', deleted_at = ?, updated_at = ? "
                        "WHERE id = ? AND status = 'active'");
    q.bind(1, now);
    q.bind(2, now);
    q.bind(3, id);
    if (q.exec() == 0) return Status::NotFound("No such user");
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "delete user");
  }
}

const std::vector<SortColumn>& UserSortColumns() {
  static const std::vector<SortColumn> kColumns = {{"createdAt", "created_at"},
                                                   {"email", "email"},
                                                   {"firstName", "first_name"},
                                                   {"lastName", "last_name"},
                                                   {"role", "role"}};
  return kColumns;
}

Result<std::vector<UserRow>> ListUsers(SQLite::Database& db, const UserFilter& filter,
                                       const ListSpec& base, ListResult* result) {
  ListSpec spec = base;
  if (!filter.search.empty()) {
    // A substring match with LIKE's own wildcards taken literally.
    std::string pattern = "%";
    for (char c : filter.search) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '%';
    spec.where.push_back(
        "(email LIKE ? ESCAPE '\\' OR first_name LIKE ? ESCAPE '\\' OR last_name LIKE ? "
        "ESCAPE '\\' OR (first_name || ' ' || last_name) LIKE ? ESCAPE '\\')");
    for (int i = 0; i < 4; ++i) spec.args.emplace_back(pattern);
  }
  if (!filter.role.empty()) {
    spec.where.push_back("role = ?");
    spec.args.emplace_back(filter.role);
  }
  if (!filter.status.empty()) {
    spec.where.push_back("status = ?");
    spec.args.emplace_back(filter.status);
  }
  std::vector<UserRow> rows;
  Status st = RunList(
      db, kReadColumns, "users", "rowid", spec,
      [&rows](SQLite::Statement& q) { rows.push_back(ReadRow(q)); }, result);
  if (!st.ok()) return st;
  return rows;
}

}  // namespace cairn::store

#pragma once

// The users table. Queries only: the rules live in src/auth.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/list_query.h"
#include "util/status.h"

namespace cairn::store {

struct UserRow {
  std::string id;
  std::string email;
  std::string password_hash;
  std::string first_name;
  std::string last_name;
  std::string phone;  // empty: none
  std::string date_of_birth;
  std::string role = "user";
  std::string status = "active";
  std::string kyc_status = "pending";
  int64_t created_at = 0;
  int64_t updated_at = 0;
  int64_t locked_until = 0;  // 0: not locked
};

// Counts a failed sign-in in the current window (restarting the window when
// it is older than window_s) and, at the max_failures-th failure, locks the
// account until now + lock_s and starts counting afresh. Returns the
// locked_until in force afterwards (0: not locked). One write transaction.
Result<int64_t> RecordLoginFailure(SQLite::Database& db, const std::string& user_id, int64_t now,
                                   int64_t window_s, int max_failures, int64_t lock_s);
// Forgets failed sign-ins after a successful one.
Status ClearLoginFailures(SQLite::Database& db, const std::string& user_id);

// AlreadyExists when the email is taken (by any user, deleted ones too).
Status InsertUser(SQLite::Database& db, const UserRow& user);
// NotFound when there is no such user.
Result<UserRow> FindUserByEmail(SQLite::Database& db, const std::string& email);
Result<UserRow> FindUserById(SQLite::Database& db, const std::string& id);
Status UpdatePasswordHash(SQLite::Database& db, const std::string& id, const std::string& hash,
                          int64_t now);
// Writes the fields a profile edit or an admin may change (names, phone,
// role, kyc_status) and updated_at. NotFound when there is no such user.
Status UpdateUser(SQLite::Database& db, const UserRow& user);
// Marks a user deleted (the row and its email stay). NotFound unless active.
Status SoftDeleteUser(SQLite::Database& db, const std::string& id, int64_t now);

// Filters for ListUsers; empty members do not filter.
struct UserFilter {
  std::string search;  // substring of email, first or last name
  std::string role;
  std::string status;
};
Result<std::vector<UserRow>> ListUsers(SQLite::Database& db, const UserFilter& filter,
                                       const ListSpec& spec, ListResult* result);
// The whitelist of sortable fields, API name to column.
const std::vector<SortColumn>& UserSortColumns();

}  // namespace cairn::store

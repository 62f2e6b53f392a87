#pragma once

// What an admin can do (API.md §6): list, read, edit and soft-delete
// accounts, and read the audit log and the sandbox mailbox. Every change is
// written to the audit log in the same transaction as the change itself.
//
// A change of role ends the account's sessions: access tokens carry the role,
// and a demoted user must not keep the old one for the rest of a token's
// life. Admins cannot change their own role or delete themselves, so the
// last admin cannot lock everyone out by accident.
//
// Thread-safe: state is in the database.

#include <string>
#include <vector>

#include "auth/access.h"
#include "auth/account_rules.h"
#include "auth/api_keys.h"
#include "auth/audit.h"
#include "auth/sessions.h"
#include "store/audit.h"
#include "store/database.h"
#include "store/list_query.h"
#include "store/mail.h"
#include "store/users.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::auth {

class Admin {
 public:
  Admin(store::Database& db, Sessions& sessions, AuditLog& audit, const Clock& clock);
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  Result<std::vector<store::UserRow>> ListUsers(const store::UserFilter& filter,
                                                const store::ListSpec& spec,
                                                store::ListResult* result);
  // NotFound for an unknown id (deleted accounts are found, with their status).
  Result<store::UserRow> GetUser(const std::string& id);
  // FailedPrecondition for a change of one's own role or a deleted account.
  Result<store::UserRow> UpdateUser(const Principal& admin, const std::string& id,
                                    const UserPatch& patch);
  // Soft delete: the row stays (its email cannot be registered again), its
  // sessions end and its API keys are revoked.
  Status DeleteUser(const Principal& admin, const std::string& id);

  Result<std::vector<store::AuditRow>> ListAudit(const store::AuditFilter& filter,
                                                 const store::ListSpec& spec,
                                                 store::ListResult* result);
  Result<std::vector<store::MailRow>> ListMail(const std::string& recipient,
                                               const store::ListSpec& spec,
                                               store::ListResult* result);

 private:
  store::Database& db_;
  Sessions& sessions_;
  AuditLog& audit_;
  const Clock& clock_;
};

}  // namespace cairn::auth

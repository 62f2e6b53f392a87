#pragma once

// The audit trail of security events and admin actions (API.md §6): sign-ins
// and their failures, lockouts, refresh-token reuse, password changes and
// resets, API keys created and revoked, and every admin change to an account.
// Admins read it at GET /api/v1/admin/audit-log.
//
// Never records a password, token or key.
//
// Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/audit.h"
#include "store/database.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::auth {

struct AuditEvent {
  std::string action;     // "login.failed", "user.updated", ...
  std::string actor_id;   // who acted; empty: anonymous
  std::string target_id;  // the account concerned
  std::string ip;
  std::vector<std::pair<std::string, std::string>> details;  // written as a JSON object
};

class AuditLog {
 public:
  AuditLog(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Appends an event on its own. A failure is logged, not returned: the
  // action it records has already happened. A caller that holds a
  // connection passes it, rather than borrow a second one from the pool.
  void Record(const AuditEvent& event, SQLite::Database* conn = nullptr);
  // Appends an event on a connection inside the caller's transaction, so the
  // event and the change commit together.
  Status RecordIn(SQLite::Database& conn, const AuditEvent& event);

  // How many events Record() has seen since start, by action and the
  // "reason" detail ("" when none), for GET /metrics: sign-ins, their
  // failures, lockouts, refresh-token reuse, password resets. Counted when
  // they happen, even if writing the row failed. RecordIn's events belong
  // to transactions that may still roll back, so they are not counted.
  std::map<std::pair<std::string, std::string>, uint64_t> Counts() const;

 private:
  store::AuditRow ToRow(const AuditEvent& event) const;

  store::Database& db_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, uint64_t> counts_;  // guarded by mu_
};

}  // namespace cairn::auth

#include "auth/audit.h"

#include "util/ids.h"
#include "util/json.h"
#include "util/log.h"

namespace cairn::auth {

store::AuditRow AuditLog::ToRow(const AuditEvent& e) const {
  store::AuditRow row;
  row.id = NewId("aud");
  row.created_at = UnixSeconds(clock_.Now());
  row.action = e.action;
  row.actor_id = e.actor_id;
  row.target_id = e.target_id;
  row.ip = e.ip;
  if (!e.details.empty()) {
    picojson::object o;
    for (const auto& [k, v] : e.details) o[k] = picojson::value(v);
    row.details = json::Serialize(picojson::value(o));
  }
  return row;
}

Status AuditLog::RecordIn(SQLite::Database& conn, const AuditEvent& event) {
  return store::InsertAudit(conn, ToRow(event));
}

std::map<std::pair<std::string, std::string>, uint64_t> AuditLog::Counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

void AuditLog::Record(const AuditEvent& event, SQLite::Database* conn) {
  {
    std::string reason;
    for (const auto& [k, v] : event.details) {
      if (k == "reason") reason = v;
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[{event.action, reason}];  // actions and reasons are the code's own words
  }
  Status st = Status::Ok();
  if (conn != nullptr) {
    st = store::InsertAudit(*conn, ToRow(event));
  } else {
    auto lease = db_.Acquire();
    st = lease.ok() ? store::InsertAudit(*lease.value(), ToRow(event)) : lease.status();
  }
  if (!st.ok()) {
    log::Error("audit_write_failed").Str("action", event.action).Str("cause", st.message()).Emit();
  }
}

}  // namespace cairn::auth

#include "store/audit.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

Status InsertAudit(SQLite::Database& db, const AuditRow& r) {
  try {
    SQLite::Statement q(db,
                        "INSERT INTO audit_log (id, created_at, action, actor_id, target_id, ip, "
                        "details) VALUES (?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, r.id);
    q.bind(2, r.created_at);
    q.bind(3, r.action);
    BindOrNull(q, 4, r.actor_id);
    BindOrNull(q, 5, r.target_id);
    BindOrNull(q, 6, r.ip);
    BindOrNull(q, 7, r.details);
    q.exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert audit event");
  }
}

const std::vector<SortColumn>& AuditSortColumns() {
  static const std::vector<SortColumn> kColumns = {{"createdAt", "created_at"},
                                                   {"action", "action"}};
  return kColumns;
}

Result<std::vector<AuditRow>> ListAudit(SQLite::Database& db, const AuditFilter& filter,
                                        const ListSpec& base, ListResult* result) {
  ListSpec spec = base;
  auto eq = [&spec](const char* column, const std::string& value) {
    if (value.empty()) return;
    spec.where.push_back(std::string(column) + " = ?");
    spec.args.emplace_back(value);
  };
  eq("action", filter.action);
  eq("actor_id", filter.actor_id);
  eq("target_id", filter.target_id);
  std::vector<AuditRow> rows;
  auto text = [](SQLite::Statement& q, int i) {
    return q.getColumn(i).isNull() ? std::string() : q.getColumn(i).getString();
  };
  Status st = RunList(
      db, "id, created_at, action, actor_id, target_id, ip, details", "audit_log", "rowid", spec,
      [&](SQLite::Statement& q) {
        AuditRow r;
        r.id = q.getColumn(0).getString();
        r.created_at = q.getColumn(1).getInt64();
        r.action = q.getColumn(2).getString();
        r.actor_id = text(q, 3);
        r.target_id = text(q, 4);
        r.ip = text(q, 5);
        r.details = text(q, 6);
        rows.push_back(std::move(r));
      },
      result);
  if (!st.ok()) return st;
  return rows;
}

}  // namespace cairn::store

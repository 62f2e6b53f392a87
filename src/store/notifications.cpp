#include "store/notifications.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

const std::vector<SortColumn>& NotificationSortColumns() {
  static const std::vector<SortColumn> kSort = {{"createdAt", "created_at"}};
  return kSort;
}

Status InsertNotification(SQLite::Database& db, const NotificationRow& n) {
  try {
    Query q(db,
            "INSERT INTO notifications (id, user_id, event_id, type, title, body, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)");
    q->bind(1, n.id);
    q->bind(2, n.user_id);
    BindOrNull(*q, 3, n.event_id);
    q->bind(4, n.type);
    q->bind(5, n.title);
    q->bind(6, n.body);
    q->bind(7, n.created_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert notification");
  }
}

Result<std::vector<NotificationRow>> ListNotifications(SQLite::Database& db,
                                                       const std::string& user_id,
                                                       bool unread_only, const ListSpec& base,
                                                       ListResult* result) {
  ListSpec spec = base;
  spec.where.insert(spec.where.begin(), "user_id = ?");
  spec.args.insert(spec.args.begin(), user_id);
  if (unread_only) spec.where.emplace_back("read_at IS NULL");
  std::vector<NotificationRow> rows;
  Status st = RunList(
      db, "id, user_id, coalesce(event_id, ''), type, title, body, coalesce(read_at, 0), created_at",
      "notifications", "rowid", spec,
      [&rows](SQLite::Statement& q) {
        NotificationRow n;
        n.id = q.getColumn(0).getString();
        n.user_id = q.getColumn(1).getString();
        n.event_id = q.getColumn(2).getString();
        n.type = q.getColumn(3).getString();
        n.title = q.getColumn(4).getString();
        n.body = q.getColumn(5).getString();
        n.read_at = q.getColumn(6).getInt64();
        n.created_at = q.getColumn(7).getInt64();
        rows.push_back(std::move(n));
      },
      result);
  if (!st.ok()) return st;
  return rows;
}

Result<int64_t> MarkNotificationsRead(SQLite::Database& db, const std::string& user_id,
                                      const std::vector<std::string>& ids, int64_t now) {
  try {
    Query q(db,
            "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS "
            "NULL");
    int64_t changed = 0;
    for (const std::string& id : ids) {
      q->bind(1, now);
      q->bind(2, id);
      q->bind(3, user_id);
      changed += q->exec();
      q->reset();
    }
    return changed;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "mark notifications read");
  }
}

Result<SettingsRow> FindSettings(SQLite::Database& db, const std::string& user_id) {
  try {
    Query q(db,
            "SELECT currency, language, push_enabled, email_enabled, updated_at FROM "
            "user_settings WHERE user_id = ?");
    q->bind(1, user_id);
    SettingsRow s;
    s.user_id = user_id;
    if (!q->executeStep()) return s;
    s.currency = q->getColumn(0).getString();
    s.language = q->getColumn(1).getString();
    s.push_enabled = q->getColumn(2).getInt() != 0;
    s.email_enabled = q->getColumn(3).getInt() != 0;
    s.updated_at = q->getColumn(4).getInt64();
    return s;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find settings");
  }
}

Status SaveSettings(SQLite::Database& db, const SettingsRow& s) {
  try {
    Query q(db,
            "INSERT INTO user_settings (user_id, currency, language, push_enabled, "
            "email_enabled, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO "
            "UPDATE SET currency = excluded.currency, language = excluded.language, "
            "push_enabled = excluded.push_enabled, email_enabled = excluded.email_enabled, "
            "updated_at = excluded.updated_at");
    q->bind(1, s.user_id);
    q->bind(2, s.currency);
    q->bind(3, s.language);
    q->bind(4, s.push_enabled ? 1 : 0);
    q->bind(5, s.email_enabled ? 1 : 0);
    q->bind(6, s.updated_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "save settings");
  }
}

}  // namespace cairn::store

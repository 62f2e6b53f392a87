#pragma once

// In-app notifications (notifications) and the per-user settings that
// govern them (user_settings).

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/list_query.h"
#include "util/status.h"

namespace cairn::store {

struct NotificationRow {
  std::string id;
  std::string user_id;
  std::string event_id;
  std::string type;
  std::string title;
  std::string body;
  int64_t read_at = 0;  // 0: unread
  int64_t created_at = 0;
};

const std::vector<SortColumn>& NotificationSortColumns();
Status InsertNotification(SQLite::Database& db, const NotificationRow& n);
Result<std::vector<NotificationRow>> ListNotifications(SQLite::Database& db,
                                                       const std::string& user_id,
                                                       bool unread_only, const ListSpec& spec,
                                                       ListResult* result);
// Marks those of `ids` that are user_id's and unread; returns how many.
Result<int64_t> MarkNotificationsRead(SQLite::Database& db, const std::string& user_id,
                                      const std::vector<std::string>& ids, int64_t now);

struct SettingsRow {
  std::string user_id;
  std::string currency = "NOK";
  std::string language = "nb";
  bool push_enabled = true;
  bool email_enabled = true;
  int64_t updated_at = 0;  // 0: never saved (the defaults)
};

// The user's settings, or the defaults when they never saved any.
Result<SettingsRow> FindSettings(SQLite::Database& db, const std::string& user_id);
Status SaveSettings(SQLite::Database& db, const SettingsRow& s);

}  // namespace cairn::store

#pragma once

// Notifications and settings (API.md §9). Notifications are written from
// outbox events by the dispatcher (events/dispatcher.h): for each event a
// person is told about, when the user's pushEnabled setting is on, in the
// transaction that marks the event dispatched, so it is told once.
//
// Thread-safe: state is in the database.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/access.h"
#include "events/dispatcher.h"
#include "store/database.h"
#include "store/notifications.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::payments {

// Mark-read takes at most this many ids at once.
inline constexpr size_t kMaxMarkRead = 100;

struct SettingsPatch {
  std::optional<std::string> currency;
  std::optional<std::string> language;
  std::optional<bool> push_enabled;
  std::optional<bool> email_enabled;
};

class Notifications : public events::EventSink {
 public:
  Notifications(store::Database& db, const Clock& clock);
  Notifications(const Notifications&) = delete;
  Notifications& operator=(const Notifications&) = delete;

  Result<std::vector<store::NotificationRow>> List(const auth::Principal& who, bool unread_only,
                                                   const store::ListSpec& spec,
                                                   store::ListResult* result);
  // Validation for an empty list, more than kMaxMarkRead ids, or an id not
  // shaped like one (^[a-z]+_[a-f0-9]{16}$); ids that are not the caller's
  // are left alone. Returns how many were marked.
  Result<int64_t> MarkRead(const auth::Principal& who, const std::vector<std::string>& ids);

  Result<store::SettingsRow> Settings(const auth::Principal& who);
  // Validation for a currency or language outside the whitelists.
  Result<store::SettingsRow> UpdateSettings(const auth::Principal& who, const SettingsPatch& p);

  // Writes the notification an event tells of, if any (events::EventSink).
  Status Accept(SQLite::Database& conn, const store::EventRow& e, int64_t now) override;

 private:
  store::Database& db_;
  const Clock& clock_;
};

}  // namespace cairn::payments

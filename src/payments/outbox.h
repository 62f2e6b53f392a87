#pragma once

// The outbox (API.md §9 "Events"): every state change a client cares about
// is written as an event row in the same SQLite transaction as the change,
// so an event exists exactly when its change does. The dispatcher
// (payments/dispatcher.h) fans events out afterwards.

#include <SQLiteCpp/Database.h>

#include <picojson.h>

#include <cstdint>
#include <string>

#include "util/status.h"

namespace cairn::payments {

// Appends {type, data} for user_id; call inside the change's transaction.
Status Emit(SQLite::Database& conn, const std::string& user_id, const std::string& type,
            const picojson::value& data, int64_t now);

}  // namespace cairn::payments

#include "payments/outbox.h"

#include "store/events.h"
#include "util/json.h"

namespace cairn::payments {

Status Emit(SQLite::Database& conn, const std::string& user_id, const std::string& type,
            const picojson::value& data, int64_t now) {
  store::EventRow e;
  e.user_id = user_id;
  e.type = type;
  e.data = json::Serialize(data);
  e.created_at = now;
  return store::InsertEvent(conn, &e);
}

}  // namespace cairn::payments

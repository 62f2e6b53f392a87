#include "payments/outbox.h"

#include "store/events.h"
#include "util/ids.h"
#include "util/json.h"

namespace cairn::payments {

Status Emit(SQLite::Database& conn, const std::string& user_id, const std::string& type,
            const picojson::value& data, int64_t now) {
  store::EventRow e;
  e.id = NewId("evt");
  e.user_id = user_id;
  e.type = type;
  e.data = json::Serialize(data);
  e.created_at = now;
  Result<int64_t> seq = store::InsertEvent(conn, e);
  return seq.ok() ? Status::Ok() : seq.status();
}

}  // namespace cairn::payments

#include "store/events.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

Result<int64_t> InsertEvent(SQLite::Database& db, const EventRow& e) {
  try {
    Query q(db,
            "INSERT INTO events (id, user_id, type, data, created_at) VALUES (?, ?, ?, ?, ?) "
            "RETURNING seq");
    q->bind(1, e.id);
    q->bind(2, e.user_id);
    q->bind(3, e.type);
    q->bind(4, e.data);
    q->bind(5, e.created_at);
    if (!q->executeStep()) return Status::Internal("The event was not stored");
    return q->getColumn(0).getInt64();
  } catch (const std::exception& ex) {
    return FromSqliteError(ex, "insert event");
  }
}

Result<std::vector<EventRow>> PendingEvents(SQLite::Database& db, size_t limit) {
  try {
    Query q(db,
            "SELECT seq, id, user_id, type, data, created_at FROM events "
            "WHERE dispatched_at IS NULL ORDER BY seq LIMIT ?");
    q->bind(1, static_cast<int64_t>(limit));
    std::vector<EventRow> out;
    while (q->executeStep()) {
      EventRow e;
      e.seq = q->getColumn(0).getInt64();
      e.id = q->getColumn(1).getString();
      e.user_id = q->getColumn(2).getString();
      e.type = q->getColumn(3).getString();
      e.data = q->getColumn(4).getString();
      e.created_at = q->getColumn(5).getInt64();
      out.push_back(std::move(e));
    }
    return out;
  } catch (const std::exception& ex) {
    return FromSqliteError(ex, "list pending events");
  }
}

Result<bool> MarkEventDispatched(SQLite::Database& db, int64_t seq, int64_t now) {
  try {
    Query q(db, "UPDATE events SET dispatched_at = ? WHERE seq = ? AND dispatched_at IS NULL");
    q->bind(1, now);
    q->bind(2, seq);
    return q->exec() == 1;
  } catch (const std::exception& ex) {
    return FromSqliteError(ex, "mark event dispatched");
  }
}

}  // namespace cairn::store

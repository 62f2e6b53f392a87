#include "store/events.h"

#include <SQLiteCpp/Statement.h>

#include <optional>

#include "store/database.h"
#include "util/ids.h"
#include "util/keyed_permutation.h"

namespace cairn::store {

Status InsertEvent(SQLite::Database& db, EventRow* e) {
  try {
    // seq first, then the id made from it (in the same transaction, on the
    // page the row was just written to: no extra page).
    Query ins(db,
              "INSERT INTO events (id, user_id, type, data, created_at) VALUES ('', ?, ?, ?, ?) "
              "RETURNING seq");
    ins->bind(1, e->user_id);
    ins->bind(2, e->type);
    ins->bind(3, e->data);
    ins->bind(4, e->created_at);
    if (!ins->executeStep()) return Status::Internal("The event was not stored");
    e->seq = ins->getColumn(0).getInt64();

    Query key(db, "SELECT id_key FROM instance WHERE id = 1");
    if (!key->executeStep()) return Status::Internal("The instance row is missing");
    std::optional<PermutationKey> k = PermutationKeyFromHex(key->getColumn(0).getText());
    if (!k) return Status::Internal("The instance's id key is malformed");
    e->id = IdFromCounter("evt", *k, static_cast<uint64_t>(e->seq));

    Query set(db, "UPDATE events SET id = ? WHERE seq = ?");
    set->bind(1, e->id);
    set->bind(2, e->seq);
    set->exec();
    return Status::Ok();
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

#include "store/events.h"

#include <SQLiteCpp/Statement.h>

#include <optional>

#include "store/database.h"
#include "util/ids.h"
#include "util/keyed_permutation.h"

namespace cairn::store {

namespace {

Result<PermutationKey> IdKey(SQLite::Database& db) {
  Query key(db, "SELECT id_key FROM instance WHERE id = 1");
  if (!key->executeStep()) return Status::Internal("The instance row is missing");
  std::optional<PermutationKey> k = PermutationKeyFromHex(key->getColumn(0).getText());
  if (!k) return Status::Internal("The instance's id key is malformed");
  return *k;
}

EventRow ReadEvent(SQLite::Statement& q) {
  EventRow e;
  e.seq = q.getColumn(0).getInt64();
  e.id = q.getColumn(1).getString();
  e.user_id = q.getColumn(2).getString();
  e.type = q.getColumn(3).getString();
  e.data = q.getColumn(4).getString();
  e.created_at = q.getColumn(5).getInt64();
  return e;
}

}  // namespace

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

    Result<PermutationKey> k = IdKey(db);
    if (!k.ok()) return k.status();
    e->id = IdFromCounter("evt", *k, static_cast<uint64_t>(e->seq));

    Query set(db, "UPDATE events SET id = ? WHERE seq = ?");
    set->bind(1, e->id);
    set->bind(2, e->seq);
    set->exec();
    NoteEventWritten(db);
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
    while (q->executeStep()) out.push_back(ReadEvent(*q));
    return out;
  } catch (const std::exception& ex) {
    return FromSqliteError(ex, "list pending events");
  }
}

Result<std::vector<EventRow>> EventsAfter(SQLite::Database& db, const std::string& user_id,
                                          int64_t after, size_t limit) {
  try {
    Query q(db,
            "SELECT seq, id, user_id, type, data, created_at FROM events "
            "WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?");
    q->bind(1, user_id);
    q->bind(2, after);
    q->bind(3, static_cast<int64_t>(limit));
    std::vector<EventRow> out;
    while (q->executeStep()) out.push_back(ReadEvent(*q));
    return out;
  } catch (const std::exception& ex) {
    return FromSqliteError(ex, "list events after");
  }
}

Result<int64_t> LatestEventSeq(SQLite::Database& db, const std::string& user_id) {
  try {
    Query q(db, "SELECT coalesce(max(seq), 0) FROM events WHERE user_id = ?");
    q->bind(1, user_id);
    q->executeStep();
    return q->getColumn(0).getInt64();
  } catch (const std::exception& ex) {
    return FromSqliteError(ex, "latest event");
  }
}

Result<int64_t> EventSeqFromId(SQLite::Database& db, const std::string& user_id,
                               const std::string& id) {
  try {
    Result<PermutationKey> k = IdKey(db);
    if (!k.ok()) return k.status();
    uint64_t n = 0;
    if (!CounterFromId("evt", *k, id, &n) || n > static_cast<uint64_t>(INT64_MAX)) {
      return Status::NotFound("No such event");
    }
    Query q(db, "SELECT 1 FROM events WHERE seq = ? AND id = ? AND user_id = ?");
    q->bind(1, static_cast<int64_t>(n));
    q->bind(2, id);
    q->bind(3, user_id);
    if (!q->executeStep()) return Status::NotFound("No such event");
    return static_cast<int64_t>(n);
  } catch (const std::exception& ex) {
    return FromSqliteError(ex, "find event");
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

#pragma once

// The outbox (events): state changes recorded in the transaction that made
// them, read in order by the dispatcher.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace cairn::store {

struct EventRow {
  int64_t seq = 0;  // assigned on insert
  std::string id;   // assigned on insert: evt_<16 hex>, a keyed permutation of seq
  std::string user_id;
  std::string type;
  std::string data;  // JSON
  int64_t created_at = 0;
};

// Appends an event and sets its seq and id. Ids come from seq through the
// database's id key (instance.id_key), so they are unique without an index
// and still neither sequential nor guessable. Call inside a transaction, or
// a failure between the insert and the id leaves an event with no id.
Status InsertEvent(SQLite::Database& db, EventRow* e);
// Events not yet dispatched, in seq order, at most `limit`.
Result<std::vector<EventRow>> PendingEvents(SQLite::Database& db, size_t limit);
// user_id's events after seq `after`, in order, at most `limit` (an event
// stream catching up).
Result<std::vector<EventRow>> EventsAfter(SQLite::Database& db, const std::string& user_id,
                                          int64_t after, size_t limit);
// The seq of user_id's newest event, or 0 when there is none.
Result<int64_t> LatestEventSeq(SQLite::Database& db, const std::string& user_id);
// The seq of user_id's event with this id (read back from the id itself,
// then checked against the row); NotFound when the id is malformed, not an
// event's, or another user's.
Result<int64_t> EventSeqFromId(SQLite::Database& db, const std::string& user_id,
                               const std::string& id);
// Marks a pending event dispatched; false when it is not pending any more
// (dispatched by another pass, or deleted by an erasure).
Result<bool> MarkEventDispatched(SQLite::Database& db, int64_t seq, int64_t now);

}  // namespace cairn::store

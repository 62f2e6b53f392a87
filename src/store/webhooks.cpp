#include "store/webhooks.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

namespace {

constexpr char kWebhookColumns[] = "id, user_id, url, events, secret, created_at";

WebhookRow ReadWebhook(SQLite::Statement& q, int from = 0) {
  WebhookRow w;
  w.id = q.getColumn(from + 0).getString();
  w.user_id = q.getColumn(from + 1).getString();
  w.url = q.getColumn(from + 2).getString();
  w.events = q.getColumn(from + 3).getString();
  w.secret = q.getColumn(from + 4).getString();
  w.created_at = q.getColumn(from + 5).getInt64();
  return w;
}

constexpr char kDeliveryColumns[] =
    "d.id, d.webhook_id, d.user_id, d.event_id, d.event_type, d.payload, d.status, d.attempts, "
    "coalesce(d.next_attempt_at, 0), coalesce(d.last_status, 0), coalesce(d.last_error, ''), "
    "d.created_at, coalesce(d.completed_at, 0)";

DeliveryRow ReadDelivery(SQLite::Statement& q) {
  DeliveryRow d;
  d.id = q.getColumn(0).getString();
  d.webhook_id = q.getColumn(1).getString();
  d.user_id = q.getColumn(2).getString();
  d.event_id = q.getColumn(3).getString();
  d.event_type = q.getColumn(4).getString();
  d.payload = q.getColumn(5).getString();
  d.status = q.getColumn(6).getString();
  d.attempts = q.getColumn(7).getInt64();
  d.next_attempt_at = q.getColumn(8).getInt64();
  d.last_status = q.getColumn(9).getInt64();
  d.last_error = q.getColumn(10).getString();
  d.created_at = q.getColumn(11).getInt64();
  d.completed_at = q.getColumn(12).getInt64();
  return d;
}

}  // namespace

const std::vector<SortColumn>& WebhookSortColumns() {
  static const std::vector<SortColumn> kSort = {{"createdAt", "created_at"}};
  return kSort;
}

const std::vector<SortColumn>& DeliverySortColumns() {
  static const std::vector<SortColumn> kSort = {{"createdAt", "created_at"}};
  return kSort;
}

Status InsertWebhook(SQLite::Database& db, const WebhookRow& w) {
  try {
    Query q(db,
            "INSERT INTO webhooks (id, user_id, url, events, secret, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)");
    q->bind(1, w.id);
    q->bind(2, w.user_id);
    q->bind(3, w.url);
    q->bind(4, w.events);
    q->bind(5, w.secret);
    q->bind(6, w.created_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert webhook");
  }
}

Result<WebhookRow> FindWebhook(SQLite::Database& db, const std::string& user_id,
                               const std::string& id) {
  try {
    Query q(db, std::string("SELECT ") + kWebhookColumns +
                    " FROM webhooks WHERE id = ? AND user_id = ? AND deleted_at IS NULL");
    q->bind(1, id);
    q->bind(2, user_id);
    if (!q->executeStep()) return Status::NotFound("No such webhook");
    return ReadWebhook(*q);
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find webhook");
  }
}

Result<int64_t> CountWebhooks(SQLite::Database& db, const std::string& user_id) {
  try {
    Query q(db, "SELECT count(*) FROM webhooks WHERE user_id = ? AND deleted_at IS NULL");
    q->bind(1, user_id);
    q->executeStep();
    return q->getColumn(0).getInt64();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "count webhooks");
  }
}

Result<std::vector<WebhookRow>> ListWebhooks(SQLite::Database& db, const std::string& user_id,
                                             const ListSpec& base, ListResult* result) {
  ListSpec spec = base;
  spec.where.insert(spec.where.begin(), {"user_id = ?", "deleted_at IS NULL"});
  spec.args.insert(spec.args.begin(), user_id);
  std::vector<WebhookRow> rows;
  Status st = RunList(
      db, kWebhookColumns, "webhooks", "rowid", spec,
      [&rows](SQLite::Statement& q) { rows.push_back(ReadWebhook(q)); }, result);
  if (!st.ok()) return st;
  return rows;
}

Result<std::vector<WebhookRow>> WebhooksOf(SQLite::Database& db, const std::string& user_id) {
  try {
    Query q(db, std::string("SELECT ") + kWebhookColumns +
                    " FROM webhooks WHERE user_id = ? AND deleted_at IS NULL "
                    "ORDER BY created_at, rowid");
    q->bind(1, user_id);
    std::vector<WebhookRow> out;
    while (q->executeStep()) out.push_back(ReadWebhook(*q));
    return out;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "list a user's webhooks");
  }
}

Status DeleteWebhook(SQLite::Database& db, const std::string& user_id, const std::string& id,
                     int64_t now) {
  try {
    Query del(db,
              "UPDATE webhooks SET deleted_at = ? WHERE id = ? AND user_id = ? AND deleted_at "
              "IS NULL");
    del->bind(1, now);
    del->bind(2, id);
    del->bind(3, user_id);
    if (del->exec() == 0) return Status::NotFound("No such webhook");
    Query fail(db,
               "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, "
               "last_error = 'webhook deleted', completed_at = ? "
               "WHERE webhook_id = ? AND status = 'pending'");
    fail->bind(1, now);
    fail->bind(2, id);
    fail->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "delete webhook");
  }
}

Status InsertDelivery(SQLite::Database& db, const DeliveryRow& d) {
  try {
    Query q(db,
            "INSERT INTO webhook_deliveries (id, webhook_id, user_id, event_id, event_type, "
            "payload, status, attempts, next_attempt_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q->bind(1, d.id);
    q->bind(2, d.webhook_id);
    q->bind(3, d.user_id);
    q->bind(4, d.event_id);
    q->bind(5, d.event_type);
    q->bind(6, d.payload);
    q->bind(7, d.status);
    q->bind(8, d.attempts);
    BindOrNull(*q, 9, d.next_attempt_at);
    q->bind(10, d.created_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert webhook delivery");
  }
}

Result<DeliveryRow> FindDelivery(SQLite::Database& db, const std::string& user_id,
                                 const std::string& webhook_id, const std::string& id) {
  try {
    Query q(db, std::string("SELECT ") + kDeliveryColumns +
                    " FROM webhook_deliveries d WHERE d.id = ? AND d.webhook_id = ? AND "
                    "d.user_id = ?");
    q->bind(1, id);
    q->bind(2, webhook_id);
    q->bind(3, user_id);
    if (!q->executeStep()) return Status::NotFound("No such delivery");
    return ReadDelivery(*q);
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find webhook delivery");
  }
}

Result<std::vector<DeliveryRow>> ListDeliveries(SQLite::Database& db,
                                                const std::string& webhook_id,
                                                const ListSpec& base, ListResult* result) {
  ListSpec spec = base;
  spec.where.insert(spec.where.begin(), "webhook_id = ?");
  spec.args.insert(spec.args.begin(), webhook_id);
  std::vector<DeliveryRow> rows;
  Status st = RunList(
      db, kDeliveryColumns, "webhook_deliveries d", "rowid", spec,
      [&rows](SQLite::Statement& q) { rows.push_back(ReadDelivery(q)); }, result);
  if (!st.ok()) return st;
  return rows;
}

Result<std::vector<AttemptRow>> AttemptsOf(SQLite::Database& db,
                                           const std::vector<std::string>& delivery_ids) {
  try {
    // One primary-key range per delivery with one cached statement, rather
    // than one `IN (?, ?, ...)` whose text (and so compilation) changes with
    // the page size: in-process, a prepared lookup costs microseconds.
    std::vector<AttemptRow> out;
    for (const std::string& id : delivery_ids) {
      Query q(db,
              "SELECT delivery_id, attempt, started_at, duration_ms, coalesce(status, 0), "
              "coalesce(error, '') FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt");
      q->bind(1, id);
      while (q->executeStep()) {
        AttemptRow a;
        a.delivery_id = q->getColumn(0).getString();
        a.attempt = q->getColumn(1).getInt64();
        a.started_at_ms = q->getColumn(2).getInt64();
        a.duration_ms = q->getColumn(3).getInt64();
        a.status = q->getColumn(4).getInt64();
        a.error = q->getColumn(5).getString();
        out.push_back(std::move(a));
      }
    }
    return out;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "list webhook attempts");
  }
}

Result<int64_t> CountPendingDeliveries(SQLite::Database& db) {
  try {
    Query q(db, "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'");
    q->executeStep();
    return q->getColumn(0).getInt64();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "count pending webhook deliveries");
  }
}

Result<bool> HasDueDeliveries(SQLite::Database& db, int64_t now_ms) {
  try {
    Query q(db,
            "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
            "LIMIT 1");
    q->bind(1, now_ms);
    return q->executeStep();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "look for due webhook deliveries");
  }
}

Result<std::vector<ClaimedDelivery>> ClaimDueDeliveries(
    SQLite::Database& db, int64_t now_ms, int64_t hold_until_ms, size_t limit,
    const std::map<std::string, int>& in_flight, int per_webhook) {
  try {
    // Deliveries of a webhook at its cap are skipped here rather than in
    // SQL: they are few (a receiver that is slow now), and the statement
    // stays one cached text.
    Query q(db, std::string("SELECT ") + kDeliveryColumns +
                    ", w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON "
                    "w.id = d.webhook_id WHERE d.status = 'pending' AND d.next_attempt_at <= ? "
                    "ORDER BY d.next_attempt_at");
    q->bind(1, now_ms);
    std::map<std::string, int> taken = in_flight;
    std::vector<ClaimedDelivery> out;
    while (out.size() < limit && q->executeStep()) {
      ClaimedDelivery c;
      c.delivery = ReadDelivery(*q);
      int& n = taken[c.delivery.webhook_id];
      if (n >= per_webhook) continue;
      ++n;
      c.url = q->getColumn(13).getString();
      c.secret = q->getColumn(14).getString();
      out.push_back(std::move(c));
    }
    q->reset();
    Query hold(db, "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?");
    for (const ClaimedDelivery& c : out) {
      hold->bind(1, hold_until_ms);
      hold->bind(2, c.delivery.id);
      hold->exec();
      hold->reset();
    }
    return out;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "claim webhook deliveries");
  }
}

Status RecordAttempt(SQLite::Database& db, const AttemptRow& a, const std::string& status,
                     int64_t next_attempt_ms, int64_t now) {
  try {
    Query ins(db,
              "INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, "
              "status, error) VALUES (?, ?, ?, ?, ?, ?)");
    ins->bind(1, a.delivery_id);
    ins->bind(2, a.attempt);
    ins->bind(3, a.started_at_ms);
    ins->bind(4, a.duration_ms);
    BindOrNull(*ins, 5, a.status);
    BindOrNull(*ins, 6, a.error);
    ins->exec();
    Query upd(db,
              "UPDATE webhook_deliveries SET status = ?1, attempts = ?2, "
              "next_attempt_at = CASE WHEN ?1 = 'pending' THEN ?3 END, last_status = ?4, "
              "last_error = ?5, completed_at = CASE WHEN ?1 = 'pending' THEN NULL ELSE ?6 END "
              "WHERE id = ?7 AND status = 'pending'");
    upd->bind(1, status);
    upd->bind(2, a.attempt);
    upd->bind(3, next_attempt_ms);
    BindOrNull(*upd, 4, a.status);
    BindOrNull(*upd, 5, a.error);
    upd->bind(6, now);
    upd->bind(7, a.delivery_id);
    upd->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "record webhook attempt");
  }
}

}  // namespace cairn::store

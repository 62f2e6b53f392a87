#pragma once

// Webhook endpoints (webhooks), their deliveries (webhook_deliveries, which
// is also the delivery queue) and each delivery's tries (webhook_attempts).
// Deleted endpoints keep their row, hidden from every read here, so their
// delivery history stays readable in an export.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/list_query.h"
#include "util/status.h"

namespace cairn::store {

struct WebhookRow {
  std::string id;
  std::string user_id;
  std::string url;
  std::string events;  // space-separated event types, or "*"
  std::string secret;
  int64_t created_at = 0;
};

struct DeliveryRow {
  std::string id;
  std::string webhook_id;
  std::string user_id;
  std::string event_id;
  std::string event_type;
  std::string payload;
  std::string status;  // pending | delivered | failed
  int64_t attempts = 0;
  int64_t next_attempt_at = 0;  // Unix milliseconds; 0 unless pending
  int64_t last_status = 0;      // 0: no answer yet
  std::string last_error;
  int64_t created_at = 0;
  int64_t completed_at = 0;  // 0 while pending
};

struct AttemptRow {
  std::string delivery_id;
  int64_t attempt = 0;
  int64_t started_at_ms = 0;
  int64_t duration_ms = 0;
  int64_t status = 0;  // 0: no answer
  std::string error;   // empty on success
};

const std::vector<SortColumn>& WebhookSortColumns();
const std::vector<SortColumn>& DeliverySortColumns();

Status InsertWebhook(SQLite::Database& db, const WebhookRow& w);
// NotFound unless it exists, is user_id's and is not deleted.
Result<WebhookRow> FindWebhook(SQLite::Database& db, const std::string& user_id,
                               const std::string& id);
Result<int64_t> CountWebhooks(SQLite::Database& db, const std::string& user_id);
Result<std::vector<WebhookRow>> ListWebhooks(SQLite::Database& db, const std::string& user_id,
                                             const ListSpec& spec, ListResult* result);
// Every endpoint of user_id that is not deleted, oldest first (the fan-out).
Result<std::vector<WebhookRow>> WebhooksOf(SQLite::Database& db, const std::string& user_id);
// Marks it deleted and fails its pending deliveries ("webhook deleted").
// NotFound unless it is user_id's and not deleted already.
Status DeleteWebhook(SQLite::Database& db, const std::string& user_id, const std::string& id,
                     int64_t now);

Status InsertDelivery(SQLite::Database& db, const DeliveryRow& d);
// NotFound unless the delivery is of that webhook, which is user_id's.
Result<DeliveryRow> FindDelivery(SQLite::Database& db, const std::string& user_id,
                                 const std::string& webhook_id, const std::string& id);
Result<std::vector<DeliveryRow>> ListDeliveries(SQLite::Database& db,
                                                const std::string& webhook_id,
                                                const ListSpec& spec, ListResult* result);
// Deliveries waiting for a (first or next) try, in all: the queue's depth.
Result<int64_t> CountPendingDeliveries(SQLite::Database& db);

// The tries of each delivery, in order, for a page of deliveries.
Result<std::vector<AttemptRow>> AttemptsOf(SQLite::Database& db,
                                           const std::vector<std::string>& delivery_ids);

// Whether any pending delivery is due by now_ms (a read, before a claim).
Result<bool> HasDueDeliveries(SQLite::Database& db, int64_t now_ms);

// A delivery taken for a try, with what sending it needs.
struct ClaimedDelivery {
  DeliveryRow delivery;
  std::string url;
  std::string secret;
};

// Takes up to `limit` pending deliveries due by `now_ms` (oldest due first),
// at most `per_webhook` of one webhook counting the `in_flight` ones it has
// already, and holds each until `hold_until_ms` by moving its
// next_attempt_at there: another pass (or process) will not take it again
// unless this one dies without recording the try. Call inside a write
// transaction.
Result<std::vector<ClaimedDelivery>> ClaimDueDeliveries(
    SQLite::Database& db, int64_t now_ms, int64_t hold_until_ms, size_t limit,
    const std::map<std::string, int>& in_flight, int per_webhook);

// Records a try and its outcome: status becomes `status` (pending with
// next_attempt_ms, delivered, or failed) unless the delivery was failed
// meanwhile (its webhook deleted). Call inside a write transaction.
Status RecordAttempt(SQLite::Database& db, const AttemptRow& a, const std::string& status,
                     int64_t next_attempt_ms, int64_t now);

}  // namespace cairn::store

#pragma once

// Webhook endpoints (API.md §10): a user registers a URL and the event types
// it wants, and every such event of theirs is delivered to it, signed
// (events/webhook_signature.h), by the deliverer (events/webhook_delivery.h).
//
// Registering checks the URL the way every delivery does again
// (events/webhook_target.h): http only in this build (https is refused with
// a clear error; see docs/API.md), and no address that is loopback,
// private, link-local or otherwise not public unless private targets are
// allowed. The secret is returned by Register only; later reads leave it out.
//
// As an events::EventSink, Accept turns each dispatched event into one
// pending delivery per endpoint of its user that wants its type, in the
// dispatcher's transaction: no event is lost between the outbox and the
// queue.
//
// Thread-safe: state is in the database.

#include <string>
#include <vector>

#include "auth/access.h"
#include "events/dispatcher.h"
#include "events/webhook_target.h"
#include "store/database.h"
#include "store/webhooks.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::events {

// At most this many endpoints per user, and event types per endpoint.
inline constexpr int kMaxWebhooks = 10;
inline constexpr size_t kMaxWebhookEvents = 20;

// The event types an endpoint may ask for ("*" asks for all of them).
const std::vector<std::string>& WebhookEventTypes();

struct NewWebhook {
  std::string url;
  std::vector<std::string> events;
};

struct DeliveryWithAttempts {
  store::DeliveryRow delivery;
  std::vector<store::AttemptRow> attempts;
};

class Webhooks : public EventSink {
 public:
  // resolve looks host names up (tests pass a fake); allow_private is
  // WEBHOOK_ALLOW_PRIVATE.
  Webhooks(store::Database& db, const Clock& clock, Resolver resolve, bool allow_private);
  Webhooks(const Webhooks&) = delete;
  Webhooks& operator=(const Webhooks&) = delete;

  // Validation for a bad URL or event list (naming the field), a refused
  // target; FailedPrecondition past kMaxWebhooks. The row holds the secret.
  Result<store::WebhookRow> Register(const auth::Principal& who, const NewWebhook& in);
  Result<std::vector<store::WebhookRow>> List(const auth::Principal& who,
                                              const store::ListSpec& spec,
                                              store::ListResult* result);
  // NotFound unless it is the caller's.
  Result<store::WebhookRow> Get(const auth::Principal& who, const std::string& id);
  // NotFound unless it is the caller's. Its pending deliveries fail.
  Status Delete(const auth::Principal& who, const std::string& id);
  // The endpoint's deliveries with their tries; NotFound unless it is the
  // caller's.
  Result<std::vector<DeliveryWithAttempts>> Deliveries(const auth::Principal& who,
                                                       const std::string& webhook_id,
                                                       const store::ListSpec& spec,
                                                       store::ListResult* result);
  // A new delivery of the same event and body, due now. NotFound unless the
  // delivery is of the caller's endpoint; Conflict (AlreadyExists) while the
  // delivery is still pending: it will be tried anyway.
  Result<store::DeliveryRow> Redeliver(const auth::Principal& who, const std::string& webhook_id,
                                       const std::string& delivery_id);

  // events::EventSink: queues the event for the user's endpoints.
  Status Accept(SQLite::Database& conn, const store::EventRow& e, int64_t now) override;

 private:
  store::Database& db_;
  const Clock& clock_;
  const Resolver resolve_;
  const bool allow_private_;
};

// The body a delivery of e sends: {id, type, data, timestamp, version: "1"}.
std::string DeliveryPayload(const store::EventRow& e);

}  // namespace cairn::events

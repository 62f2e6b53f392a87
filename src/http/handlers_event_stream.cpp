// GET /api/v1/events: the caller's events as Server-Sent Events.
//
// The stream reads the outbox itself (store::EventsAfter, by the user's
// seq index) and sends every event after the one it last sent, so nothing
// is lost or repeated across a reconnect: each event carries its id, and a
// client that reconnects with Last-Event-ID resumes right after it.
// events::EventStreams wakes the stream when the dispatcher commits events
// for its user; a comment line every heartbeat keeps idle connections open
// through proxies and tells a client the server is alive.

#include <memory>

#include "events/streams.h"
#include "http/envelope.h"
#include "http/handlers_events.h"
#include "store/database.h"
#include "store/events.h"
#include "util/clock.h"
#include "util/log.h"

namespace cairn::http {

namespace {

// Events read per query while catching up.
constexpr size_t kBatch = 100;

// One event as an SSE message. data is one line: JSON text has no raw
// newlines.
void AppendMessage(std::string* out, const store::EventRow& e) {
  out->append("id: ").append(e.id).append("\nevent: ").append(e.type).append("\ndata: ");
  out->append(R"({"data":)").append(e.data);
  out->append(R"(,"id":")").append(e.id);
  out->append(R"(","timestamp":")")
      .append(FormatIso8601(TimePoint(std::chrono::seconds(e.created_at))));
  out->append(R"(","type":")").append(e.type).append(R"(","version":"1"})").append("\n\n");
}

// What the stream needs after the handler has returned.
struct StreamState {
  store::Database* db;
  events::EventStreams* streams;
  std::unique_ptr<events::EventStreams::Ticket> ticket;
  std::string user_id;
  int64_t last_seq;
  std::chrono::seconds heartbeat;
  bool started = false;
};

// Writes whatever is due and returns; false ends the stream.
bool Pump(StreamState& st, httplib::DataSink& sink) {
  std::string out;
  if (!st.started) {
    // Browsers wait this long before reconnecting after a drop.
    out = "retry: 3000\n\n";
    st.started = true;
  }
  while (true) {
    auto lease = st.db->Acquire();
    if (!lease.ok()) return false;
    Result<std::vector<store::EventRow>> rows =
        store::EventsAfter(**lease, st.user_id, st.last_seq, kBatch);
    if (!rows.ok()) return false;
    for (const store::EventRow& e : *rows) {
      AppendMessage(&out, e);
      st.last_seq = e.seq;
    }
    if (rows->size() < kBatch) break;
    if (!sink.write(out.data(), out.size())) return false;
    out.clear();
  }
  if (!out.empty()) return sink.write(out.data(), out.size());

  switch (st.streams->Wait(*st.ticket, std::chrono::steady_clock::now() + st.heartbeat)) {
    case events::EventStreams::Wake::kEvents:
      return true;  // called again at once: reads what arrived
    case events::EventStreams::Wake::kTimeout: {
      static constexpr char kHeartbeat[] = ": heartbeat\n\n";
      return sink.write(kHeartbeat, sizeof kHeartbeat - 1);
    }
    case events::EventStreams::Wake::kClosed:
      sink.done();
      return true;
  }
  return false;
}

Status Stream(EventDeps& d, const Call& call, httplib::Response& res) {
  auto st = std::make_shared<StreamState>();
  st->db = d.db;
  st->streams = d.streams;
  st->user_id = call.principal->user_id;
  st->heartbeat = d.heartbeat;
  {
    auto lease = d.db->Acquire();
    if (!lease.ok()) return lease.status();
    const std::string& last_id = call.req.get_header_value("Last-Event-ID");
    Result<int64_t> from = last_id.empty()
                               ? store::LatestEventSeq(**lease, st->user_id)
                               : store::EventSeqFromId(**lease, st->user_id, last_id);
    if (!from.ok()) {
      if (from.status().code() != Code::kNotFound) return from.status();
      return Status::InvalidArgument("Last-Event-ID is not one of your events");
    }
    st->last_seq = *from;
  }
  Result<std::unique_ptr<events::EventStreams::Ticket>> ticket = d.streams->Open(st->user_id);
  if (!ticket.ok()) return ticket.status();
  st->ticket = std::move(ticket.value());

  res.status = 200;
  // Proxies such as nginx buffer responses unless told not to.
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream; charset=utf-8",
      [st](size_t, httplib::DataSink& sink) { return Pump(*st, sink); },
      // Runs when the stream ends, however it ends: gives the place back.
      [st](bool) { st->ticket.reset(); });
  return Status::Ok();
}

}  // namespace

void RegisterEventStreamRoutes(Router& router, EventDeps* deps) {
  Route stream = MakeRoute("GET", "/api/v1/events", Bind(deps, Stream), "events",
                           "The caller's events, live (Server-Sent Events)");
  stream.auth = Auth::kUser;
  stream.scopes = {"transactions:read"};
  stream.doc.description =
      "A text/event-stream of the caller's events from the outbox, as they are committed: each "
      "message has `id: evt_…`, `event: <type>` and `data: {id, type, data, timestamp, version}` "
      "(the body a webhook gets). Without Last-Event-ID the stream starts after the newest "
      "event; with it (browsers send it when they reconnect) it resumes right after that event, "
      "so nothing is lost or repeated. A `: heartbeat` comment comes every 15 s when idle. "
      "Streams are capped per account (SSE_MAX_PER_USER, default 5) and in total "
      "(SSE_MAX_CLIENTS): over either, 503. The stream ends cleanly when the server shuts down.";
  stream.doc.query = {};
  stream.doc.success_description = "An endless text/event-stream";
  stream.doc.enveloped = false;
  stream.doc.content_type = "text/event-stream";
  stream.doc.data_schema = R"({"type": "string",
    "description": "SSE messages: id, event and data lines, a blank line after each"})";
  stream.doc.errors = {400, 503};
  router.Add(std::move(stream));
}

}  // namespace cairn::http

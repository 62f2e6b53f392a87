#include "http/idempotency.h"

#include "http/envelope.h"
#include "util/digest.h"
#include "util/json.h"

namespace cairn::http {

Result<payments::IdempotencyKey> ReadIdempotencyKey(const httplib::Request& req) {
  payments::IdempotencyKey out;
  if (!req.has_header("Idempotency-Key")) return out;
  const std::string& key = req.get_header_value("Idempotency-Key");
  bool visible = !key.empty() && key.size() <= kMaxIdempotencyKey;
  for (char c : key) visible = visible && c > ' ' && c < 127;
  if (!visible) {
    return Status::InvalidArgument("Idempotency-Key must be 1-255 visible ASCII characters");
  }
  out.key = key;
  // NUL separators: no method, path or body can run into the next part.
  std::string what = req.method;
  what.push_back('\0');
  what += req.path;
  what.push_back('\0');
  what += req.body;
  out.fingerprint = Sha256Hex(what);
  return out;
}

payments::Reply MakeReply(int status, const picojson::value& data) {
  return {status, DataEnvelope(json::Serialize(data)), false};
}

void WriteReply(httplib::Response& res, const payments::Reply& reply) {
  if (reply.replayed) res.set_header("Idempotent-Replayed", "true");
  WriteBody(res, reply.status, reply.body);
}

}  // namespace cairn::http

#pragma once

// The HTTP side of Idempotency-Key (API.md §9; payments/idempotency.h):
// reading the header and fingerprinting the request, and sending a reply,
// marked Idempotent-Replayed when it is one.

#include <picojson.h>

#include "http/httplib_config.h"
#include "payments/idempotency.h"
#include "util/status.h"

namespace cairn::http {

// At most this long; the IETF draft leaves it to the server.
inline constexpr size_t kMaxIdempotencyKey = 255;

// No header: an empty key (the request simply is not idempotent). A header
// that is empty, longer than kMaxIdempotencyKey or not visible ASCII is
// InvalidArgument (400). The fingerprint covers method, path and body.
Result<payments::IdempotencyKey> ReadIdempotencyKey(const httplib::Request& req);

// A success envelope of `data` with `status`, as a reply to keep.
payments::Reply MakeReply(int status, const picojson::value& data);

void WriteReply(httplib::Response& res, const payments::Reply& reply);

}  // namespace cairn::http

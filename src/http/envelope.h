#pragma once

// The response envelope, and the one table that maps errors to HTTP.
//
//   success: {"success": true, "data": …}  (lists add "pagination")
//   message: {"success": true, "message": "…"}
//   error:   {"success": false, "error": {"code", "message", "details"?,
//                                         "requestId", "timestamp"}}
//
// An error is written from a Status (domain code, public message, field
// details, optional API-level reason such as "csrf_failed"), or from a bare
// HTTP status for errors raised outside any handler (httplib's own 400/413/
// 414, unknown routes). The request id comes from the X-Request-ID header the
// middleware has already put on the response.

#include <picojson.h>

#include <string>
#include <string_view>

#include "http/httplib_config.h"
#include "util/status.h"

namespace cairn::http {

// API error code and HTTP status for a Status: the reason when it has one
// (and the table knows it), else the default for its Code.
struct ErrorKind {
  const char* code;
  int http_status;
};
ErrorKind KindOf(const Status& status);

// The API code used for an HTTP error status that has no Status behind it.
const char* CodeForHttpStatus(int http_status);

void WriteError(httplib::Response& res, const Status& status);
// details_json: a JSON value (array or object) as text, or empty.
void WriteError(httplib::Response& res, int http_status, std::string_view code,
                std::string_view message, std::string_view details_json = {});
// Fills an empty error body from res.status alone.
void WriteErrorForStatus(httplib::Response& res);

// {"success":true,"data":<data_json>} as text, and writing such a body
// (kept and replayed by idempotent routes).
std::string DataEnvelope(std::string_view data_json);
void WriteBody(httplib::Response& res, int http_status, std::string body);

// data_json: the serialised value of "data".
void WriteData(httplib::Response& res, int http_status, std::string_view data_json);
void WriteValue(httplib::Response& res, int http_status, const picojson::value& data);
void WriteMessage(httplib::Response& res, int http_status, std::string_view message);

}  // namespace cairn::http

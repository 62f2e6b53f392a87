#include "http/envelope.h"

#include <cstring>

#include "util/clock.h"
#include "util/json.h"

namespace cairn::http {

namespace {

constexpr char kJson[] = "application/json; charset=utf-8";

// API-level reasons with the HTTP status each is sent with. A reason is only
// honoured if it is listed here, so a typo cannot invent a status.
struct Reason {
  const char* code;
  int http_status;
};
constexpr Reason kReasons[] = {
    {"bad_request", 400},
    {"no_bank_account", 400},
    {"unauthorized", 401},
    {"token_expired", 401},
    {"insufficient_balance", 402},
    {"forbidden", 403},
    {"csrf_failed", 403},
    {"kyc_required", 403},
    {"not_found", 404},
    {"method_not_allowed", 405},
    {"conflict", 409},
    {"gone", 410},
    {"payload_too_large", 413},
    {"unsupported_media_type", 415},
    {"validation_error", 422},
    {"idempotency_key_reused", 422},
    {"account_locked", 423},
    {"rate_limited", 429},
    {"internal_error", 500},
    {"service_unavailable", 503},
};

ErrorKind DefaultKind(Code code) {
  switch (code) {
    case Code::kOk: return {"internal_error", 500};  // an OK status is not an error
    case Code::kInvalidArgument: return {"bad_request", 400};
    case Code::kValidation: return {"validation_error", 422};
    case Code::kUnauthenticated: return {"unauthorized", 401};
    case Code::kPermissionDenied: return {"forbidden", 403};
    case Code::kNotFound: return {"not_found", 404};
    case Code::kAlreadyExists: return {"conflict", 409};
    case Code::kFailedPrecondition: return {"conflict", 409};
    case Code::kResourceExhausted: return {"rate_limited", 429};
    case Code::kUnavailable: return {"service_unavailable", 503};
    case Code::kInternal: return {"internal_error", 500};
  }
  return {"internal_error", 500};
}

std::string RequestIdOf(const httplib::Response& res) {
  auto it = res.headers.find("X-Request-ID");
  return it == res.headers.end() ? std::string() : it->second;
}

std::string DetailsJson(const Status& status) {
  if (status.retry_after_s() > 0) {
    return "{\"retryAfter\":" + std::to_string(status.retry_after_s()) + "}";
  }
  if (!status.details_json().empty()) return status.details_json();
  if (status.details().empty()) return {};
  std::string out = "[";
  for (const FieldError& f : status.details()) {
    if (out.size() > 1) out.push_back(',');
    out += "{\"field\":";
    json::AppendString(out, f.field);
    out += ",\"message\":";
    json::AppendString(out, f.message);
    out += ",\"code\":";
    json::AppendString(out, f.code);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace

ErrorKind KindOf(const Status& status) {
  if (!status.reason().empty()) {
    for (const Reason& r : kReasons) {
      if (status.reason() == r.code) return {r.code, r.http_status};
    }
  }
  return DefaultKind(status.code());
}

const char* CodeForHttpStatus(int http_status) {
  for (const Reason& r : kReasons) {
    if (r.http_status == http_status) return r.code;  // first listed wins
  }
  if (http_status >= 500) return "internal_error";
  return "bad_request";  // 414, 416, 431 and other client errors
}

void WriteError(httplib::Response& res, int http_status, std::string_view code,
                std::string_view message, std::string_view details_json) {
  std::string body;
  body.reserve(192 + message.size() + details_json.size());
  body += "{\"success\":false,\"error\":{\"code\":";
  json::AppendString(body, code);
  body += ",\"message\":";
  json::AppendString(body, message);
  if (!details_json.empty()) {
    body += ",\"details\":";
    body += details_json;
  }
  body += ",\"requestId\":";
  json::AppendString(body, RequestIdOf(res));
  body += ",\"timestamp\":\"";
  body += FormatIso8601(SystemClock::Get().Now());
  body += "\"}}";
  res.status = http_status;
  res.set_content(std::move(body), kJson);
}

void WriteError(httplib::Response& res, const Status& status) {
  ErrorKind kind = KindOf(status);
  // An internal error's message and details may carry a cause; the client
  // gets a fixed message and nothing else.
  if (kind.http_status == 500) {
    WriteError(res, 500, kind.code, "Internal server error");
    return;
  }
  if (status.retry_after_s() > 0) {
    res.set_header("Retry-After", std::to_string(status.retry_after_s()));
  }
  WriteError(res, kind.http_status, kind.code, status.message(), DetailsJson(status));
}

void WriteErrorForStatus(httplib::Response& res) {
  const char* message;
  switch (res.status) {
    case 400: message = "Malformed request"; break;
    case 404: message = "Route not found"; break;
    case 405: message = "Method not allowed"; break;
    case 408: message = "Request not received in time"; break;
    case 413: message = "Request body too large"; break;
    case 414: message = "Request line too long"; break;
    case 415: message = "Content-Type must be application/json"; break;
    case 416: message = "Range not satisfiable"; break;
    case 431: message = "Request headers too large"; break;
    case 503: message = "Service unavailable"; break;
    default: message = res.status >= 500 ? "Internal server error" : "Request refused";
  }
  WriteError(res, res.status, CodeForHttpStatus(res.status), message);
}

std::string DataEnvelope(std::string_view data_json) {
  std::string body;
  body.reserve(24 + data_json.size());
  body += "{\"success\":true,\"data\":";
  body += data_json;
  body.push_back('}');
  return body;
}

void WriteBody(httplib::Response& res, int http_status, std::string body) {
  res.status = http_status;
  res.set_content(std::move(body), kJson);
}

void WriteData(httplib::Response& res, int http_status, std::string_view data_json) {
  WriteBody(res, http_status, DataEnvelope(data_json));
}

void WriteValue(httplib::Response& res, int http_status, const picojson::value& data) {
  WriteData(res, http_status, json::Serialize(data));
}

void WriteMessage(httplib::Response& res, int http_status, std::string_view message) {
  std::string body = "{\"success\":true,\"message\":";
  json::AppendString(body, message);
  body.push_back('}');
  res.status = http_status;
  res.set_content(std::move(body), kJson);
}

}  // namespace cairn::http

#include "http/envelope.h"

#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <vector>

namespace cairn::http {
namespace {

using picojson::object;

// The response body parsed as a JSON object; fails the test if it is not one.
object Body(const httplib::Response& res) {
  picojson::value v;
  std::string err = picojson::parse(v, res.body);
  INFO("body: " << res.body);
  REQUIRE(err.empty());
  REQUIRE(v.is<object>());
  return v.get<object>();
}

// The "error" member of an error envelope, after checking its shape.
object ErrorOf(const httplib::Response& res) {
  object body = Body(res);
  CHECK(res.get_header_value("Content-Type") == "application/json; charset=utf-8");
  REQUIRE(body.count("success"));
  CHECK(body["success"] == picojson::value(false));
  REQUIRE(body["error"].is<object>());
  object error = body["error"].get<object>();
  for (const char* key : {"code", "message", "requestId", "timestamp"}) {
    CAPTURE(key);
    REQUIRE(error.count(key));
    CHECK(error[key].is<std::string>());
  }
  CHECK(std::regex_match(error["timestamp"].get<std::string>(),
                         std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$)")));
  return error;
}

std::string Str(object& o, const char* key) { return o[key].get<std::string>(); }

TEST_CASE("each status code has its default API code and HTTP status") {
  struct Row {
    Status status;
    const char* code;
    int http_status;
  };
  const std::vector<Row> rows = {
      {Status::InvalidArgument("m"), "bad_request", 400},
      {Status::Validation("m"), "validation_error", 422},
      {Status::Unauthenticated("m"), "unauthorized", 401},
      {Status::PermissionDenied("m"), "forbidden", 403},
      {Status::NotFound("m"), "not_found", 404},
      {Status::AlreadyExists("m"), "conflict", 409},
      {Status::FailedPrecondition("m"), "conflict", 409},
      {Status::ResourceExhausted("m"), "rate_limited", 429},
      {Status::Unavailable("m"), "service_unavailable", 503},
      {Status::Internal("m"), "internal_error", 500},
  };
  for (const Row& r : rows) {
    CAPTURE(r.code);
    ErrorKind kind = KindOf(r.status);
    CHECK(std::string(kind.code) == r.code);
    CHECK(kind.http_status == r.http_status);
  }
}

TEST_CASE("a known reason overrides the code's default and an unknown one does not") {
  struct Row {
    Status status;
    const char* code;
    int http_status;
  };
  std::vector<Row> rows;
  auto add = [&rows](Status s, const char* reason, const char* code, int http) {
    rows.push_back({std::move(s).WithReason(reason), code, http});
  };
  add(Status::PermissionDenied("m"), "csrf_failed", "csrf_failed", 403);
  add(Status::PermissionDenied("m"), "kyc_required", "kyc_required", 403);
  add(Status::FailedPrecondition("m"), "account_locked", "account_locked", 423);
  add(Status::FailedPrecondition("m"), "insufficient_balance", "insufficient_balance", 402);
  add(Status::FailedPrecondition("m"), "no_bank_account", "no_bank_account", 400);
  add(Status::Unauthenticated("m"), "token_expired", "token_expired", 401);
  add(Status::Validation("m"), "idempotency_key_reused", "idempotency_key_reused", 422);
  add(Status::ResourceExhausted("m"), "payload_too_large", "payload_too_large", 413);
  add(Status::InvalidArgument("m"), "unsupported_media_type", "unsupported_media_type", 415);
  add(Status::NotFound("m"), "method_not_allowed", "method_not_allowed", 405);
  add(Status::NotFound("m"), "made_up_reason", "not_found", 404);
  add(Status::FailedPrecondition("m"), "Account_Locked", "conflict", 409);
  add(Status::Unavailable("m"), "", "service_unavailable", 503);
  for (const Row& r : rows) {
    CAPTURE(r.status.reason());
    ErrorKind kind = KindOf(r.status);
    CHECK(std::string(kind.code) == r.code);
    CHECK(kind.http_status == r.http_status);
  }
}

TEST_CASE("an error body carries code, message, request id and timestamp") {
  httplib::Response res;
  res.set_header("X-Request-ID", "req_0123456789abcdef");
  WriteError(res, Status::NotFound("No such \"user\"\n"));
  CHECK(res.status == 404);
  object error = ErrorOf(res);
  CHECK(Str(error, "code") == "not_found");
  CHECK(Str(error, "message") == "No such \"user\"\n");
  CHECK(Str(error, "requestId") == "req_0123456789abcdef");
  CHECK(error.count("details") == 0);
}

TEST_CASE("an error written before a request id exists has an empty one") {
  httplib::Response res;
  WriteError(res, 400, "bad_request", "Malformed request");
  object error = ErrorOf(res);
  CHECK(Str(error, "requestId").empty());
  CHECK(res.status == 400);
}

TEST_CASE("field errors become a details array") {
  httplib::Response res;
  WriteError(
      res, Status::Validation("Invalid input", {{"email", "must be an \"email\"", "invalid_format"},
                                                {"age", "must be \\ positive", "too_small"}}));
  CHECK(res.status == 422);
  object error = ErrorOf(res);
  CHECK(Str(error, "code") == "validation_error");
  REQUIRE(error["details"].is<picojson::array>());
  const picojson::array& details = error["details"].get<picojson::array>();
  REQUIRE(details.size() == 2);
  object first = details[0].get<object>();
  CHECK(Str(first, "field") == "email");
  CHECK(Str(first, "message") == "must be an \"email\"");
  CHECK(Str(first, "code") == "invalid_format");
  object second = details[1].get<object>();
  CHECK(Str(second, "message") == "must be \\ positive");
}

TEST_CASE("details given as a JSON object are sent as that object") {
  httplib::Response res;
  WriteError(res, Status::ResourceExhausted("Slow down").WithDetailsJson(R"({"retryAfter":30})"));
  CHECK(res.status == 429);
  object error = ErrorOf(res);
  REQUIRE(error["details"].is<object>());
  CHECK(error["details"].get<object>()["retryAfter"] == picojson::value(int64_t{30}));

  httplib::Response both;
  WriteError(both, Status::Validation("x", {{"f", "m", "c"}}).WithDetailsJson(R"({"k":true})"));
  object e2 = ErrorOf(both);
  CHECK(e2["details"].is<object>());  // the object wins over the field list
}

TEST_CASE("an internal error's message is replaced by a fixed one") {
  for (const Status& st :
       {Status::Internal("SQL: SELECT * FROM secrets at /etc/cairn.db"),
        Status::Unavailable("/etc/cairn.db locked").WithReason("internal_error")}) {
    httplib::Response res;
    WriteError(res, st);
    CHECK(res.status == 500);
    object error = ErrorOf(res);
    CHECK(Str(error, "code") == "internal_error");
    CHECK(Str(error, "message") == "Internal server error");
    CHECK(res.body.find("/etc") == std::string::npos);
    CHECK(res.body.find("SELECT") == std::string::npos);
  }
}

TEST_CASE("an internal error sends no details, whatever the status carried") {
  httplib::Response res;
  WriteError(res, Status::Internal("boom").WithDetailsJson("{\"sql\":\"SELECT secret\"}"));
  CHECK(res.status == 500);
  CHECK(res.body.find("details") == std::string::npos);
  CHECK(res.body.find("secret") == std::string::npos);
}

TEST_CASE("410 has its own code") { CHECK(std::string(CodeForHttpStatus(410)) == "gone"); }

TEST_CASE("errors raised outside any handler are written from the HTTP status alone") {
  struct Row {
    int http_status;
    const char* code;
    const char* message;
  };
  const std::vector<Row> rows = {
      {400, "bad_request", "Malformed request"},
      {404, "not_found", "Route not found"},
      {405, "method_not_allowed", "Method not allowed"},
      {413, "payload_too_large", "Request body too large"},
      {414, "bad_request", "Request line too long"},
      {415, "unsupported_media_type", "Content-Type must be application/json"},
      {416, "bad_request", "Range not satisfiable"},
      {418, "bad_request", "Request refused"},
      {431, "bad_request", "Request headers too large"},
      {500, "internal_error", "Internal server error"},
      {502, "internal_error", "Internal server error"},
      {503, "service_unavailable", "Service unavailable"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.http_status);
    httplib::Response res;
    res.status = r.http_status;
    res.set_header("X-Request-ID", "req_00000000000000aa");
    WriteErrorForStatus(res);
    CHECK(res.status == r.http_status);
    object error = ErrorOf(res);
    CHECK(Str(error, "code") == r.code);
    CHECK(Str(error, "message") == r.message);
    CHECK(Str(error, "requestId") == "req_00000000000000aa");
  }
}

TEST_CASE("each HTTP error status has an API code") {
  struct Row {
    int http_status;
    const char* code;
  };
  const std::vector<Row> rows = {
      {400, "bad_request"},
      {401, "unauthorized"},
      {402, "insufficient_balance"},
      {403, "forbidden"},
      {404, "not_found"},
      {405, "method_not_allowed"},
      {409, "conflict"},
      {413, "payload_too_large"},
      {414, "bad_request"},
      {415, "unsupported_media_type"},
      {422, "validation_error"},
      {423, "account_locked"},
      {429, "rate_limited"},
      {431, "bad_request"},
      {500, "internal_error"},
      {502, "internal_error"},
      {503, "service_unavailable"},
      {504, "internal_error"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.http_status);
    CHECK(std::string(CodeForHttpStatus(r.http_status)) == r.code);
  }
}

TEST_CASE("success envelopes carry data or a message") {
  httplib::Response data;
  WriteData(data, 201, std::string_view(R"({"id":"usr_0123456789abcdef"})"));
  CHECK(data.status == 201);
  CHECK(data.body == R"({"success":true,"data":{"id":"usr_0123456789abcdef"}})");
  CHECK(data.get_header_value("Content-Type") == "application/json; charset=utf-8");

  httplib::Response tree;
  picojson::object o;
  o["url"] = picojson::value("https://x.example/a");
  o["n"] = picojson::value(int64_t{9007199254740993});
  WriteValue(tree, 200, picojson::value(o));
  CHECK(tree.body ==
        R"({"success":true,"data":{"n":9007199254740993,"url":"https://x.example/a"}})");

  httplib::Response msg;
  WriteMessage(msg, 200, "Logged \"out\"");
  CHECK(msg.status == 200);
  CHECK(msg.body == R"({"success":true,"message":"Logged \"out\""})");
  CHECK(Body(msg).size() == 2);
}

}  // namespace
}  // namespace cairn::http

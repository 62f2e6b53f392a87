#include "http/openapi.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "util/json.h"

namespace cairn::http {

namespace {

using picojson::array;
using picojson::object;
using picojson::value;

value Str(const std::string& s) { return value(s); }

value Schema(const std::string& text, const std::string& where) {
  value v;
  std::string err = picojson::parse(v, text);
  if (!err.empty()) {
    std::fprintf(stderr, "invalid JSON Schema in %s: %s\n", where.c_str(), err.c_str());
    std::abort();
  }
  return v;
}

// A Header Object.
value Header(const char* description, const char* schema) {
  object h;
  if (*description != '\0') h["description"] = Str(description);
  h["schema"] = Schema(schema, "header");
  return value(h);
}

value Ref(const std::string& target) {
  object o;
  o["$ref"] = Str(target);
  return value(o);
}

struct ErrorResponse {
  int status;
  const char* name;
  const char* description;
  std::array<const char*, 6> headers = {};  // names in components/headers, then nulls
};
constexpr ErrorResponse kErrors[] = {
    {400, "BadRequest",
     "Malformed request: bad JSON, nesting deeper than 32, bad parameters; no_bank_account "
     "for a payment with no account to pay from"},
    {401, "Unauthorized", "Missing or invalid credentials", {"WWW-Authenticate"}},
    {402, "PaymentRequired", "insufficient_balance: the bank refused the debit; nothing changed"},
    {403, "Forbidden",
     "Not allowed for this caller: role, API-key scope, csrf_failed for a cookie-"
     "authenticated request from a foreign origin, or kyc_required for a remittance"},
    {404, "NotFound", "No such route or resource, or not the caller's"},
    {405, "MethodNotAllowed", "The path exists but not with this method (see Allow)", {"Allow"}},
    {409, "Conflict", "Conflicts with the current state"},
    {410, "Gone", "A deprecated route past its sunset"},
    {413, "PayloadTooLarge", "Body larger than MAX_BODY_BYTES"},
    {415, "UnsupportedMediaType", "A body that is not application/json"},
    {423,
     "Locked",
     "The account is locked after failed sign-ins; see Retry-After",
     {"Retry-After"}},
    {422, "ValidationError", "Well-formed input that breaks a rule; details name the fields"},
    {429,
     "TooManyRequests",
     "Rate limit exceeded; see Retry-After",
     {"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit",
      "RateLimit-Policy"}},
    {500, "InternalError", "Unexpected failure; the message never carries the cause"},
    {503,
     "ServiceUnavailable",
     "A dependency (the database) cannot answer, or the server is busy",
     {"Retry-After"}},
};

// One line per service tag for the document's tag list. A tag missing here
// is listed without a description (tests/http/openapi_test.cpp asks for one).
struct TagDescription {
  const char* tag;
  const char* description;
};
constexpr TagDescription kTagDescriptions[] = {
    {"admin", "Accounts, KYC decisions, the audit log and the sandbox mailbox; admin role only"},
    {"api-keys", "Keys for server-to-server calls (X-API-Key): created with scopes, shown once"},
    {"auth", "Registration, sign-in, token refresh, sessions and password reset"},
    {"bank-accounts", "Linked bank accounts, their balances and the one payments come from"},
    {"cards", "Virtual and physical cards: issue, freeze, cancel, PIN"},
    {"compliance", "Consents, complaints, data export and erasure (GDPR)"},
    {"events", "The caller's events, live, as Server-Sent Events with Last-Event-ID resume"},
    {"merchants", "Merchant registration, QR code, dashboard and QR payments received"},
    {"notifications", "The caller's notifications and their read state"},
    {"rates", "Exchange rates from NOK and remittance fees"},
    {"recipients", "Remittance recipients"},
    {"settings", "The caller's settings"},
    {"system", "Health, discovery and this document; no sign-in"},
    {"transactions", "Remittances and QR payments: cost disclosure, list, summary, receipts"},
    {"users", "The caller's own profile"},
    {"webhooks", "Endpoints that receive the caller's events as signed POSTs, and their deliveries"},
};

const char* TagDescriptionOf(const std::string& tag) {
  for (const TagDescription& t : kTagDescriptions) {
    if (tag == t.tag) return t.description;
  }
  return nullptr;
}

const ErrorResponse* FindError(int status) {
  for (const ErrorResponse& e : kErrors) {
    if (e.status == status) return &e;
  }
  return nullptr;
}

std::string OperationId(const Route& r) {
  std::string id;
  for (char c : r.method) id.push_back(static_cast<char>(std::tolower(c)));
  bool upper = true;
  for (char c : r.path) {
    if (c == '/' || c == '-' || c == '_' || c == '.') {
      upper = true;
    } else if (c == '{') {
      id += "By";
      upper = true;
    } else if (c != '}') {
      id.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      upper = false;
    }
  }
  return id;
}

object Components() {
  object field_error_props;
  field_error_props["field"] = Schema(R"({"type":"string"})", "FieldError");
  field_error_props["message"] = Schema(R"({"type":"string"})", "FieldError");
  field_error_props["code"] = Schema(R"({"type":"string"})", "FieldError");
  object field_error;
  field_error["type"] = Str("object");
  field_error["properties"] = value(field_error_props);
  field_error["required"] = Schema(R"(["field","message","code"])", "FieldError");

  object schemas;
  schemas["FieldError"] = value(field_error);
  schemas["ErrorEnvelope"] = Schema(R"({
    "type": "object",
    "required": ["success", "error"],
    "properties": {
      "success": {"const": false},
      "error": {
        "type": "object",
        "required": ["code", "message", "requestId", "timestamp"],
        "properties": {
          "code": {"type": "string", "examples": ["validation_error"]},
          "message": {"type": "string"},
          "details": {"oneOf": [
            {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
            {"type": "object"}]},
          "requestId": {"type": "string", "pattern": "^req_[a-f0-9]{16}$"},
          "timestamp": {"type": "string", "format": "date-time"}
        }
      }
    }
  })",
                                    "ErrorEnvelope");
  schemas["Pagination"] = Schema(R"({
    "type": "object", "required": ["pageSize", "hasNextPage", "nextCursor"],
    "description": "Page and offset styles carry total and totalPages; cursor style does not",
    "properties": {
      "page": {"type": "integer", "minimum": 1, "description": "page style"},
      "offset": {"type": "integer", "minimum": 0, "description": "offset style"},
      "pageSize": {"type": "integer", "minimum": 1},
      "total": {"type": "integer", "minimum": 0},
      "totalPages": {"type": "integer", "minimum": 0},
      "hasNextPage": {"type": "boolean"},
      "hasPreviousPage": {"type": "boolean"},
      "nextOffset": {"type": ["integer", "null"],
                     "description": "offset style; null on the last page"},
      "nextCursor": {"type": ["string", "null"],
                     "description": "the cursor parameter for the next page; null on the last"}
    }
  })",
                                 "Pagination");
  schemas["MessageEnvelope"] = Schema(R"({
    "type": "object", "required": ["success", "message"],
    "properties": {"success": {"const": true}, "message": {"type": "string"}}
  })",
                                      "MessageEnvelope");

  object headers;
  headers["X-Request-ID"] = Schema(
      R"({"description": "This request's id, also in error bodies and logs",
          "schema": {"type": "string"}})",
      "headers");
  headers["X-Correlation-ID"] = Schema(
      R"({"description": "The caller's X-Correlation-ID if valid, else the request id",
          "schema": {"type": "string"}})",
      "headers");
  headers["X-Response-Time"] =
      Schema(R"({"description": "Server time spent, e.g. 0.42ms", "schema": {"type": "string"}})",
             "headers");
  headers["Allow"] = Header("Methods the path accepts", R"({"type": "string"})");
  headers["WWW-Authenticate"] = Header("", R"({"const": "Bearer realm=\"cairn\""})");
  headers["Retry-After"] = Header("Seconds to wait before retrying", R"({"type": "integer"})");
  headers["X-RateLimit-Limit"] =
      Header("Requests per window under the caller's tightest rule; sent when rate limiting is on",
             R"({"type": "integer"})");
  headers["X-RateLimit-Remaining"] =
      Header("Requests left in the window", R"({"type": "integer"})");
  headers["X-RateLimit-Reset"] =
      Header("Unix time when the window is full again", R"({"type": "integer"})");
  headers["RateLimit"] =
      Header("draft-ietf-httpapi-ratelimit-headers: \"rule\";r=remaining;t=seconds until full",
             R"({"type": "string"})");
  headers["RateLimit-Policy"] =
      Header("draft-ietf-httpapi-ratelimit-headers: \"rule\";q=limit;w=window in seconds",
             R"({"type": "string"})");
  headers["Idempotent-Replayed"] =
      Header("The stored answer to an earlier request with the same Idempotency-Key and body",
             R"({"const": "true"})");

  object responses;
  for (const ErrorResponse& e : kErrors) {
    object content_json;
    content_json["schema"] = Ref("#/components/schemas/ErrorEnvelope");
    object content;
    content["application/json"] = value(content_json);
    object resp;
    resp["description"] = Str(e.description);
    resp["content"] = value(content);
    object hdrs;
    for (const char* h : e.headers) {
      if (h != nullptr) hdrs[h] = Ref(std::string("#/components/headers/") + h);
    }
    if (!hdrs.empty()) resp["headers"] = value(hdrs);
    responses[e.name] = value(resp);
  }

  object components;
  components["securitySchemes"] = Schema(R"({
    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                   "description": "Access token from POST /api/v1/auth/login, 15 minutes"},
    "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "access_token",
                   "description": "The same access token as an HttpOnly cookie (name set by ACCESS_COOKIE_NAME); state-changing requests must come from a trusted Origin"},
    "apiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                   "description": "A key from POST /api/v1/api-keys; opens only routes that list one of its scopes, never admin routes"}})",
                                         "securitySchemes");
  components["schemas"] = value(schemas);
  components["headers"] = value(headers);
  components["responses"] = value(responses);
  return components;
}

// A route that takes the list paging parameters (ListQueryParams in
// http/lists.h) answers through WriteList, whose envelope adds pagination.
bool IsPaged(const Route& r) {
  for (const QueryParam& q : r.doc.query) {
    if (q.name == "pageSize") return true;
  }
  return false;
}

// A body whose schema requires no field may be left out: the handler then
// reads an empty object.
bool BodyRequired(const value& schema) {
  if (!schema.is<object>()) return true;
  const object& o = schema.get<object>();
  auto it = o.find("required");
  return it != o.end() && it->second.is<array>() && !it->second.get<array>().empty();
}

value SuccessResponse(const Route& r) {
  object resp;
  resp["description"] = Str(r.doc.success_description);
  object hdrs;
  for (const char* h : {"X-Request-ID", "X-Correlation-ID", "X-Response-Time"}) {
    hdrs[h] = Ref(std::string("#/components/headers/") + h);
  }
  if (r.rate_class != RateClass::kNever) {
    for (const char* h : {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
                          "RateLimit", "RateLimit-Policy"}) {
      hdrs[h] = Ref(std::string("#/components/headers/") + h);
    }
  }
  if (r.doc.idempotent) {
    hdrs["Idempotent-Replayed"] = Ref("#/components/headers/Idempotent-Replayed");
  }
  if (r.sunset) {
    hdrs["Deprecation"] = Schema(R"({"schema": {"type": "string", "const": "true"}})", "dep");
    hdrs["X-API-Deprecated"] = Header("", R"({"const": "true"})");
    hdrs["Sunset"] = Header("HTTP date after which the route answers 410", R"({"type": "string"})");
    if (!r.successor.empty()) {
      hdrs["Link"] = Header("<successor>; rel=\"successor-version\"", R"({"type": "string"})");
    }
  }
  resp["headers"] = value(hdrs);
  if (r.doc.success_status == 204) return value(resp);

  value schema;
  if (!r.doc.enveloped) {
    schema = Schema(r.doc.data_schema, r.method + " " + r.path);
  } else if (r.doc.data_schema.empty()) {
    schema = Ref("#/components/schemas/MessageEnvelope");
  } else {
    object props;
    props["success"] = Schema(R"({"const": true})", "envelope");
    props["data"] = Schema(r.doc.data_schema, r.method + " " + r.path);
    object env;
    env["type"] = Str("object");
    if (IsPaged(r)) {
      props["pagination"] = Ref("#/components/schemas/Pagination");
      env["required"] = Schema(R"(["success","data","pagination"])", "envelope");
    } else {
      env["required"] = Schema(R"(["success","data"])", "envelope");
    }
    env["properties"] = value(props);
    schema = value(env);
  }
  object content_json;
  content_json["schema"] = schema;
  object content;
  content[r.doc.content_type] = value(content_json);
  resp["content"] = value(content);
  return value(resp);
}

value Operation(const Route& r) {
  object op;
  op["operationId"] = Str(OperationId(r));
  op["summary"] = Str(r.doc.summary);
  if (!r.doc.description.empty()) op["description"] = Str(r.doc.description);
  op["tags"] = value(array{Str(r.doc.tag)});
  if (r.sunset) op["deprecated"] = value(true);
  if (r.auth != Auth::kPublic) {
    array security{Schema(R"({"bearerAuth": []})", "security"),
                   Schema(R"({"cookieAuth": []})", "security")};
    if (!r.scopes.empty() && r.auth != Auth::kAdmin) {
      array scopes;
      for (const std::string& sc : r.scopes) scopes.push_back(Str(sc));
      object key;
      key["apiKeyAuth"] = value(scopes);
      security.push_back(value(key));
    }
    op["security"] = value(security);
    static const char* const kRoles[] = {"", "user", "merchant", "admin"};
    op["x-required-role"] = Str(kRoles[static_cast<int>(r.auth)]);
  }
  // Which rate-limit rules count the call (docs/API.md §8), for /docs.
  static const char* const kRateClasses[] = {"none", "standard", "auth", "payments", "rates"};
  op["x-rate-limit-class"] = Str(kRateClasses[static_cast<int>(r.rate_class)]);

  array params;
  for (std::string_view seg : SplitPath(r.path)) {
    if (seg.size() < 3 || seg.front() != '{') continue;
    object p;
    p["name"] = Str(std::string(seg.substr(1, seg.size() - 2)));
    p["in"] = Str("path");
    p["required"] = value(true);
    p["schema"] = Schema(R"({"type":"string"})", "path");
    params.push_back(value(p));
  }
  for (const QueryParam& q : r.doc.query) {
    object p;
    p["name"] = Str(q.name);
    p["in"] = Str("query");
    p["required"] = value(q.required);
    p["description"] = Str(q.description);
    p["schema"] = Schema(q.schema, r.path + "?" + q.name);
    params.push_back(value(p));
  }
  object corr;
  corr["name"] = Str("X-Correlation-ID");
  corr["in"] = Str("header");
  corr["required"] = value(false);
  corr["description"] = Str("Echoed back when it matches ^[A-Za-z0-9._-]{1,64}$");
  corr["schema"] = Schema(R"({"type":"string","pattern":"^[A-Za-z0-9._-]{1,64}$"})", "corr");
  params.push_back(value(corr));
  if (r.doc.idempotent) {
    object key;
    key["name"] = Str("Idempotency-Key");
    key["in"] = Str("header");
    key["required"] = value(false);
    key["description"] =
        Str("Makes a retry safe: the same key and body replay the first answer; the same key with "
            "another body is 422 idempotency_key_reused");
    key["schema"] = Schema(
        R"({"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"})", "key");
    params.push_back(value(key));
  }
  op["parameters"] = value(params);

  std::set<int> errors(r.doc.errors.begin(), r.doc.errors.end());
  errors.insert(500);
  if (r.auth != Auth::kPublic) errors.insert({401, 403});
  if (r.rate_class != RateClass::kNever) errors.insert(429);
  if (!r.doc.request_schema.empty()) {
    object content_json;
    content_json["schema"] = Schema(r.doc.request_schema, r.method + " " + r.path + " body");
    object body;
    body["required"] = value(BodyRequired(content_json["schema"]));
    object content;
    content["application/json"] = value(content_json);
    body["content"] = value(content);
    op["requestBody"] = value(body);
    errors.insert({400, 413, 415});
  }
  if (r.sunset) errors.insert(410);

  object responses;
  responses[std::to_string(r.doc.success_status)] = SuccessResponse(r);
  for (int status : errors) {
    const ErrorResponse* e = FindError(status);
    if (e == nullptr) {
      std::fprintf(stderr, "route %s %s declares undocumented error %d\n", r.method.c_str(),
                   r.path.c_str(), status);
      std::abort();
    }
    responses[std::to_string(status)] = Ref(std::string("#/components/responses/") + e->name);
  }
  op["responses"] = value(responses);
  return value(op);
}

// `x-rate-limits`: each class's rules as this server was configured
// (docs/API.md §8), so /docs shows what a client will meet, not the defaults.
value RateLimits(const ratelimit::RuleTable* table) {
  object out;
  out["enabled"] = value(table != nullptr);
  array rules;
  auto add = [&](const char* rate_class, const char* applies_to, const char* per,
                 const ratelimit::Rules& limits) {
    object o;
    o["class"] = Str(rate_class);
    o["appliesTo"] = Str(applies_to);
    o["per"] = Str(per);
    array list;
    for (const ratelimit::Rule& r : limits) {
      object l;
      l["count"] = value(static_cast<int64_t>(r.count));
      l["windowSeconds"] = value(static_cast<int64_t>(r.window_s));
      list.push_back(value(l));
    }
    o["limits"] = value(list);  // empty: unlimited
    rules.push_back(value(o));
  };
  if (table != nullptr) {
    add("standard", "anonymous", "ip", table->anonymous);
    add("standard", "user", "user", table->user);
    add("standard", "merchant", "user", table->merchant);
    add("standard", "admin", "user", {});  // admins are never limited
    add("auth", "anyone", "ip", table->auth);
    add("payments", "signed-in", "user", table->payments);  // on top of the standard rule
    add("rates", "anyone", "ip", table->rates);
  }
  out["rules"] = value(rules);
  return value(out);
}

}  // namespace

std::string BuildOpenApi(const Router& router, const ApiInfo& info) {
  object paths;
  std::set<std::string> tags;
  for (const Route& r : router.routes()) {
    if (!r.doc.published) continue;  // the web pages (router.h)
    object item;
    if (auto it = paths.find(r.path); it != paths.end()) item = it->second.get<object>();
    std::string method;
    for (char c : r.method) method.push_back(static_cast<char>(std::tolower(c)));
    item[method] = Operation(r);
    paths[r.path] = value(item);
    tags.insert(r.doc.tag);
  }

  object inf;
  inf["title"] = Str(info.title);
  inf["version"] = Str(info.version);
  if (!info.description.empty()) inf["description"] = Str(info.description);

  array tag_list;
  for (const std::string& t : tags) {
    object o;
    o["name"] = Str(t);
    if (const char* description = TagDescriptionOf(t)) o["description"] = Str(description);
    tag_list.push_back(value(o));
  }

  object doc;
  doc["openapi"] = Str("3.1.0");
  doc["info"] = value(inf);
  doc["servers"] = Schema(R"([{"url": "/"}])", "servers");
  doc["tags"] = value(tag_list);
  doc["paths"] = value(paths);
  doc["components"] = value(Components());
  doc["x-rate-limits"] = RateLimits(info.rate_limits);
  return json::Serialize(value(doc));
}

}  // namespace cairn::http

#include "http/openapi.h"

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

value Ref(const std::string& target) {
  object o;
  o["$ref"] = Str(target);
  return value(o);
}

struct ErrorResponse {
  int status;
  const char* name;
  const char* description;
};
constexpr ErrorResponse kErrors[] = {
    {400, "BadRequest",
     "Malformed request: bad JSON, nesting deeper than 32, bad parameters; no_bank_account "
     "for a payment with no account to pay from"},
    {401, "Unauthorized", "Missing or invalid credentials"},
    {402, "PaymentRequired", "insufficient_balance: the bank refused the debit; nothing changed"},
    {403, "Forbidden",
     "Not allowed for this caller: role, API-key scope, csrf_failed for a cookie-"
     "authenticated request from a foreign origin, or kyc_required for a remittance"},
    {404, "NotFound", "No such route or resource, or not the caller's"},
    {405, "MethodNotAllowed", "The path exists but not with this method (see Allow)"},
    {409, "Conflict", "Conflicts with the current state"},
    {410, "Gone", "A deprecated route past its sunset"},
    {413, "PayloadTooLarge", "Body larger than MAX_BODY_BYTES"},
    {415, "UnsupportedMediaType", "A body that is not application/json"},
    {423, "Locked", "The account is locked after failed sign-ins; see Retry-After"},
    {422, "ValidationError", "Well-formed input that breaks a rule; details name the fields"},
    {429, "TooManyRequests", "Rate limit exceeded; see Retry-After"},
    {500, "InternalError", "Unexpected failure; the message never carries the cause"},
    {503, "ServiceUnavailable", "A dependency (the database) cannot answer"},
};

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

  object responses;
  for (const ErrorResponse& e : kErrors) {
    object content_json;
    content_json["schema"] = Ref("#/components/schemas/ErrorEnvelope");
    object content;
    content["application/json"] = value(content_json);
    object resp;
    resp["description"] = Str(e.description);
    resp["content"] = value(content);
    if (e.status == 405) {
      resp["headers"] = Schema(
          R"({"Allow": {"description": "Methods the path accepts", "schema": {"type": "string"}}})",
          "405");
    }
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

value SuccessResponse(const Route& r) {
  object resp;
  resp["description"] = Str(r.doc.success_description);
  object hdrs;
  for (const char* h : {"X-Request-ID", "X-Correlation-ID", "X-Response-Time"}) {
    hdrs[h] = Ref(std::string("#/components/headers/") + h);
  }
  if (r.sunset) {
    hdrs["Deprecation"] = Schema(R"({"schema": {"type": "string", "const": "true"}})", "dep");
    hdrs["Sunset"] = Schema(R"({"schema": {"type": "string"}})", "dep");
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
    env["required"] = Schema(R"(["success","data"])", "envelope");
    env["properties"] = value(props);
    schema = value(env);
  }
  object content_json;
  content_json["schema"] = schema;
  object content;
  content["application/json"] = value(content_json);
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
  op["parameters"] = value(params);

  std::set<int> errors(r.doc.errors.begin(), r.doc.errors.end());
  errors.insert(500);
  if (r.auth != Auth::kPublic) errors.insert({401, 403});
  if (!r.doc.request_schema.empty()) {
    object content_json;
    content_json["schema"] = Schema(r.doc.request_schema, r.method + " " + r.path + " body");
    object content;
    content["application/json"] = value(content_json);
    object body;
    body["required"] = value(true);
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
    tag_list.push_back(value(o));
  }

  object doc;
  doc["openapi"] = Str("3.1.0");
  doc["info"] = value(inf);
  doc["servers"] = Schema(R"([{"url": "/"}])", "servers");
  doc["tags"] = value(tag_list);
  doc["paths"] = value(paths);
  doc["components"] = value(Components());
  return json::Serialize(value(doc));
}

}  // namespace cairn::http

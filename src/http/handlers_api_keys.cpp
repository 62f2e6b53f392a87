// /api/v1/api-keys: create (the key is shown once), list, revoke.

#include "auth/api_keys.h"
#include "http/envelope.h"
#include "http/handlers_auth.h"
#include "http/user_json.h"
#include "util/clock.h"
#include "util/ids.h"

namespace cairn::http {

namespace {

constexpr char kKeySchema[] = R"({"type": "object",
  "required": ["id", "name", "prefix", "scopes", "createdAt"],
  "properties": {
    "id": {"type": "string", "pattern": "^key_[a-f0-9]{16}$"},
    "key": {"type": "string", "description": "Only in the answer to POST; never again"},
    "name": {"type": "string"},
    "prefix": {"type": "string", "description": "The key's first characters, to tell keys apart"},
    "scopes": {"type": "array", "items": {"enum": ["transactions:read", "transactions:write",
               "rates:read", "webhooks:manage", "profile:read"]}},
    "expiresAt": {"type": ["string", "null"], "format": "date-time"},
    "lastUsedAt": {"type": "string", "format": "date-time"},
    "createdAt": {"type": "string", "format": "date-time"}}})";

picojson::object KeyJson(const store::ApiKeyRow& k) {
  picojson::object o;
  o["id"] = picojson::value(k.id);
  o["name"] = picojson::value(k.name);
  o["prefix"] = picojson::value(k.key_prefix);
  picojson::array scopes;
  for (const std::string& s : auth::SplitScopes(k.scopes)) scopes.emplace_back(s);
  o["scopes"] = picojson::value(scopes);
  o["expiresAt"] = k.expires_at != 0 ? TimeJson(k.expires_at) : picojson::value();
  if (k.last_used_at != 0) o["lastUsedAt"] = TimeJson(k.last_used_at);
  o["createdAt"] = TimeJson(k.created_at);
  return o;
}

Result<auth::NewApiKey> ReadNewKey(const picojson::object& body) {
  std::vector<FieldError> errors;
  auth::NewApiKey spec;
  auto name = body.find("name");
  if (name == body.end() || !name->second.is<std::string>()) {
    errors.push_back({"name", "name is required", "required"});
  } else {
    spec.name = name->second.get<std::string>();
  }
  auto scopes = body.find("scopes");
  if (scopes == body.end() || !scopes->second.is<picojson::array>()) {
    errors.push_back({"scopes", "scopes must be an array of scope names", "required"});
  } else {
    for (const picojson::value& v : scopes->second.get<picojson::array>()) {
      if (!v.is<std::string>() || spec.scopes.size() >= 16) {
        errors.push_back({"scopes", "scopes must be up to 16 scope names", "invalid_type"});
        break;
      }
      spec.scopes.push_back(v.get<std::string>());
    }
  }
  if (auto exp = body.find("expiresAt"); exp != body.end() && !exp->second.is<picojson::null>()) {
    TimePoint when;
    if (!exp->second.is<std::string>() || !ParseIso8601(exp->second.get<std::string>(), &when)) {
      errors.push_back({"expiresAt",
                        "expiresAt must be an ISO 8601 time like "
                        "2027-01-15T10:30:00Z",
                        "invalid_format"});
    } else {
      spec.expires_at = UnixSeconds(when);
    }
  }
  if (!errors.empty()) return Status::Validation("Request validation failed", std::move(errors));
  return spec;
}

Status CreateKey(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<auth::NewApiKey> spec = ReadNewKey(call.body);
  if (!spec.ok()) return spec.status();
  Result<auth::CreatedApiKey> created = d.api_keys->Create(*call.principal, spec.value());
  if (!created.ok()) return created.status();
  picojson::object o = KeyJson(created->row);
  o["key"] = picojson::value(created->key);
  WriteValue(res, 201, picojson::value(o));
  return Status::Ok();
}

Status ListKeys(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<std::vector<store::ApiKeyRow>> rows = d.api_keys->List(*call.principal);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::ApiKeyRow& k : rows.value()) items.emplace_back(KeyJson(k));
  WriteValue(res, 200, picojson::value(items));
  return Status::Ok();
}

Status RevokeKey(AuthDeps& d, const Call& call, httplib::Response& res) {
  std::string id(call.params.Get("id"));
  if (!IsWellFormedId(id)) return Status::NotFound("No such API key");
  Status st = d.api_keys->Revoke(*call.principal, id);
  if (!st.ok()) return st;
  res.status = 204;
  return Status::Ok();
}

}  // namespace

void RegisterApiKeyRoutes(Router& router, AuthDeps* deps) {
  Route create = MakeRoute("POST", "/api/v1/api-keys", Bind(deps, CreateKey), "api-keys",
                           "Create an API key; the key is shown only in this answer");
  create.auth = Auth::kUser;
  create.doc.description =
      "Send the key as X-API-Key. It acts for its owner, only on routes that list one of its "
      "scopes, never on admin routes. Stored only as a hash; at most 50 live keys per account "
      "(409 beyond).";
  create.doc.request_schema = R"({"type": "object", "required": ["name", "scopes"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100},
                   "scopes": {"type": "array", "minItems": 1, "maxItems": 16,
                              "items": {"enum": ["transactions:read", "transactions:write",
                                                 "rates:read", "webhooks:manage",
                                                 "profile:read"]}},
                   "expiresAt": {"type": ["string", "null"], "format": "date-time"}}})";
  create.doc.success_status = 201;
  create.doc.success_description = "Created";
  create.doc.data_schema = kKeySchema;
  create.doc.errors = {409, 422, 503};
  router.Add(std::move(create));

  Route list = MakeRoute(
      "GET", "/api/v1/api-keys", Bind(deps, ListKeys), "api-keys",
      "The caller's unrevoked API keys, newest first, expired ones included (no key material)");
  list.auth = Auth::kUser;
  list.doc.data_schema = std::string(R"({"type": "array", "items": )") + kKeySchema + "}";
  list.doc.errors = {503};
  router.Add(std::move(list));

  Route revoke = MakeRoute("DELETE", "/api/v1/api-keys/{id}", Bind(deps, RevokeKey), "api-keys",
                           "Revoke an API key");
  revoke.auth = Auth::kUser;
  revoke.doc.description = "Takes effect at once. Another user's key, or an unknown one, is 404.";
  revoke.doc.success_status = 204;
  revoke.doc.success_description = "Revoked";
  revoke.doc.errors = {404, 503};
  router.Add(std::move(revoke));
}

}  // namespace cairn::http

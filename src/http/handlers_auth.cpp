#include "http/handlers_auth.h"

#include "auth/accounts.h"
#include "auth/sessions.h"
#include "http/envelope.h"
#include "util/clock.h"
#include "util/json.h"

namespace cairn::http {

namespace {

constexpr char kUserSchema[] = R"({
  "type": "object",
  "required": ["id", "email", "firstName", "lastName", "dateOfBirth", "role", "kycStatus",
               "createdAt"],
  "properties": {
    "id": {"type": "string", "pattern": "^usr_[a-f0-9]{16}$"},
    "email": {"type": "string", "format": "email"},
    "firstName": {"type": "string"},
    "lastName": {"type": "string"},
    "phone": {"type": "string"},
    "dateOfBirth": {"type": "string", "format": "date"},
    "role": {"enum": ["user", "merchant", "admin"]},
    "kycStatus": {"enum": ["pending", "approved", "rejected"]},
    "createdAt": {"type": "string", "format": "date-time"}}})";

constexpr char kRegisterSchema[] = R"({
  "type": "object",
  "required": ["email", "password", "firstName", "lastName", "dateOfBirth"],
  "properties": {
    "email": {"type": "string", "maxLength": 254},
    "password": {"type": "string", "minLength": 8, "description": "8+ characters with letters and digits, at most 128 bytes"},
    "firstName": {"type": "string", "minLength": 1, "maxLength": 100},
    "lastName": {"type": "string", "minLength": 1, "maxLength": 100},
    "phone": {"type": "string", "pattern": "^\\+[0-9]{8,15}$"},
    "dateOfBirth": {"type": "string", "format": "date", "description": "at least 18 years ago"}}})";

constexpr char kLoginSchema[] = R"({
  "type": "object", "required": ["email", "password"],
  "properties": {"email": {"type": "string"}, "password": {"type": "string"}}})";

picojson::value UserJson(const store::UserRow& u) {
  picojson::object o;
  o["id"] = picojson::value(u.id);
  o["email"] = picojson::value(u.email);
  o["firstName"] = picojson::value(u.first_name);
  o["lastName"] = picojson::value(u.last_name);
  if (!u.phone.empty()) o["phone"] = picojson::value(u.phone);
  o["dateOfBirth"] = picojson::value(u.date_of_birth);
  o["role"] = picojson::value(u.role);
  o["kycStatus"] = picojson::value(u.kyc_status);
  o["createdAt"] = picojson::value(FormatIso8601(TimePoint(std::chrono::seconds(u.created_at))));
  return picojson::value(o);
}

// A required string field of a body, or the validation error naming it.
Result<std::string> StringField(const picojson::object& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || !it->second.is<std::string>()) {
    return Status::Validation("Request validation failed",
                              {{key, std::string(key) + " is required", "required"}});
  }
  return it->second.get<std::string>();
}

Status Register(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<auth::NewAccount> account = auth::ReadNewAccount(call.body, SystemClock::Get().Now());
  if (!account.ok()) return account.status();
  Result<store::UserRow> user = d.accounts->Register(account.value());
  if (!user.ok()) return user.status();
  WriteValue(res, 201, UserJson(user.value()));
  return Status::Ok();
}

void WriteTokens(httplib::Response& res, const auth::TokenPair& tokens) {
  picojson::object data;
  data["accessToken"] = picojson::value(tokens.access_token);
  data["refreshToken"] = picojson::value(tokens.refresh_token);
  data["tokenType"] = picojson::value("Bearer");
  data["expiresIn"] = picojson::value(tokens.expires_in);
  data["user"] = UserJson(tokens.user);
  WriteValue(res, 200, picojson::value(data));
}

Status Login(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<std::string> email = StringField(call.body, "email");
  if (!email.ok()) return email.status();
  Result<std::string> password = StringField(call.body, "password");
  if (!password.ok()) return password.status();
  auth::ClientInfo client{call.req.get_header_value("User-Agent"), call.req.remote_addr};
  Result<auth::TokenPair> tokens = d.accounts->Login(*email, *password, client);
  if (!tokens.ok()) return tokens.status();
  WriteTokens(res, tokens.value());
  return Status::Ok();
}

Status Refresh(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<std::string> token = StringField(call.body, "refreshToken");
  if (!token.ok()) return token.status();
  Result<auth::TokenPair> tokens = d.sessions->Refresh(*token);
  if (!tokens.ok()) return tokens.status();
  WriteTokens(res, tokens.value());
  return Status::Ok();
}

Status Logout(AuthDeps& d, const Call& call, httplib::Response& res) {
  bool all = false;
  if (auto it = call.body.find("all"); it != call.body.end()) {
    if (!it->second.is<bool>()) {
      return Status::Validation("Request validation failed",
                                {{"all", "all must be true or false", "invalid_type"}});
    }
    all = it->second.get<bool>();
  }
  Status st = d.sessions->Logout(*call.principal, all);
  if (!st.ok()) return st;
  WriteMessage(res, 200, all ? "Logged out of every session" : "Logged out");
  return Status::Ok();
}

Status ListSessions(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<std::vector<store::SessionRow>> rows = d.sessions->List(*call.principal);
  if (!rows.ok()) return rows.status();
  picojson::array list;
  for (const store::SessionRow& s : rows.value()) {
    picojson::object o;
    o["id"] = picojson::value(s.id);
    o["createdAt"] = picojson::value(FormatIso8601(TimePoint(std::chrono::seconds(s.created_at))));
    o["lastUsedAt"] =
        picojson::value(FormatIso8601(TimePoint(std::chrono::seconds(s.last_used_at))));
    if (!s.user_agent.empty()) o["userAgent"] = picojson::value(s.user_agent);
    if (!s.ip.empty()) o["ip"] = picojson::value(s.ip);
    o["current"] = picojson::value(s.id == call.principal->session_id);
    list.emplace_back(o);
  }
  WriteValue(res, 200, picojson::value(list));
  return Status::Ok();
}

Status RevokeSession(AuthDeps& d, const Call& call, httplib::Response& res) {
  Status st = d.sessions->Revoke(*call.principal, std::string(call.params.Get("id")));
  if (!st.ok()) return st;
  res.status = 204;
  return Status::Ok();
}

Status ChangePassword(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<std::string> current = StringField(call.body, "currentPassword");
  if (!current.ok()) return current.status();
  Result<std::string> next = StringField(call.body, "newPassword");
  if (!next.ok()) return next.status();
  Status st = d.accounts->ChangePassword(*call.principal, *current, *next);
  if (!st.ok()) return st;
  WriteMessage(res, 200, "Password changed; every other session has been ended");
  return Status::Ok();
}

Status Me(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<store::UserRow> user = d.accounts->Me(*call.principal);
  if (!user.ok()) return user.status();
  WriteValue(res, 200, UserJson(user.value()));
  return Status::Ok();
}

}  // namespace

void RegisterAuthRoutes(Router& router, AuthDeps* deps) {
  const std::string kTokensSchema =
      std::string(R"({"type": "object",
        "required": ["accessToken", "refreshToken", "tokenType", "expiresIn", "user"],
        "properties": {"accessToken": {"type": "string"}, "refreshToken": {"type": "string"},
                       "tokenType": {"const": "Bearer"}, "expiresIn": {"type": "integer"},
                       "user": )") +
      kUserSchema + "}}";
  auto bind = [deps](Status (*fn)(AuthDeps&, const Call&, httplib::Response&)) {
    return [deps, fn](const Call& call, httplib::Response& res) { return fn(*deps, call, res); };
  };

  Route reg =
      MakeRoute("POST", "/api/v1/auth/register", bind(Register), "auth", "Create an account");
  reg.doc.description =
      "Role is always user (a role in the body is ignored, as are unknown fields). Every "
      "failing field is listed in error.details.";
  reg.doc.request_schema = kRegisterSchema;
  reg.doc.success_status = 201;
  reg.doc.success_description = "Created";
  reg.doc.data_schema = kUserSchema;
  reg.doc.errors = {409, 422, 503};
  router.Add(std::move(reg));

  Route login = MakeRoute("POST", "/api/v1/auth/login", bind(Login), "auth", "Sign in");
  login.doc.description =
      "Returns a 15-minute access token (JWT HS256) and a 30-day refresh token. An unknown "
      "email and a wrong password get the same answer after the same work.";
  login.doc.request_schema = kLoginSchema;
  login.doc.data_schema = kTokensSchema;
  login.doc.errors = {401, 422, 503};
  router.Add(std::move(login));

  Route me = MakeRoute("GET", "/api/v1/auth/me", bind(Me), "auth", "The signed-in account");
  me.auth = Auth::kUser;
  me.doc.data_schema = kUserSchema;
  me.doc.errors = {401, 503};
  router.Add(std::move(me));

  Route refresh = MakeRoute("POST", "/api/v1/auth/refresh", bind(Refresh), "auth",
                            "Exchange a refresh token for a new pair");
  refresh.doc.description =
      "Refresh tokens rotate on every use. A rotated token presented again within 10 s gets a "
      "fresh pair (two tabs refreshing at once); after that it revokes its whole session and "
      "is 401 with error.details.reason \"token_reused\".";
  refresh.doc.request_schema = R"({"type": "object", "required": ["refreshToken"],
    "properties": {"refreshToken": {"type": "string"}}})";
  refresh.doc.data_schema = kTokensSchema;
  refresh.doc.errors = {401, 422, 503};
  router.Add(std::move(refresh));

  Route logout = MakeRoute("POST", "/api/v1/auth/logout", bind(Logout), "auth",
                           "End this session, or every session with {\"all\": true}");
  logout.auth = Auth::kUser;
  logout.doc.description = "Access tokens of the ended sessions fail at once.";
  logout.doc.errors = {422, 503};
  router.Add(std::move(logout));

  Route password = MakeRoute("PUT", "/api/v1/auth/password", bind(ChangePassword), "auth",
                             "Change the password; ends every other session");
  password.auth = Auth::kUser;
  password.doc.description =
      "A wrong currentPassword is 422 with the field's code \"incorrect\"; the new password "
      "follows the register rules and must differ from the current one.";
  password.doc.request_schema = R"({"type": "object",
    "required": ["currentPassword", "newPassword"],
    "properties": {"currentPassword": {"type": "string"},
                   "newPassword": {"type": "string", "minLength": 8}}})";
  password.doc.errors = {422, 503};
  router.Add(std::move(password));

  Route sessions = MakeRoute("GET", "/api/v1/auth/sessions", bind(ListSessions), "auth",
                             "The caller's live sessions, newest first");
  sessions.auth = Auth::kUser;
  sessions.doc.data_schema = R"({"type": "array", "items": {"type": "object",
    "required": ["id", "createdAt", "lastUsedAt", "current"],
    "properties": {"id": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"},
                   "lastUsedAt": {"type": "string", "format": "date-time"},
                   "userAgent": {"type": "string"}, "ip": {"type": "string"},
                   "current": {"type": "boolean"}}}})";
  sessions.doc.errors = {503};
  router.Add(std::move(sessions));

  Route revoke = MakeRoute("DELETE", "/api/v1/auth/sessions/{id}", bind(RevokeSession), "auth",
                           "End one of the caller's sessions");
  revoke.auth = Auth::kUser;
  revoke.doc.description = "Another user's session, or an unknown one, is 404.";
  revoke.doc.success_status = 204;
  revoke.doc.success_description = "Ended";
  revoke.doc.errors = {404, 503};
  router.Add(std::move(revoke));
}

}  // namespace cairn::http

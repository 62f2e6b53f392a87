#include "http/handlers_auth.h"

#include "auth/accounts.h"
#include "auth/password_reset.h"
#include "auth/sessions.h"
#include "http/csrf.h"
#include "http/envelope.h"
#include "http/user_json.h"
#include "util/clock.h"
#include "util/json.h"

namespace cairn::http {

namespace {

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

// A required string field of a body, or the validation error naming it.
Result<std::string> StringField(const picojson::object& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->second.is<picojson::null>()) {
    return Status::Validation("Request validation failed",
                              {{key, std::string(key) + " is required", "required"}});
  }
  if (!it->second.is<std::string>()) {
    return Status::Validation("Request validation failed",
                              {{key, std::string(key) + " must be a string", "invalid_type"}});
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

// Both tokens also travel as HttpOnly cookies, for browsers; the refresh
// cookie only to the routes that consume it.
void SetTokenCookies(const AuthDeps& d, httplib::Response& res, const auth::TokenPair& tokens) {
  const auth::AuthOptions& o = d.sessions->options();
  res.set_header("Set-Cookie", SetCookieValue(d.cookies.access_name, tokens.access_token, "/",
                                              o.access_ttl_s, d.cookies.secure));
  res.set_header("Set-Cookie",
                 SetCookieValue(d.cookies.refresh_name, tokens.refresh_token,
                                CookiePolicy::kRefreshPath, o.refresh_ttl_s, d.cookies.secure));
}

void ClearTokenCookies(const AuthDeps& d, httplib::Response& res) {
  res.set_header("Set-Cookie", SetCookieValue(d.cookies.access_name, "", "/", 0, d.cookies.secure));
  res.set_header("Set-Cookie", SetCookieValue(d.cookies.refresh_name, "",
                                              CookiePolicy::kRefreshPath, 0, d.cookies.secure));
}

void WriteTokens(const AuthDeps& d, httplib::Response& res, const auth::TokenPair& tokens) {
  SetTokenCookies(d, res, tokens);
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
  auth::ClientInfo client{call.req.get_header_value("User-Agent"), call.client_ip};
  Result<auth::TokenPair> tokens = d.accounts->Login(*email, *password, client);
  if (!tokens.ok()) return tokens.status();
  WriteTokens(d, res, tokens.value());
  return Status::Ok();
}

// The refresh token comes in the body or, from a browser, in its cookie.
// A cookie rides along on cross-site requests, so it only counts when the
// request comes from a trusted origin (the CSRF check).
Status Refresh(AuthDeps& d, const Call& call, httplib::Response& res) {
  std::string token;
  if (call.body.count("refreshToken") != 0) {
    Result<std::string> field = StringField(call.body, "refreshToken");
    if (!field.ok()) return field.status();
    token = std::move(field.value());
  } else {
    token = CookieValue(call.req, d.cookies.refresh_name);
    if (token.empty()) {
      return Status::Validation(
          "Request validation failed",
          {{"refreshToken", "refreshToken is required (in the body or its cookie)", "required"}});
    }
    if (!call.trusted_origin) {
      return Status::PermissionDenied("Cross-site request refused; send Origin")
          .WithReason("csrf_failed");
    }
  }
  Result<auth::TokenPair> tokens = d.sessions->Refresh(token);
  if (!tokens.ok()) return tokens.status();
  WriteTokens(d, res, tokens.value());
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
  ClearTokenCookies(d, res);
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

Status ForgotPassword(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<std::string> email = StringField(call.body, "email");
  if (!email.ok()) return email.status();
  std::string normalised = auth::NormaliseEmail(*email);
  auth::FieldCheck check = auth::CheckEmail(normalised);
  if (!check.ok()) {
    return Status::Validation("Request validation failed", {{"email", check.message, check.code}});
  }
  d.resets->Request(std::move(normalised), call.client_ip);
  WriteMessage(res, 202,
               "If an account uses this email, a reset link is on its way. It is valid for one "
               "hour.");
  return Status::Ok();
}

Status ResetPassword(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<std::string> token = StringField(call.body, "token");
  if (!token.ok()) return token.status();
  Result<std::string> password = StringField(call.body, "password");
  if (!password.ok()) return password.status();
  Status st = d.resets->Reset(*token, *password, call.client_ip);
  if (!st.ok()) return st;
  WriteMessage(res, 200, "Password changed; every session has been ended. Sign in again.");
  return Status::Ok();
}

}  // namespace

void RegisterAuthRoutes(Router& router, AuthDeps* deps) {
  const std::string kTokensSchema = std::string(R"({"type": "object",
        "required": ["accessToken", "refreshToken", "tokenType", "expiresIn", "user"],
        "properties": {"accessToken": {"type": "string"}, "refreshToken": {"type": "string"},
                       "tokenType": {"const": "Bearer"}, "expiresIn": {"type": "integer"},
                       "user": )") + kUserSchema +
                                    "}}";

  Route reg =
      MakeRoute("POST", "/api/v1/auth/register", Bind(deps, Register), "auth", "Create an account");
  reg.doc.description =
      "Role is always user (a role in the body is ignored, as are unknown fields). Every "
      "failing field is listed in error.details.";
  reg.doc.request_schema = kRegisterSchema;
  reg.doc.success_status = 201;
  reg.doc.success_description = "Created";
  reg.doc.data_schema = kUserSchema;
  reg.doc.errors = {409, 422, 503};
  reg.rate_class = RateClass::kAuth;
  router.Add(std::move(reg));

  Route login = MakeRoute("POST", "/api/v1/auth/login", Bind(deps, Login), "auth", "Sign in");
  login.doc.description =
      "Returns a 15-minute access token (JWT HS256) and a 30-day refresh token, in the body and "
      "as HttpOnly cookies (access_token, Path=/; refresh_token, Path=/api/v1/auth). An unknown "
      "email and a wrong password get the same answer after the same work. Five failures in 15 "
      "minutes lock the account for 15 (423 account_locked with Retry-After).";
  login.doc.request_schema = kLoginSchema;
  login.doc.data_schema = kTokensSchema;
  login.doc.errors = {401, 422, 423, 503};
  login.rate_class = RateClass::kAuth;
  router.Add(std::move(login));

  Route me =
      MakeRoute("GET", "/api/v1/auth/me", Bind(deps, GetMe), "auth", "The signed-in account");
  me.auth = Auth::kUser;
  me.scopes = {"profile:read"};
  me.doc.data_schema = kUserSchema;
  me.doc.errors = {503};
  router.Add(std::move(me));

  Route refresh = MakeRoute("POST", "/api/v1/auth/refresh", Bind(deps, Refresh), "auth",
                            "Exchange a refresh token for a new pair");
  refresh.doc.description =
      "Refresh tokens rotate on every use. A rotated token presented again within 10 s gets a "
      "fresh pair (two tabs refreshing at once); after that it revokes its whole session and "
      "is 401 with error.details.reason \"token_reused\". Without refreshToken in the body the "
      "refresh_token cookie is used, and then the request must come from a trusted origin "
      "(403 csrf_failed).";
  refresh.doc.request_schema = R"({"type": "object",
    "properties": {"refreshToken": {"type": "string"}}})";
  refresh.doc.data_schema = kTokensSchema;
  refresh.doc.errors = {401, 403, 422, 503};
  refresh.rate_class = RateClass::kAuth;
  router.Add(std::move(refresh));

  Route logout = MakeRoute("POST", "/api/v1/auth/logout", Bind(deps, Logout), "auth",
                           "End this session, or every session with {\"all\": true}");
  logout.auth = Auth::kUser;
  logout.doc.description =
      "Access tokens of the ended sessions fail at once; the token cookies are cleared.";
  logout.doc.request_schema = R"({"type": "object",
    "properties": {"all": {"type": "boolean", "default": false}}})";
  logout.doc.errors = {422, 503};
  router.Add(std::move(logout));

  Route password = MakeRoute("PUT", "/api/v1/auth/password", Bind(deps, ChangePassword), "auth",
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

  Route sessions = MakeRoute("GET", "/api/v1/auth/sessions", Bind(deps, ListSessions), "auth",
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

  Route revoke = MakeRoute("DELETE", "/api/v1/auth/sessions/{id}", Bind(deps, RevokeSession),
                           "auth", "End one of the caller's sessions");
  revoke.auth = Auth::kUser;
  revoke.doc.description = "Another user's session, or an unknown one, is 404.";
  revoke.doc.success_status = 204;
  revoke.doc.success_description = "Ended";
  revoke.doc.errors = {404, 503};
  router.Add(std::move(revoke));

  Route forgot = MakeRoute("POST", "/api/v1/auth/forgot-password", Bind(deps, ForgotPassword),
                           "auth", "Ask for a password reset mail");
  forgot.doc.description =
      "Always 202 with the same message, whether or not an account uses the email. The reset "
      "token (single use, valid 1 h) goes out by mail: through MAIL_COMMAND, or into the sandbox "
      "mailbox that admins read at GET /api/v1/admin/mail.";
  forgot.doc.request_schema = R"({"type": "object", "required": ["email"],
    "properties": {"email": {"type": "string", "format": "email"}}})";
  forgot.doc.success_status = 202;
  forgot.doc.success_description = "Accepted";
  forgot.doc.errors = {422};
  forgot.rate_class = RateClass::kAuth;
  router.Add(std::move(forgot));

  Route reset = MakeRoute("POST", "/api/v1/auth/reset-password", Bind(deps, ResetPassword), "auth",
                          "Set a new password with a reset token");
  reset.doc.description =
      "The token works once, within an hour of the mail, and only the newest one does. Every "
      "session of the account ends. A bad token is 422 with the field code "
      "\"invalid_or_expired\".";
  reset.doc.request_schema = R"({"type": "object", "required": ["token", "password"],
    "properties": {"token": {"type": "string"},
                   "password": {"type": "string", "minLength": 8}}})";
  reset.doc.errors = {422, 503};
  reset.rate_class = RateClass::kAuth;
  router.Add(std::move(reset));
}

}  // namespace cairn::http

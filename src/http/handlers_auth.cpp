#include "http/handlers_auth.h"

#include "auth/accounts.h"
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

Status Register(auth::Accounts& accounts, const Call& call, httplib::Response& res) {
  Result<auth::NewAccount> account = auth::ReadNewAccount(call.body, SystemClock::Get().Now());
  if (!account.ok()) return account.status();
  Result<store::UserRow> user = accounts.Register(account.value());
  if (!user.ok()) return user.status();
  WriteValue(res, 201, UserJson(user.value()));
  return Status::Ok();
}

Status Login(auth::Accounts& accounts, const Call& call, httplib::Response& res) {
  Result<std::string> email = StringField(call.body, "email");
  if (!email.ok()) return email.status();
  Result<std::string> password = StringField(call.body, "password");
  if (!password.ok()) return password.status();
  auth::ClientInfo client{call.req.get_header_value("User-Agent"), call.req.remote_addr};
  Result<auth::LoginResult> login = accounts.Login(*email, *password, client);
  if (!login.ok()) return login.status();
  picojson::object data;
  data["accessToken"] = picojson::value(login->access_token);
  data["refreshToken"] = picojson::value(login->refresh_token);
  data["tokenType"] = picojson::value("Bearer");
  data["expiresIn"] = picojson::value(login->expires_in);
  data["user"] = UserJson(login->user);
  WriteValue(res, 200, picojson::value(data));
  return Status::Ok();
}

Status Me(auth::Accounts& accounts, const Call& call, httplib::Response& res) {
  Result<store::UserRow> user = accounts.Me(*call.principal);
  if (!user.ok()) return user.status();
  WriteValue(res, 200, UserJson(user.value()));
  return Status::Ok();
}

}  // namespace

void RegisterAuthRoutes(Router& router, auth::Accounts* accounts) {
  auto bind = [accounts](Status (*fn)(auth::Accounts&, const Call&, httplib::Response&)) {
    return [accounts, fn](const Call& call, httplib::Response& res) {
      return fn(*accounts, call, res);
    };
  };

  Route reg;
  reg.method = "POST";
  reg.path = "/api/v1/auth/register";
  reg.handler = bind(Register);
  reg.doc.tag = "auth";
  reg.doc.summary = "Create an account";
  reg.doc.description =
      "Role is always user (a role in the body is ignored, as are unknown fields). Every "
      "failing field is listed in error.details.";
  reg.doc.request_schema = kRegisterSchema;
  reg.doc.success_status = 201;
  reg.doc.success_description = "Created";
  reg.doc.data_schema = kUserSchema;
  reg.doc.errors = {409, 422, 503};
  router.Add(std::move(reg));

  Route login;
  login.method = "POST";
  login.path = "/api/v1/auth/login";
  login.handler = bind(Login);
  login.doc.tag = "auth";
  login.doc.summary = "Sign in";
  login.doc.description =
      "Returns a 15-minute access token (JWT HS256) and a 30-day refresh token. An unknown "
      "email and a wrong password get the same answer after the same work.";
  login.doc.request_schema = kLoginSchema;
  login.doc.data_schema = std::string(R"({"type": "object",
    "required": ["accessToken", "refreshToken", "tokenType", "expiresIn", "user"],
    "properties": {"accessToken": {"type": "string"}, "refreshToken": {"type": "string"},
                   "tokenType": {"const": "Bearer"}, "expiresIn": {"type": "integer"},
                   "user": )") + kUserSchema + "}}";
  login.doc.errors = {401, 422, 503};
  router.Add(std::move(login));

  Route me;
  me.method = "GET";
  me.path = "/api/v1/auth/me";
  me.handler = bind(Me);
  me.auth = Auth::kUser;
  me.doc.tag = "auth";
  me.doc.summary = "The signed-in account";
  me.doc.data_schema = kUserSchema;
  me.doc.errors = {401, 503};
  router.Add(std::move(me));
}

}  // namespace cairn::http

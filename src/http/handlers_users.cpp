// /api/v1/users/me for every account, and the admin routes: /api/v1/users,
// /api/v1/users/{id}, /api/v1/admin/audit-log and /api/v1/admin/mail.

#include "auth/accounts.h"
#include "auth/admin.h"
#include "http/envelope.h"
#include "http/handlers_auth.h"
#include "http/lists.h"
#include "http/user_json.h"
#include "util/clock.h"
#include "util/ids.h"

namespace cairn::http {

namespace {

// A path id must look like one of ours; anything else cannot exist.
Status CheckId(std::string_view id, const char* what) {
  if (!IsWellFormedId(id)) return Status::NotFound(std::string("No such ") + what);
  return Status::Ok();
}

Status PatchMe(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<auth::UserPatch> patch = auth::ReadUserPatch(call.body, auth::Editor::kOwner);
  if (!patch.ok()) return patch.status();
  Result<store::UserRow> user = d.accounts->UpdateProfile(*call.principal, patch.value());
  if (!user.ok()) return user.status();
  WriteValue(res, 200, UserJson(user.value()));
  return Status::Ok();
}

Status ListUsers(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<ListRequest> list = ReadListRequest(call.req, store::UserSortColumns(), "-createdAt");
  if (!list.ok()) return list.status();
  store::UserFilter filter;
  Result<std::string> search = ReadSearch(call.req);
  if (!search.ok()) return search.status();
  filter.search = std::move(search.value());
  filter.role = call.req.get_param_value("role");
  if (!filter.role.empty() && !auth::ParseRole(filter.role)) {
    return Status::InvalidArgument("Invalid query parameter role: user, merchant or admin");
  }
  filter.status = call.req.get_param_value("status");
  if (!filter.status.empty() && filter.status != "active" && filter.status != "deleted") {
    return Status::InvalidArgument("Invalid query parameter status: active or deleted");
  }
  store::ListResult result;
  Result<std::vector<store::UserRow>> rows = d.admin->ListUsers(filter, list->spec, &result);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::UserRow& u : rows.value()) items.push_back(AdminUserJson(u));
  WriteList(res, std::move(items), list.value(), result);
  return Status::Ok();
}

Status CreateUser(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<auth::NewAccount> account = auth::ReadNewAccount(call.body, SystemClock::Get().Now());
  std::optional<auth::Role> role = auth::Role::kUser;
  if (auto it = call.body.find("role"); it != call.body.end()) {
    role = it->second.is<std::string>() ? auth::ParseRole(it->second.get<std::string>())
                                        : std::nullopt;
  }
  if (!role || !account.ok()) {
    std::vector<FieldError> errors =
        account.ok() ? std::vector<FieldError>{} : account.status().details();
    if (!role)
      errors.push_back({"role", "role must be one of user, merchant, admin", "invalid_value"});
    return Status::Validation("Request validation failed", std::move(errors));
  }
  Result<store::UserRow> user = d.accounts->Create(account.value(), *role, call.principal->user_id);
  if (!user.ok()) return user.status();
  WriteValue(res, 201, AdminUserJson(user.value()));
  return Status::Ok();
}

Status GetUser(AuthDeps& d, const Call& call, httplib::Response& res) {
  std::string id(call.params.Get("id"));
  if (Status st = CheckId(id, "user"); !st.ok()) return st;
  Result<store::UserRow> user = d.admin->GetUser(id);
  if (!user.ok()) return user.status();
  WriteValue(res, 200, AdminUserJson(user.value()));
  return Status::Ok();
}

Status PatchUser(AuthDeps& d, const Call& call, httplib::Response& res) {
  std::string id(call.params.Get("id"));
  if (Status st = CheckId(id, "user"); !st.ok()) return st;
  Result<auth::UserPatch> patch = auth::ReadUserPatch(call.body, auth::Editor::kAdmin);
  if (!patch.ok()) return patch.status();
  Result<store::UserRow> user = d.admin->UpdateUser(*call.principal, id, patch.value());
  if (!user.ok()) return user.status();
  WriteValue(res, 200, AdminUserJson(user.value()));
  return Status::Ok();
}

Status DeleteUser(AuthDeps& d, const Call& call, httplib::Response& res) {
  std::string id(call.params.Get("id"));
  if (Status st = CheckId(id, "user"); !st.ok()) return st;
  Status st = d.admin->DeleteUser(*call.principal, id);
  if (!st.ok()) return st;
  res.status = 204;
  return Status::Ok();
}

Status ListAudit(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<ListRequest> list = ReadListRequest(call.req, store::AuditSortColumns(), "-createdAt");
  if (!list.ok()) return list.status();
  store::AuditFilter filter;
  filter.action = call.req.get_param_value("action");
  filter.actor_id = call.req.get_param_value("actorId");
  filter.target_id = call.req.get_param_value("targetId");
  store::ListResult result;
  Result<std::vector<store::AuditRow>> rows = d.admin->ListAudit(filter, list->spec, &result);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::AuditRow& r : rows.value()) {
    picojson::object o;
    o["id"] = picojson::value(r.id);
    o["createdAt"] = TimeJson(r.created_at);
    o["action"] = picojson::value(r.action);
    if (!r.actor_id.empty()) o["actorId"] = picojson::value(r.actor_id);
    if (!r.target_id.empty()) o["targetId"] = picojson::value(r.target_id);
    if (!r.ip.empty()) o["ip"] = picojson::value(r.ip);
    picojson::value details;
    if (!r.details.empty() && picojson::parse(details, r.details).empty()) o["details"] = details;
    items.emplace_back(std::move(o));
  }
  WriteList(res, std::move(items), list.value(), result);
  return Status::Ok();
}

const std::vector<store::SortColumn> kMailSort = {{"createdAt", "created_at"}};

Status ListMail(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<ListRequest> list = ReadListRequest(call.req, kMailSort, "-createdAt");
  if (!list.ok()) return list.status();
  store::ListResult result;
  Result<std::vector<store::MailRow>> rows =
      d.admin->ListMail(call.req.get_param_value("to"), list->spec, &result);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::MailRow& m : rows.value()) {
    picojson::object o;
    o["id"] = picojson::value(m.id);
    o["to"] = picojson::value(m.recipient);
    o["subject"] = picojson::value(m.subject);
    o["body"] = picojson::value(m.body);
    o["createdAt"] = TimeJson(m.created_at);
    items.emplace_back(std::move(o));
  }
  WriteList(res, std::move(items), list.value(), result);
  return Status::Ok();
}

}  // namespace

Status GetMe(AuthDeps& d, const Call& call, httplib::Response& res) {
  Result<store::UserRow> user = d.accounts->Me(*call.principal);
  if (!user.ok()) return user.status();
  WriteValue(res, 200, UserJson(user.value()));
  return Status::Ok();
}

void RegisterUserRoutes(Router& router, AuthDeps* deps) {
  Route get =
      MakeRoute("GET", "/api/v1/users/me", Bind(deps, GetMe), "users", "The caller's profile");
  get.auth = Auth::kUser;
  get.scopes = {"profile:read"};
  get.doc.description =
      "Bank accounts and their total balance join the profile with the payments domain.";
  get.doc.data_schema = kUserSchema;
  get.doc.errors = {503};
  router.Add(std::move(get));

  Route patch = MakeRoute("PATCH", "/api/v1/users/me", Bind(deps, PatchMe), "users",
                          "Edit the caller's profile");
  patch.auth = Auth::kUser;
  patch.doc.description =
      "firstName, lastName and phone (null removes it), with the register rules. email, "
      "password and dateOfBirth are read-only here (422 read_only); role or kycStatus is 403.";
  patch.doc.request_schema = R"({"type": "object", "properties": {
    "firstName": {"type": "string", "minLength": 1, "maxLength": 100},
    "lastName": {"type": "string", "minLength": 1, "maxLength": 100},
    "phone": {"type": ["string", "null"], "pattern": "^\\+[0-9]{8,15}$"}}})";
  patch.doc.data_schema = kUserSchema;
  patch.doc.errors = {422, 503};
  router.Add(std::move(patch));
}

void RegisterAdminRoutes(Router& router, AuthDeps* deps) {
  const std::string list_schema =
      std::string(R"({"type": "array", "items": )") + kAdminUserSchema + "}";

  Route list = MakeRoute("GET", "/api/v1/users", Bind(deps, ListUsers), "admin", "List accounts");
  list.auth = Auth::kAdmin;
  list.doc.description =
      std::string(
          "Filters: search (2-100 characters, over email and names), role, status "
          "(active, deleted). Default sort -createdAt.") +
      kPaginationNote;
  list.doc.query = ListQueryParams(store::UserSortColumns());
  list.doc.query.push_back({"search", R"({"type": "string", "minLength": 2, "maxLength": 100})",
                            "Substring of email, first or last name"});
  list.doc.query.push_back(
      {"role", R"({"enum": ["user", "merchant", "admin"]})", "Only this role"});
  list.doc.query.push_back({"status", R"({"enum": ["active", "deleted"]})", "Only this status"});
  list.doc.data_schema = list_schema;
  list.doc.errors = {400, 503};
  router.Add(std::move(list));

  Route create =
      MakeRoute("POST", "/api/v1/users", Bind(deps, CreateUser), "admin", "Create an account");
  create.auth = Auth::kAdmin;
  create.doc.description =
      "The register fields and rules, plus role (user, merchant or admin; default user).";
  create.doc.request_schema = R"({"type": "object",
    "required": ["email", "password", "firstName", "lastName", "dateOfBirth"],
    "properties": {"email": {"type": "string"}, "password": {"type": "string"},
                   "firstName": {"type": "string"}, "lastName": {"type": "string"},
                   "phone": {"type": "string"}, "dateOfBirth": {"type": "string", "format": "date"},
                   "role": {"enum": ["user", "merchant", "admin"]}}})";
  create.doc.success_status = 201;
  create.doc.success_description = "Created";
  create.doc.data_schema = kAdminUserSchema;
  create.doc.errors = {409, 422, 503};
  router.Add(std::move(create));

  Route get = MakeRoute("GET", "/api/v1/users/{id}", Bind(deps, GetUser), "admin", "One account");
  get.auth = Auth::kAdmin;
  get.doc.data_schema = kAdminUserSchema;
  get.doc.errors = {404, 503};
  router.Add(std::move(get));

  Route patch = MakeRoute("PATCH", "/api/v1/users/{id}", Bind(deps, PatchUser), "admin",
                          "Edit an account, decide KYC, change role");
  patch.auth = Auth::kAdmin;
  patch.doc.description =
      "firstName, lastName, phone, role and kycStatus. A change of role ends the account's "
      "sessions (tokens carry the role). Admins cannot change their own role (409); a deleted "
      "account cannot be edited (409). Recorded in the audit log.";
  patch.doc.request_schema = R"({"type": "object", "properties": {
    "firstName": {"type": "string"}, "lastName": {"type": "string"},
    "phone": {"type": ["string", "null"]},
    "role": {"enum": ["user", "merchant", "admin"]},
    "kycStatus": {"enum": ["pending", "approved", "rejected"]}}})";
  patch.doc.data_schema = kAdminUserSchema;
  patch.doc.errors = {404, 409, 422, 503};
  router.Add(std::move(patch));

  Route del = MakeRoute("DELETE", "/api/v1/users/{id}", Bind(deps, DeleteUser), "admin",
                        "Soft-delete an account");
  del.auth = Auth::kAdmin;
  del.doc.description =
      "The account can no longer sign in; its sessions end and its API keys are revoked. The row "
      "and its email stay (the email cannot be registered again). Admins cannot delete "
      "themselves (409).";
  del.doc.success_status = 204;
  del.doc.success_description = "Deleted";
  del.doc.errors = {404, 409, 503};
  router.Add(std::move(del));

  Route audit = MakeRoute("GET", "/api/v1/admin/audit-log", Bind(deps, ListAudit), "admin",
                          "Security events and admin actions, newest first");
  audit.auth = Auth::kAdmin;
  audit.doc.description =
      std::string(
          "Actions: login.succeeded, login.failed, account.locked, "
          "refresh_token.reused, password.changed, password_reset.requested, "
          "password.reset, api_key.created, api_key.revoked, user.created, user.updated, "
          "user.deleted. Filters: action, actorId, targetId.") +
      kPaginationNote;
  audit.doc.query = ListQueryParams(store::AuditSortColumns());
  audit.doc.query.push_back({"action", R"({"type": "string"})", "Only this action"});
  audit.doc.query.push_back({"actorId", R"({"type": "string"})", "Only events by this user"});
  audit.doc.query.push_back({"targetId", R"({"type": "string"})", "Only events about this user"});
  audit.doc.data_schema = R"({"type": "array", "items": {"type": "object",
    "required": ["id", "createdAt", "action"],
    "properties": {"id": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"},
                   "action": {"type": "string"}, "actorId": {"type": "string"},
                   "targetId": {"type": "string"}, "ip": {"type": "string"},
                   "details": {"type": "object"}}}})";
  audit.doc.errors = {400, 503};
  router.Add(std::move(audit));

  Route mail = MakeRoute("GET", "/api/v1/admin/mail", Bind(deps, ListMail), "admin",
                         "The sandbox mailbox, newest first");
  mail.auth = Auth::kAdmin;
  mail.doc.description =
      std::string(
          "Mail Cairn would have sent when no MAIL_COMMAND is configured (password "
          "resets). Filter: to (exact address).") +
      kPaginationNote;
  mail.doc.query = ListQueryParams(kMailSort);
  mail.doc.query.push_back({"to", R"({"type": "string"})", "Only mail to this address"});
  mail.doc.data_schema = R"({"type": "array", "items": {"type": "object",
    "required": ["id", "to", "subject", "body", "createdAt"],
    "properties": {"id": {"type": "string"}, "to": {"type": "string"},
                   "subject": {"type": "string"}, "body": {"type": "string"},
                   "createdAt": {"type": "string", "format": "date-time"}}}})";
  mail.doc.errors = {400, 503};
  router.Add(std::move(mail));
}

}  // namespace cairn::http

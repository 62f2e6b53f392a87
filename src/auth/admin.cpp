#include "auth/admin.h"

#include "store/api_keys.h"
#include "util/log.h"

namespace cairn::auth {

Admin::Admin(store::Database& db, Sessions& sessions, AuditLog& audit, const Clock& clock)
    : db_(db), sessions_(sessions), audit_(audit), clock_(clock) {}

Result<std::vector<store::UserRow>> Admin::ListUsers(const store::UserFilter& filter,
                                                     const store::ListSpec& spec,
                                                     store::ListResult* result) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListUsers(*lease.value(), filter, spec, result);
}

Result<store::UserRow> Admin::GetUser(const std::string& id) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::FindUserById(*lease.value(), id);
}

Result<store::UserRow> Admin::UpdateUser(const Principal& admin, const std::string& id,
                                         const UserPatch& patch) {
  if (patch.role && id == admin.user_id) {
    return Status::FailedPrecondition("Admins cannot change their own role");
  }
  bool role_changed = false;
  store::UserRow user;
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  try {
    store::WriteTransaction tx(*lease.value());
    Result<store::UserRow> found = store::FindUserById(*lease.value(), id);
    if (!found.ok()) return found.status();
    user = std::move(found.value());
    if (user.status != "active") return Status::FailedPrecondition("The account is deleted");
    AuditEvent event{"user.updated", admin.user_id, id, "", {}};
    auto set = [&](const char* field, const std::optional<std::string>& value, std::string* into) {
      if (!value || *value == *into) return;
      // Names and phones are personal data; the trail says what changed, and
      // the new value only for role and KYC status.
      bool show = std::string_view(field) == "role" || std::string_view(field) == "kycStatus";
      event.details.emplace_back(field, show ? *value : "changed");
      *into = *value;
    };
    std::string old_role = user.role;
    set("firstName", patch.first_name, &user.first_name);
    set("lastName", patch.last_name, &user.last_name);
    set("phone", patch.phone, &user.phone);
    set("role", patch.role, &user.role);
    set("kycStatus", patch.kyc_status, &user.kyc_status);
    if (event.details.empty()) return user;  // nothing to change
    role_changed = user.role != old_role;
    user.updated_at = UnixSeconds(clock_.Now());
    Status st = store::UpdateUser(*lease.value(), user);
    if (!st.ok()) return st;
    st = audit_.RecordIn(*lease.value(), event);
    if (!st.ok()) return st;
    tx.Commit();
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "admin update user");
  }
  if (role_changed) {
    Status st = sessions_.RevokeUser(id, "role_changed");
    if (!st.ok()) return st;
  }
  log::Info("user_updated").Str("userId", id).Str("by", admin.user_id).Emit();
  return user;
}

Status Admin::DeleteUser(const Principal& admin, const std::string& id) {
  if (id == admin.user_id) return Status::FailedPrecondition("Admins cannot delete themselves");
  int64_t now = UnixSeconds(clock_.Now());
  {
    auto lease = db_.Acquire();
    if (!lease.ok()) return lease.status();
    try {
      store::WriteTransaction tx(*lease.value());
      Status st = store::SoftDeleteUser(*lease.value(), id, now);
      if (!st.ok()) return st;
      st = store::RevokeUserApiKeys(*lease.value(), id, now);
      if (!st.ok()) return st;
      st = audit_.RecordIn(*lease.value(), {"user.deleted", admin.user_id, id, "", {}});
      if (!st.ok()) return st;
      tx.Commit();
    } catch (const std::exception& e) {
      return store::FromSqliteError(e, "admin delete user");
    }
  }
  log::Info("user_deleted").Str("userId", id).Str("by", admin.user_id).Emit();
  // The account is already refused everywhere (Authenticate checks status
  // for keys, and a deleted user's refresh fails); this ends live tokens too.
  return sessions_.RevokeUser(id, "account_deleted");
}

Result<std::vector<store::AuditRow>> Admin::ListAudit(const store::AuditFilter& filter,
                                                      const store::ListSpec& spec,
                                                      store::ListResult* result) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListAudit(*lease.value(), filter, spec, result);
}

Result<std::vector<store::MailRow>> Admin::ListMail(const std::string& recipient,
                                                    const store::ListSpec& spec,
                                                    store::ListResult* result) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListMail(*lease.value(), recipient, spec, result);
}

}  // namespace cairn::auth

#include "auth/api_keys.h"

#include <sodium.h>

#include <algorithm>

#include "util/digest.h"
#include "util/ids.h"
#include "util/log.h"

namespace cairn::auth {

namespace {

constexpr std::string_view kKeyPrefix = "ck_";
// "ck_" + base64url of 32 bytes (43 characters).
constexpr size_t kKeyLength = 3 + 43;

std::string NewKey() { return std::string(kKeyPrefix) + RandomToken(); }

Status InvalidKey() { return Status::Unauthenticated("Invalid or expired API key"); }

}  // namespace

std::vector<std::string> SplitScopes(std::string_view scopes) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < scopes.size()) {
    size_t end = scopes.find(' ', start);
    if (end == std::string_view::npos) end = scopes.size();
    if (end > start) out.emplace_back(scopes.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

ApiKeys::ApiKeys(store::Database& db, const Clock& clock, AuditLog& audit)
    : db_(db), clock_(clock), audit_(audit) {}

Result<CreatedApiKey> ApiKeys::Create(const Principal& who, const NewApiKey& spec) {
  int64_t now = UnixSeconds(clock_.Now());
  std::vector<FieldError> errors;
  if (spec.name.empty() || spec.name.size() > 100) {
    errors.push_back({"name", "Name must be 1-100 characters", "invalid_length"});
  }
  if (spec.scopes.empty()) {
    errors.push_back({"scopes", "At least one scope is required", "required"});
  }
  for (const std::string& s : spec.scopes) {
    if (!IsKnownScope(s)) {
      errors.push_back({"scopes", "Unknown scope: " + s.substr(0, 64), "invalid_value"});
      break;
    }
  }
  if (spec.expires_at != 0 && spec.expires_at <= now) {
    errors.push_back({"expiresAt", "Expiry must be in the future", "invalid_value"});
  }
  if (!errors.empty()) return Status::Validation("Request validation failed", std::move(errors));

  std::vector<std::string> scopes = spec.scopes;
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  std::string joined;
  for (const std::string& s : scopes) joined += (joined.empty() ? "" : " ") + s;

  CreatedApiKey out;
  out.key = NewKey();
  store::ApiKeyRow& row = out.row;
  row.id = NewId("key");
  row.user_id = who.user_id;
  row.name = spec.name;
  row.key_hash = Sha256Hex(out.key);
  row.key_prefix = out.key.substr(0, kKeyPrefix.size() + 6);
  row.scopes = joined;
  row.created_at = now;
  row.expires_at = spec.expires_at;

  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  try {
    store::WriteTransaction tx(*lease.value());
    Result<int> live = store::CountLiveApiKeys(*lease.value(), who.user_id, now);
    if (!live.ok()) return live.status();
    if (live.value() >= kMaxKeysPerUser) {
      return Status::FailedPrecondition("At most " + std::to_string(kMaxKeysPerUser) +
                                        " live API keys per account; revoke one first");
    }
    Status st = store::InsertApiKey(*lease.value(), row);
    if (!st.ok()) return st;
    st = audit_.RecordIn(
        *lease.value(),
        {"api_key.created", who.user_id, who.user_id, "", {{"keyId", row.id}, {"scopes", joined}}});
    if (!st.ok()) return st;
    tx.Commit();
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "create api key");
  }
  log::Info("api_key_created").Str("userId", who.user_id).Str("keyId", row.id).Emit();
  return out;
}

Result<std::vector<store::ApiKeyRow>> ApiKeys::List(const Principal& who) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListApiKeys(*lease.value(), who.user_id);
}

Status ApiKeys::Revoke(const Principal& who, const std::string& id) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  Status st = store::RevokeApiKey(*lease.value(), who.user_id, id, UnixSeconds(clock_.Now()));
  if (!st.ok()) return st;
  audit_.Record({"api_key.revoked", who.user_id, who.user_id, "", {{"keyId", id}}},
                &*lease.value());
  return Status::Ok();
}

Result<Principal> ApiKeys::Authenticate(std::string_view key) const {
  if (key.size() != kKeyLength || key.substr(0, kKeyPrefix.size()) != kKeyPrefix) {
    return InvalidKey();
  }
  int64_t now = UnixSeconds(clock_.Now());
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  // The lookup is by hash, so its timing says nothing about the key.
  Result<store::ApiKeyOwner> found = store::FindApiKeyByHash(*lease.value(), Sha256Hex(key));
  if (!found.ok()) {
    return found.status().code() == Code::kNotFound ? InvalidKey() : found.status();
  }
  const store::ApiKeyRow& k = found->key;
  if (k.revoked_at != 0 || (k.expires_at != 0 && k.expires_at <= now) ||
      found->status != "active") {
    return InvalidKey();
  }
  if (now - k.last_used_at >= kKeyUseResolutionS) {
    // Best effort: a failed touch must not fail the request it records.
    (void)store::TouchApiKey(*lease.value(), k.id, now, kKeyUseResolutionS);
  }
  Principal p;
  p.user_id = k.user_id;
  p.email = found->email;
  p.role = found->role;
  p.credential = Credential::kApiKey;
  p.key_id = k.id;
  p.scopes = SplitScopes(k.scopes);
  return p;
}

}  // namespace cairn::auth

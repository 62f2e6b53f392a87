#pragma once

// The password_resets table. Queries only: the rules live in
// src/auth/password_reset.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>

#include "util/status.h"

namespace cairn::store {

// Stores a new reset token (by hash) and retires the user's earlier unused
// ones, so only the newest mail works. Two statements: run it inside the
// caller's WriteTransaction.
Status InsertPasswordReset(SQLite::Database& db, const std::string& token_hash,
                           const std::string& user_id, int64_t now, int64_t expires_at);

// Marks a live token used and returns its user. NotFound when the token is
// unknown, used, superseded or expired. Run it inside the transaction that
// sets the new password, so the two happen together or not at all.
Result<std::string> ConsumePasswordReset(SQLite::Database& db, const std::string& token_hash,
                                         int64_t now);

// The user of a live token, without using it; NotFound otherwise.
Result<std::string> PeekPasswordReset(SQLite::Database& db, const std::string& token_hash,
                                      int64_t now);

}  // namespace cairn::store

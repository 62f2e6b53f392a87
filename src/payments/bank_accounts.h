#pragma once

// Linked bank accounts (API.md §9, §13): link an account at the bank, list
// them with the balance last read and when, refresh a balance from the bank,
// choose the primary account payments come from.
//
// The first account a user links becomes primary. Linking is idempotent
// under an Idempotency-Key (it opens an account at the sandbox bank), and
// emits bank_account.linked in the same transaction.
//
// Thread-safe: state is in the database.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "auth/access.h"
#include "payments/idempotency.h"
#include "payments/provider.h"
#include "store/bank_accounts.h"
#include "store/database.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::payments {

// At most this many linked accounts per user.
inline constexpr int kMaxBankAccounts = 10;
// Opening balances of sandbox accounts, in NOK: at most this much.
inline constexpr int64_t kMaxOpeningBalanceMinor = 100'000'000;  // 1 000 000 NOK
inline constexpr int64_t kDefaultOpeningBalanceMinor = 5'000'000;  // 50 000 NOK

struct LinkInput {
  std::string bank_name;
  std::string currency = "NOK";
  int64_t initial_balance = kDefaultOpeningBalanceMinor;
};

// Renders a linked account as the reply to send (and to store for replays).
using RenderAccount = std::function<Reply(const store::BankAccountRow&)>;

class BankAccounts {
 public:
  BankAccounts(store::Database& db, const Clock& clock, AccountInformation& bank);
  BankAccounts(const BankAccounts&) = delete;
  BankAccounts& operator=(const BankAccounts&) = delete;

  // Validation for a bad bank name, currency or balance; FailedPrecondition
  // past kMaxBankAccounts; a replayed reply for a repeated key.
  Result<Reply> Link(const auth::Principal& who, const LinkInput& in, const IdempotencyKey& key,
                     const RenderAccount& render);
  Result<std::vector<store::BankAccountRow>> List(const auth::Principal& who,
                                                  const store::ListSpec& spec,
                                                  store::ListResult* result);
  // Reads the balance from the bank and records it. NotFound unless the
  // account is the caller's.
  Result<store::BankAccountRow> Refresh(const auth::Principal& who, const std::string& id);
  Result<store::BankAccountRow> MakePrimary(const auth::Principal& who, const std::string& id);

 private:
  // Runs edit on the caller's account `id` in a write transaction; NotFound
  // unless the account is theirs. edit may change the row it is given,
  // which is then returned.
  using Edit = std::function<Status(SQLite::Database&, store::BankAccountRow&, int64_t now)>;
  Result<store::BankAccountRow> Change(const auth::Principal& who, const std::string& id,
                                       const Edit& edit, const char* what);

  store::Database& db_;
  const Clock& clock_;
  AccountInformation& bank_;
};

}  // namespace cairn::payments

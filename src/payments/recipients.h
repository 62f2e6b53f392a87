#pragma once

// Remittance recipients (API.md §9): people a user sends money to abroad.
//
// A recipient's country must be one of the corridors (RS, BA, PL, PK, TR),
// its currency that country's, and its account number valid for that
// country (payments/account_numbers.h). The number is shown in full only in
// the answer that creates it; every later read masks it. Creating emits
// recipient.created. Deleting hides the recipient; its transactions keep
// their copy of its name.
//
// Thread-safe: state is in the database.

#include <string>
#include <vector>

#include "auth/access.h"
#include "store/database.h"
#include "store/recipients.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::payments {

// At most this many (undeleted) recipients per user.
inline constexpr int kMaxRecipients = 200;

struct NewRecipient {
  std::string name;
  std::string country;
  std::string currency;
  std::string bank_account;
  std::string bank_name;  // optional
};

class Recipients {
 public:
  Recipients(store::Database& db, const Clock& clock);
  Recipients(const Recipients&) = delete;
  Recipients& operator=(const Recipients&) = delete;

  // Validation naming each bad field; FailedPrecondition past kMaxRecipients.
  Result<store::RecipientRow> Create(const auth::Principal& who, const NewRecipient& in);
  Result<std::vector<store::RecipientRow>> List(const auth::Principal& who,
                                                const store::ListSpec& spec,
                                                store::ListResult* result);
  // NotFound unless the recipient is the caller's.
  Status Delete(const auth::Principal& who, const std::string& id);

 private:
  store::Database& db_;
  const Clock& clock_;
};

}  // namespace cairn::payments

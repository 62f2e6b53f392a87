#pragma once

// Cards (API.md §9), behind FEATURE_CARDS: virtual or physical cards issued
// by the sandbox, frozen and unfrozen, cancelled, ordered in plastic, given
// a PIN and spending limits.
//
// PCI DSS: the full number and the CVV exist only for the instant a card is
// made and are never stored or shown; a card keeps its last four digits. The
// PIN is stored as an Argon2id hash (the password hasher's), never itself.
// Cancelling is final and keeps the row (status cancelled); lists leave
// cancelled cards out.
//
// Thread-safe: state is in the database.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "auth/access.h"
#include "auth/password.h"
#include "store/cards.h"
#include "store/database.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::payments {

// Cards not cancelled, per user, at most.
inline constexpr int kMaxCards = 5;

class Cards {
 public:
  Cards(store::Database& db, const Clock& clock, auth::PasswordHasher& hasher);
  Cards(const Cards&) = delete;
  Cards& operator=(const Cards&) = delete;

  // type: virtual or physical (Validation otherwise); FailedPrecondition past
  // kMaxCards.
  Result<store::CardRow> Issue(const auth::Principal& who, const std::string& type);
  Result<std::vector<store::CardRow>> List(const auth::Principal& who);
  // NotFound unless the card is the caller's.
  Result<store::CardRow> Get(const auth::Principal& who, const std::string& id);
  // status: active or frozen; FailedPrecondition for a cancelled card.
  Result<store::CardRow> SetStatus(const auth::Principal& who, const std::string& id,
                                   const std::string& status);
  // FailedPrecondition when cancelled already.
  Status Cancel(const auth::Principal& who, const std::string& id);
  // A virtual card ordered in plastic to `address` (10-300 characters).
  Result<store::CardRow> OrderPhysical(const auth::Principal& who, const std::string& id,
                                       const std::string& address);
  // Exactly four digits (Validation otherwise).
  Status SetPin(const auth::Principal& who, const std::string& id, const std::string& pin);
  Result<std::vector<store::CardLimitRow>> Limits(const auth::Principal& who,
                                                  const std::string& id);
  // limit_type daily, weekly, monthly or transaction; amount > 0. Replaces
  // the card's limit of that type.
  Result<store::CardLimitRow> SetLimit(const auth::Principal& who, const std::string& id,
                                       const std::string& limit_type, int64_t amount);

 private:
  // Runs change on the caller's live card in a write transaction.
  using Change = std::function<Status(SQLite::Database&, store::CardRow&)>;
  Result<store::CardRow> Update(const auth::Principal& who, const std::string& id,
                                const Change& change);

  store::Database& db_;
  const Clock& clock_;
  auth::PasswordHasher& hasher_;
};

}  // namespace cairn::payments

#include "payments/cards.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>

#include "util/ids.h"
#include "util/json.h"

namespace cairn::payments {

namespace {

constexpr const char* kLimitTypes[] = {"daily", "weekly", "monthly", "transaction"};

Status Invalid(const char* field, std::string message, const char* code) {
  return Status::Validation("Request validation failed", {{field, std::move(message), code}});
}

// A 16-digit number in the Visa range with a valid Luhn check digit, of
// which only the last four are returned: the rest is never kept.
std::string NewLast4() {
  std::string digits = "4";
  while (digits.size() < 15) digits.push_back(static_cast<char>('0' + randombytes_uniform(10)));
  int sum = 0;
  for (size_t i = 0; i < 15; ++i) {
    // From the right, counting the check digit as position 1, even
    // positions are doubled: here, the digits at odd indexes from the left.
    int d = digits[i] - '0';
    if (i % 2 == 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  digits.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
  std::string last4 = digits.substr(12);
  sodium_memzero(digits.data(), digits.size());
  return last4;
}

bool AllDigits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Cards::Cards(store::Database& db, const Clock& clock, auth::PasswordHasher& hasher)
    : db_(db), clock_(clock), hasher_(hasher) {}

Result<store::CardRow> Cards::Issue(const auth::Principal& who, const std::string& type) {
  if (type != "virtual" && type != "physical") {
    return Invalid("type", "type must be virtual or physical", "invalid_value");
  }
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  TimePoint now_tp = clock_.Now();
  int64_t now = UnixSeconds(now_tp);
  try {
    store::WriteTransaction tx(**lease);
    Result<std::vector<store::CardRow>> live = store::ListCards(**lease, who.user_id);
    if (!live.ok()) return live.status();
    if (live->size() >= static_cast<size_t>(kMaxCards)) {
      return Status::FailedPrecondition("At most " + std::to_string(kMaxCards) +
                                        " cards; cancel one first");
    }
    std::chrono::year_month_day ymd(std::chrono::floor<std::chrono::days>(now_tp));
    store::CardRow c;
    c.id = NewId("card");
    c.user_id = who.user_id;
    c.type = type;
    c.status = "active";
    c.last4 = NewLast4();
    c.expiry_month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    c.expiry_year = static_cast<int>(ymd.year()) + 3;
    c.created_at = now;
    c.updated_at = now;
    if (Status s = store::InsertCard(**lease, c); !s.ok()) return s;
    tx.Commit();
    return c;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "issue card");
  }
}

Result<std::vector<store::CardRow>> Cards::List(const auth::Principal& who) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListCards(**lease, who.user_id);
}

Result<store::CardRow> Cards::Get(const auth::Principal& who, const std::string& id) {
  if (!IsWellFormedId(id)) return Status::NotFound("No such card");
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::FindCard(**lease, who.user_id, id);
}

Result<store::CardRow> Cards::Update(const auth::Principal& who, const std::string& id,
                                     const Change& change) {
  if (!IsWellFormedId(id)) return Status::NotFound("No such card");
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  try {
    store::WriteTransaction tx(**lease);
    Result<store::CardRow> c = store::FindCard(**lease, who.user_id, id);
    if (!c.ok()) return c.status();
    if (c->status == "cancelled") return Status::FailedPrecondition("The card is cancelled");
    c->updated_at = UnixSeconds(clock_.Now());
    if (Status s = change(**lease, *c); !s.ok()) return s;
    tx.Commit();
    return c;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "update card");
  }
}

Result<store::CardRow> Cards::SetStatus(const auth::Principal& who, const std::string& id,
                                        const std::string& status) {
  if (status != "active" && status != "frozen") {
    return Invalid("status", "status must be active or frozen", "invalid_value");
  }
  return Update(who, id, [&status](SQLite::Database& db, store::CardRow& c) {
    c.status = status;
    return store::UpdateCard(db, c);
  });
}

Status Cards::Cancel(const auth::Principal& who, const std::string& id) {
  return Update(who, id, [](SQLite::Database& db, store::CardRow& c) {
           c.status = "cancelled";
           return store::UpdateCard(db, c);
         })
      .status();
}

Result<store::CardRow> Cards::OrderPhysical(const auth::Principal& who, const std::string& id,
                                            const std::string& address) {
  if (json::CodePoints(address) < 10 || json::CodePoints(address) > 300 ||
      address.find_first_of("<>") != std::string::npos) {
    return Invalid("address", "address must be 10-300 characters, without markup",
                   "invalid_length");
  }
  return Update(who, id, [&address](SQLite::Database& db, store::CardRow& c) {
    if (c.type == "physical") return Status::FailedPrecondition("The card is physical already");
    c.type = "physical";
    c.shipping_address = address;
    return store::UpdateCard(db, c);
  });
}

Status Cards::SetPin(const auth::Principal& who, const std::string& id, const std::string& pin) {
  if (pin.size() != 4 || !AllDigits(pin)) {
    return Invalid("pin", "pin must be exactly 4 digits", "invalid_format");
  }
  // Hashed before the transaction: Argon2id takes a while, and the write
  // lock must not wait for it.
  Result<std::string> hash = hasher_.Hash(pin);
  if (!hash.ok()) return hash.status();
  return Update(who, id, [&hash](SQLite::Database& db, store::CardRow& c) {
           c.has_pin = true;
           return store::SetCardPin(db, c.id, *hash, c.updated_at);
         })
      .status();
}

Result<std::vector<store::CardLimitRow>> Cards::Limits(const auth::Principal& who,
                                                       const std::string& id) {
  if (!IsWellFormedId(id)) return Status::NotFound("No such card");
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  Result<store::CardRow> c = store::FindCard(**lease, who.user_id, id);
  if (!c.ok()) return c.status();
  return store::ListCardLimits(**lease, id);
}

Result<store::CardLimitRow> Cards::SetLimit(const auth::Principal& who, const std::string& id,
                                            const std::string& limit_type, int64_t amount) {
  std::vector<FieldError> errors;
  if (std::none_of(std::begin(kLimitTypes), std::end(kLimitTypes),
                   [&limit_type](const char* t) { return limit_type == t; })) {
    errors.push_back({"limitType", "limitType must be daily, weekly, monthly or transaction",
                      "invalid_value"});
  }
  if (amount <= 0) errors.push_back({"amount", "amount must be positive", "out_of_range"});
  if (!errors.empty()) return Status::Validation("Request validation failed", std::move(errors));
  store::CardLimitRow limit{limit_type, amount, 0};
  Result<store::CardRow> c = Update(who, id, [&limit](SQLite::Database& db, store::CardRow& c) {
    limit.updated_at = c.updated_at;
    return store::SaveCardLimit(db, c.id, limit);
  });
  if (!c.ok()) return c.status();
  return limit;
}

}  // namespace cairn::payments

#include "payments/recipients.h"

#include "auth/account_rules.h"
#include "payments/account_numbers.h"
#include "payments/outbox.h"
#include "payments/rates.h"
#include "util/ids.h"
#include "util/json.h"

namespace cairn::payments {

namespace {

constexpr size_t kMaxBankName = 200;

// Checks every field and normalises the account number; Validation with one
// detail per bad field.
Status Validate(NewRecipient& in) {
  std::vector<FieldError> errors;
  if (auth::FieldCheck c = auth::CheckName(in.name); !c.ok()) {
    errors.push_back({"name", "name: " + c.message, c.code});
  }
  const Corridor* corridor = FindCorridor(in.country);
  if (corridor == nullptr) {
    errors.push_back({"country", "country must be one of RS, BA, PL, PK, TR", "unsupported"});
  } else if (in.currency != corridor->currency) {
    errors.push_back({"currency",
                      "currency must be " + std::string(corridor->currency) + " for " +
                          std::string(corridor->name),
                      "currency_mismatch"});
  }
  in.bank_account = NormaliseAccountNumber(in.bank_account);
  if (in.bank_account.empty()) {
    errors.push_back({"bankAccount", "bankAccount is required", "required"});
  } else if (corridor != nullptr) {
    if (std::string why = CheckRecipientAccount(in.country, in.bank_account); !why.empty()) {
      errors.push_back({"bankAccount", why, "invalid_format"});
    }
  }
  if (json::CodePoints(in.bank_name) > kMaxBankName) {
    errors.push_back({"bankName", "bankName must be at most 200 characters", "too_long"});
  } else if (in.bank_name.find_first_of("<>") != std::string::npos) {
    errors.push_back({"bankName", "bankName must not contain markup", "invalid_format"});
  }
  if (errors.empty()) return Status::Ok();
  return Status::Validation("Request validation failed", std::move(errors));
}

picojson::value EventData(const store::RecipientRow& r) {
  picojson::object o;
  o["id"] = picojson::value(r.id);
  o["name"] = picojson::value(r.name);
  o["country"] = picojson::value(r.country);
  o["currency"] = picojson::value(r.currency);
  o["bankAccount"] = picojson::value(MaskAccountNumber(r.bank_account));
  return picojson::value(o);
}

}  // namespace

Recipients::Recipients(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

Result<store::RecipientRow> Recipients::Create(const auth::Principal& who,
                                               const NewRecipient& given) {
  NewRecipient in = given;
  if (Status s = Validate(in); !s.ok()) return s;
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  SQLite::Database& conn = **lease;
  int64_t now = UnixSeconds(clock_.Now());
  try {
    store::WriteTransaction tx(conn);
    Result<int64_t> count = store::CountRecipients(conn, who.user_id);
    if (!count.ok()) return count.status();
    if (*count >= kMaxRecipients) {
      return Status::FailedPrecondition("At most " + std::to_string(kMaxRecipients) +
                                        " recipients; delete one first");
    }
    store::RecipientRow r{NewId("rcp"), who.user_id, in.name,         in.country,
                          in.currency,  in.bank_account, in.bank_name, now};
    if (Status s = store::InsertRecipient(conn, r); !s.ok()) return s;
    if (Status s = Emit(conn, who.user_id, "recipient.created", EventData(r), now); !s.ok()) {
      return s;
    }
    tx.Commit();
    return r;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "create recipient");
  }
}

Result<std::vector<store::RecipientRow>> Recipients::List(const auth::Principal& who,
                                                          const store::ListSpec& spec,
                                                          store::ListResult* result) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListRecipients(**lease, who.user_id, spec, result);
}

Status Recipients::Delete(const auth::Principal& who, const std::string& id) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::DeleteRecipient(**lease, who.user_id, id, UnixSeconds(clock_.Now()));
}

}  // namespace cairn::payments

#include "payments/bank_accounts.h"

#include "payments/outbox.h"
#include "store/database.h"
#include "util/ids.h"
#include "util/json.h"
#include "util/log.h"

namespace cairn::payments {

namespace {

Status ValidateLink(const LinkInput& in) {
  std::vector<FieldError> errors;
  if (in.bank_name.empty() || json::CodePoints(in.bank_name) > 100) {
    errors.push_back({"bankName", "bankName must be 1-100 characters", "invalid_length"});
  }
  if (in.currency != "NOK") {
    errors.push_back(
        {"currency", "The sandbox bank keeps NOK accounts only", "unsupported_currency"});
  }
  if (in.initial_balance < 0 || in.initial_balance > kMaxOpeningBalanceMinor) {
    errors.push_back(
        {"initialBalance", "initialBalance must be from 0 to 1000000", "out_of_range"});
  }
  if (errors.empty()) return Status::Ok();
  return Status::Validation("Request validation failed", std::move(errors));
}

picojson::value EventData(const store::BankAccountRow& a) {
  picojson::object o;
  o["id"] = picojson::value(a.id);
  o["bankName"] = picojson::value(a.bank_name);
  o["currency"] = picojson::value(a.currency);
  o["isPrimary"] = picojson::value(a.is_primary);
  return picojson::value(o);
}

}  // namespace

BankAccounts::BankAccounts(store::Database& db, const Clock& clock, AccountInformation& bank)
    : db_(db), clock_(clock), bank_(bank) {}

Result<Reply> BankAccounts::Link(const auth::Principal& who, const LinkInput& in,
                                 const IdempotencyKey& key, const RenderAccount& render) {
  if (Status s = ValidateLink(in); !s.ok()) return s;
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  SQLite::Database& conn = **lease;
  int64_t now = UnixSeconds(clock_.Now());
  try {
    store::WriteTransaction tx(conn);
    Result<std::optional<Reply>> seen = Recall(conn, who.user_id, key, now);
    if (!seen.ok()) return seen.status();
    if (seen->has_value()) return **seen;

    Result<int64_t> count = store::CountBankAccounts(conn, who.user_id);
    if (!count.ok()) return count.status();
    if (*count >= kMaxBankAccounts) {
      return Status::FailedPrecondition("At most " + std::to_string(kMaxBankAccounts) +
                                        " bank accounts can be linked");
    }
    Result<BankAccountInfo> opened = bank_.Link(conn, {in.bank_name, in.currency,
                                                       in.initial_balance}, now);
    if (!opened.ok()) return opened.status();

    store::BankAccountRow row;
    row.id = NewId("ba");
    row.user_id = who.user_id;
    row.provider = bank_.name();
    row.account_number = opened->account_number;
    row.bank_name = opened->bank_name;
    row.currency = opened->currency;
    row.balance = opened->balance;
    row.balance_refreshed_at = now;
    row.is_primary = *count == 0;
    row.created_at = now;
    if (Status s = store::InsertBankAccount(conn, row); !s.ok()) return s;
    if (Status s = Emit(conn, who.user_id, "bank_account.linked", EventData(row), now); !s.ok()) {
      return s;
    }
    Reply reply = render(row);
    if (Status s = Remember(conn, who.user_id, key, reply, now); !s.ok()) return s;
    tx.Commit();
    return reply;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "link bank account");
  }
}

Result<std::vector<store::BankAccountRow>> BankAccounts::List(const auth::Principal& who,
                                                              const store::ListSpec& spec,
                                                              store::ListResult* result) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListBankAccounts(**lease, who.user_id, spec, result);
}

Result<store::BankAccountRow> BankAccounts::Change(const auth::Principal& who,
                                                   const std::string& id, const Edit& edit,
                                                   const char* what) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  SQLite::Database& conn = **lease;
  try {
    store::WriteTransaction tx(conn);
    Result<store::BankAccountRow> row = store::FindBankAccount(conn, who.user_id, id);
    if (!row.ok()) return row.status();
    if (Status s = edit(conn, *row, UnixSeconds(clock_.Now())); !s.ok()) return s;
    tx.Commit();
    return row;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, what);
  }
}

Result<store::BankAccountRow> BankAccounts::Refresh(const auth::Principal& who,
                                                    const std::string& id) {
  auto read = [this](SQLite::Database& conn, store::BankAccountRow& row, int64_t now) {
    Result<BankAccountInfo> info = bank_.Read(conn, row.account_number);
    if (!info.ok()) return info.status();
    row.balance = info->balance;
    row.balance_refreshed_at = now;
    return store::UpdateBankBalance(conn, row.id, row.balance, now);
  };
  return Change(who, id, read, "refresh bank account");
}

Result<store::BankAccountRow> BankAccounts::MakePrimary(const auth::Principal& who,
                                                        const std::string& id) {
  auto primary = [&who](SQLite::Database& conn, store::BankAccountRow& row, int64_t) {
    row.is_primary = true;
    return store::SetPrimaryBankAccount(conn, who.user_id, row.id);
  };
  return Change(who, id, primary, "set primary bank account");
}

}  // namespace cairn::payments

#include "payments/transactions.h"

#include "payments/money.h"
#include "payments/outbox.h"
#include "payments/rates.h"
#include "store/bank_accounts.h"
#include "store/merchants.h"
#include "store/recipients.h"
#include "store/users.h"
#include "util/ids.h"
#include "util/log.h"

namespace cairn::payments {

namespace {

Status CheckAmount(int64_t amount, int64_t min, int64_t max, const std::string& currency) {
  std::vector<FieldError> errors;
  if (amount < min || amount > max) {
    errors.push_back({"amount",
                      "amount must be from " + FormatAmount(min) + " to " + FormatAmount(max) +
                          " NOK",
                      "out_of_range"});
  }
  if (currency != kBaseCurrency) {
    errors.push_back({"currency", "Payments are made in NOK", "unsupported_currency"});
  }
  if (errors.empty()) return Status::Ok();
  return Status::Validation("Request validation failed", std::move(errors));
}

Quote QuoteRemittance(int64_t amount, const Corridor& corridor, const Rate& rate) {
  Quote q;
  q.type = "remittance";
  q.amount = amount;
  q.fee_bp = kRemittanceFeeBp;
  q.fee = PercentOf(amount, kRemittanceFeeBp);
  q.total = amount + q.fee;
  q.rate_micro = rate.micro;
  q.receive_amount = Convert(amount, rate.micro);
  q.receive_currency = std::string(corridor.currency);
  q.delivery = corridor.eea ? "1-2 business days" : "2-4 business days";
  return q;
}

Quote QuoteQr(int64_t amount) {
  Quote q;
  q.type = "qr_payment";
  q.amount = amount;
  q.fee_bp = kQrFeeBp;
  q.fee = PercentOf(amount, kQrFeeBp);
  q.total = amount + q.fee;
  q.delivery = "Instant";
  return q;
}

// The recipient's corridor and rate; Internal if the stored country has none
// (recipients are only created for corridors).
Status CorridorOf(const store::RecipientRow& r, const Corridor** corridor, const Rate** rate) {
  *corridor = FindCorridor(r.country);
  *rate = *corridor != nullptr ? FindRate((*corridor)->currency) : nullptr;
  if (*rate == nullptr) return Status::Internal("No exchange rate for " + r.currency);
  return Status::Ok();
}

Result<store::BankAccountRow> PayingAccount(SQLite::Database& conn, const std::string& user_id,
                                            const std::string& id) {
  if (!id.empty()) {
    if (!IsWellFormedId(id)) return Status::NotFound("No such bank account");
    return store::FindBankAccount(conn, user_id, id);
  }
  Result<store::BankAccountRow> primary = store::FindPrimaryBankAccount(conn, user_id);
  if (primary.ok() || primary.status().code() != Code::kNotFound) return primary;
  return Status::InvalidArgument("No bank account to pay from; link one first")
      .WithReason("no_bank_account");
}

}  // namespace

std::string DeliveryEstimate(const store::TransactionRow& t) {
  if (t.type == "qr_payment") return "Instant";
  const Corridor* c = FindCorridor(t.recipient_country);
  return c != nullptr && c->eea ? "1-2 business days" : "2-4 business days";
}

picojson::value TransactionEventData(const store::TransactionRow& t) {
  picojson::object o;
  o["id"] = picojson::value(t.id);
  o["type"] = picojson::value(t.type);
  o["status"] = picojson::value(t.status);
  o["amount"] = AmountToJson(t.amount);
  o["fee"] = AmountToJson(t.fee);
  o["total"] = AmountToJson(t.total);
  o["currency"] = picojson::value(t.currency);
  if (!t.recipient_name.empty()) o["recipientName"] = picojson::value(t.recipient_name);
  if (!t.merchant_name.empty()) o["merchantName"] = picojson::value(t.merchant_name);
  if (!t.failure.empty()) o["failure"] = picojson::value(t.failure);
  return picojson::value(o);
}

Transactions::Transactions(store::Database& db, const Clock& clock, PaymentInitiation& bank)
    : db_(db), clock_(clock), bank_(bank), payments_(db) {}

Result<Reply> Transactions::Pay(const auth::Principal& who, const IdempotencyKey& key,
                                bool instant, const Prepare& prepare,
                                const RenderTransaction& render) {
  Reply reply;
  Status done = payments_.Run("make payment", [&](SQLite::Database& conn) -> Status {
    int64_t now = UnixSeconds(clock_.Now());
    Result<std::optional<Reply>> seen = Recall(conn, who.user_id, key, now);
    if (!seen.ok()) return seen.status();
    if (seen->has_value()) {
      reply = **seen;
      return Status::Ok();
    }

    store::BankAccountRow account;
    Result<store::TransactionRow> row = prepare(conn, &account);
    if (!row.ok()) return row.status();
    store::TransactionRow& t = *row;

    Result<PaymentStatus> submitted =
        bank_.Submit(conn, {account.account_number, t.total, t.amount, instant}, now);
    if (!submitted.ok()) return submitted.status();
    Status s = store::UpdateBankBalance(conn, account.id, submitted->balance_after, now);
    if (!s.ok()) return s;

    t.id = NewId(instant ? "tx_qr" : "tx_rem");
    t.user_id = who.user_id;
    t.currency = std::string(kBaseCurrency);
    t.provider_ref = submitted->ref;
    t.status = submitted->state == PaymentState::kCompleted ? "completed" : "processing";
    t.created_at = now;
    t.updated_at = now;
    t.completed_at = t.status == "completed" ? now : 0;
    t.bank_name = account.bank_name;
    if (s = store::InsertTransaction(conn, t); !s.ok()) return s;
    picojson::value data = TransactionEventData(t);
    if (s = Emit(conn, who.user_id, "transaction.created", data, now); !s.ok()) return s;
    if (t.status == "completed") {
      if (s = Emit(conn, who.user_id, "transaction.completed", data, now); !s.ok()) return s;
    }
    reply = render(t);
    return Remember(conn, who.user_id, key, reply, now);
  });
  if (!done.ok()) return done;
  return reply;
}

Result<Reply> Transactions::Remit(const auth::Principal& who, const RemittanceInput& in,
                                  const IdempotencyKey& key, const RenderTransaction& render) {
  if (Status s = CheckAmount(in.amount, kRemittanceMin, kRemittanceMax, in.currency); !s.ok()) {
    return s;
  }
  auto prepare = [&](SQLite::Database& conn,
                     store::BankAccountRow* paying) -> Result<store::TransactionRow> {
    Result<store::UserRow> user = store::FindUserById(conn, who.user_id);
    if (!user.ok()) return user.status();
    if (user->kyc_status != "approved") {
      return Status::PermissionDenied("Remittances need an approved KYC check")
          .WithReason("kyc_required");
    }
    if (!IsWellFormedId(in.recipient_id)) return Status::NotFound("No such recipient");
    Result<store::RecipientRow> recipient =
        store::FindRecipient(conn, who.user_id, in.recipient_id);
    if (!recipient.ok()) return recipient.status();
    const Corridor* corridor = nullptr;
    const Rate* rate = nullptr;
    if (Status s = CorridorOf(*recipient, &corridor, &rate); !s.ok()) return s;
    Result<store::BankAccountRow> account = PayingAccount(conn, who.user_id, in.bank_account_id);
    if (!account.ok()) return account.status();

    Quote q = QuoteRemittance(in.amount, *corridor, *rate);
    store::TransactionRow t;
    t.type = q.type;
    t.amount = q.amount;
    t.fee = q.fee;
    t.total = q.total;
    t.bank_account_id = account->id;
    t.recipient_id = recipient->id;
    t.recipient_name = recipient->name;
    t.recipient_country = recipient->country;
    t.receive_amount = q.receive_amount;
    t.receive_currency = q.receive_currency;
    t.rate_micro = q.rate_micro;
    *paying = *account;
    return t;
  };
  return Pay(who, key, false, prepare, render);
}

Result<Reply> Transactions::PayQr(const auth::Principal& who, const QrPaymentInput& in,
                                  const IdempotencyKey& key, const RenderTransaction& render) {
  if (Status s = CheckAmount(in.amount, kQrMin, kQrMax, std::string(kBaseCurrency)); !s.ok()) {
    return s;
  }
  auto prepare = [&](SQLite::Database& conn,
                     store::BankAccountRow* paying) -> Result<store::TransactionRow> {
    if (!IsWellFormedId(in.merchant_id)) return Status::NotFound("No such merchant");
    Result<store::MerchantRow> merchant = store::FindMerchant(conn, in.merchant_id);
    if (!merchant.ok()) return merchant.status();
    // A merchant whose account was deleted or erased takes no more payments.
    Result<store::UserRow> owner = store::FindUserById(conn, merchant->user_id);
    if (!owner.ok()) return owner.status();
    if (owner->status != "active") return Status::NotFound("No such merchant");
    if (merchant->user_id == who.user_id) {
      return Status::Validation("Request validation failed",
                                {{"merchantId", "A merchant cannot pay itself", "own_merchant"}});
    }
    Result<store::BankAccountRow> account = PayingAccount(conn, who.user_id, "");
    if (!account.ok()) return account.status();
    Quote q = QuoteQr(in.amount);
    store::TransactionRow t;
    t.type = q.type;
    t.amount = q.amount;
    t.fee = q.fee;
    t.total = q.total;
    t.bank_account_id = account->id;
    t.merchant_id = merchant->id;
    t.merchant_name = merchant->business_name;
    *paying = *account;
    return t;
  };
  return Pay(who, key, true, prepare, render);
}

Result<Quote> Transactions::Disclose(const auth::Principal& who, const QuoteInput& in) {
  if (in.type == "qr_payment") {
    if (Status s = CheckAmount(in.amount, kQrMin, kQrMax, in.currency); !s.ok()) return s;
    return QuoteQr(in.amount);
  }
  if (in.type != "remittance") {
    return Status::Validation("Request validation failed",
                              {{"type", "type must be remittance or qr_payment", "invalid_value"}});
  }
  if (Status s = CheckAmount(in.amount, kRemittanceMin, kRemittanceMax, in.currency); !s.ok()) {
    return s;
  }
  if (in.recipient_id.empty()) {
    return Status::Validation("Request validation failed",
                              {{"recipientId", "recipientId is required for a remittance",
                                "required"}});
  }
  if (!IsWellFormedId(in.recipient_id)) return Status::NotFound("No such recipient");
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  Result<store::RecipientRow> recipient = store::FindRecipient(**lease, who.user_id,
                                                               in.recipient_id);
  if (!recipient.ok()) return recipient.status();
  const Corridor* corridor = nullptr;
  const Rate* rate = nullptr;
  if (Status s = CorridorOf(*recipient, &corridor, &rate); !s.ok()) return s;
  return QuoteRemittance(in.amount, *corridor, *rate);
}

Result<std::vector<store::TransactionRow>> Transactions::List(
    const auth::Principal& who, const store::TransactionFilter& filter,
    const store::ListSpec& spec, store::ListResult* result) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListTransactions(**lease, who.user_id, filter, spec, result);
}

Result<store::TransactionRow> Transactions::Get(const auth::Principal& who,
                                                const std::string& id) {
  if (!IsWellFormedId(id)) return Status::NotFound("No such transaction");
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::FindTransaction(**lease, who.user_id, id);
}

Result<Summary> Transactions::Summarize(const auth::Principal& who) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  Summary out;
  Result<store::TransactionTotals> all = store::SumTransactions(**lease, who.user_id, 0);
  if (!all.ok()) return all.status();
  Result<store::TransactionTotals> month =
      store::SumTransactions(**lease, who.user_id, StartOfMonthUtc(clock_.Now()));
  if (!month.ok()) return month.status();
  out.all_time = *all;
  out.this_month = *month;
  return out;
}

Result<int> Transactions::SettleDue(size_t limit) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  SQLite::Database& conn = **lease;
  int64_t now = UnixSeconds(clock_.Now());
  Result<std::vector<std::string>> due = bank_.Due(conn, now, limit);
  if (!due.ok()) return due.status();
  int settled = 0;
  for (const std::string& ref : *due) {
    try {
      store::WriteTransaction tx(conn);
      Result<PaymentStatus> outcome = bank_.Settle(conn, ref, now);
      if (!outcome.ok()) {
        // Settled by another run since it was listed: nothing to do.
        if (outcome.status().code() == Code::kFailedPrecondition) continue;
        return outcome.status();
      }
      Result<store::TransactionRow> t = store::FindSettlingTransaction(conn, ref);
      if (!t.ok()) return t.status();
      bool completed = outcome->state == PaymentState::kCompleted;
      t->status = completed ? "completed" : "failed";
      t->failure = outcome->failure;
      Status s = store::FinishTransaction(conn, t->id, t->status, t->failure, now);
      if (!s.ok()) return s;
      if (s = store::UpdateBankBalance(conn, t->bank_account_id, outcome->balance_after, now);
          !s.ok()) {
        return s;
      }
      s = Emit(conn, t->user_id, completed ? "transaction.completed" : "transaction.failed",
               TransactionEventData(*t), now);
      if (!s.ok()) return s;
      tx.Commit();
      ++settled;
    } catch (const std::exception& e) {
      return store::FromSqliteError(e, "settle payment");
    }
  }
  return settled;
}

}  // namespace cairn::payments

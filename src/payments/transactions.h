#pragma once

// Payments (API.md §9): remittances abroad and QR payments to merchants,
// their quotes, lists, summaries and settlement.
//
// A payment runs in one BEGIN IMMEDIATE transaction: the Idempotency-Key is
// looked up, the rules checked (KYC, recipient or merchant, account), the
// bank debits the account (its own balance check, in the same transaction),
// the transaction row, its outbox events and the idempotency record are
// written, and everything commits together. Any refusal (402
// insufficient_balance included) rolls all of it back: nothing changes.
// SQLite's write lock serialises payments, so concurrent payments against
// one account can never overdraw it, and concurrent retries with one key
// make one payment.
//
// Remittances start processing; SettleDue (run by the settlement worker)
// asks the bank for each one that is due and records the outcome, each in
// its own transaction, so a crash mid-way leaves every payment either
// settled once or still processing, to be picked up on the next run.
//
// Money is integer minor units throughout (payments/money.h).
//
// Thread-safe: state is in the database.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <picojson.h>

#include "auth/access.h"
#include "payments/idempotency.h"
#include "payments/provider.h"
#include "store/bank_accounts.h"
#include "store/database.h"
#include "store/group_commit.h"
#include "store/transactions.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::payments {

// Limits and fees of API.md §9, in minor units and basis points.
inline constexpr int64_t kRemittanceMin = 10'000;      // 100 NOK
inline constexpr int64_t kRemittanceMax = 5'000'000;   // 50 000 NOK
inline constexpr int64_t kQrMin = 100;                 // 1 NOK
inline constexpr int64_t kQrMax = 10'000'000;          // 100 000 NOK
inline constexpr int64_t kRemittanceFeeBp = 50;        // 0.5 %
inline constexpr int64_t kQrFeeBp = 100;               // 1 %

struct RemittanceInput {
  std::string recipient_id;
  int64_t amount = 0;
  std::string currency = "NOK";
  std::string bank_account_id;  // empty: the primary account
};

struct QrPaymentInput {
  std::string merchant_id;
  int64_t amount = 0;
};

// What a payment would cost, before it is made (the disclosure).
struct Quote {
  std::string type;  // remittance, qr_payment
  int64_t amount = 0;
  int64_t fee = 0;
  int64_t fee_bp = 0;
  int64_t total = 0;
  int64_t rate_micro = 0;  // remittance only
  int64_t receive_amount = 0;
  std::string receive_currency;
  std::string delivery;  // "Instant", "1-2 business days", "2-4 business days"
};

struct QuoteInput {
  std::string type;
  int64_t amount = 0;
  std::string currency = "NOK";
  std::string recipient_id;  // required for a remittance
};

struct Summary {
  store::TransactionTotals all_time;
  store::TransactionTotals this_month;
};

// Renders a transaction as the reply to send (and keep for replays).
using RenderTransaction = std::function<Reply(const store::TransactionRow&)>;

// "Instant" for QR; else by the recipient country's EEA membership.
std::string DeliveryEstimate(const store::TransactionRow& t);

// The data of a transaction's outbox events (transaction.created, .completed,
// .failed): what a client is told, without the account or internal ids.
picojson::value TransactionEventData(const store::TransactionRow& t);

class Transactions {
 public:
  Transactions(store::Database& db, const Clock& clock, PaymentInitiation& bank);
  Transactions(const Transactions&) = delete;
  Transactions& operator=(const Transactions&) = delete;

  // Validation (422) for amounts outside the limits or a currency other than
  // NOK; PermissionDenied kyc_required unless KYC is approved; NotFound for
  // another user's or an unknown recipient or account; InvalidArgument
  // no_bank_account without a primary account; FailedPrecondition
  // insufficient_balance (402) when the bank refuses the debit.
  Result<Reply> Remit(const auth::Principal& who, const RemittanceInput& in,
                      const IdempotencyKey& key, const RenderTransaction& render);
  // The same rules for a QR payment: NotFound for an unknown merchant,
  // Validation when paying one's own merchant.
  Result<Reply> PayQr(const auth::Principal& who, const QrPaymentInput& in,
                      const IdempotencyKey& key, const RenderTransaction& render);
  Result<Quote> Disclose(const auth::Principal& who, const QuoteInput& in);

  Result<std::vector<store::TransactionRow>> List(const auth::Principal& who,
                                                  const store::TransactionFilter& filter,
                                                  const store::ListSpec& spec,
                                                  store::ListResult* result);
  // NotFound unless the transaction is the caller's.
  Result<store::TransactionRow> Get(const auth::Principal& who, const std::string& id);
  Result<Summary> Summarize(const auth::Principal& who);

  // Settles up to `limit` payments the bank says are due; returns how many.
  Result<int> SettleDue(size_t limit);

 private:
  // The rules of one kind of payment: fills the row's type-specific fields
  // (type, amounts, fee, recipient or merchant, account) and the paying
  // account inside the transaction, or refuses.
  using Prepare = std::function<Result<store::TransactionRow>(SQLite::Database&,
                                                              store::BankAccountRow* account)>;
  Result<Reply> Pay(const auth::Principal& who, const IdempotencyKey& key, bool instant,
                    const Prepare& prepare, const RenderTransaction& render);

  store::Database& db_;
  const Clock& clock_;
  PaymentInitiation& bank_;
  // Payments arrive many at a time and each must be durable before it is
  // answered: they share commits (store/group_commit.h).
  store::GroupCommit payments_;
};

}  // namespace cairn::payments

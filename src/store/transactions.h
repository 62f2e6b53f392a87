#pragma once

// Transactions (transactions): money that moved or is moving, with the
// names and exchange copied in at the time.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/list_query.h"
#include "util/status.h"

namespace cairn::store {

struct TransactionRow {
  std::string id;
  std::string user_id;
  std::string type;    // remittance, qr_payment
  std::string status;  // processing, completed, failed
  int64_t amount = 0;
  std::string currency;
  int64_t fee = 0;
  int64_t total = 0;
  std::string bank_account_id;
  std::string provider_ref;
  std::string recipient_id;  // remittance
  std::string recipient_name;
  std::string recipient_country;
  int64_t receive_amount = 0;
  std::string receive_currency;
  int64_t rate_micro = 0;
  std::string merchant_id;  // qr_payment
  std::string merchant_name;
  std::string failure;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  int64_t completed_at = 0;
  std::string bank_name;  // read only: the paying account's bank, joined in
};

struct TransactionFilter {
  std::string type;
  std::string status;
  std::string search;  // recipient or merchant name, substring
  int64_t created_from = 0;  // Unix seconds, inclusive; 0: none
  int64_t created_to = 0;
  int64_t amount_min = -1;  // minor units, inclusive; -1: none
  int64_t amount_max = -1;
};

const std::vector<SortColumn>& TransactionSortColumns();

Status InsertTransaction(SQLite::Database& db, const TransactionRow& t);
// NotFound unless it exists and is user_id's.
Result<TransactionRow> FindTransaction(SQLite::Database& db, const std::string& user_id,
                                       const std::string& id);
// The processing transaction the bank knows by `ref` (the settlement worker's
// lookup; index transactions_settling holds processing ones only).
Result<TransactionRow> FindSettlingTransaction(SQLite::Database& db, const std::string& ref);
// Moves a processing transaction to completed or failed; FailedPrecondition
// when it is no longer processing.
Status FinishTransaction(SQLite::Database& db, const std::string& id, const std::string& status,
                         const std::string& failure, int64_t now);
Result<std::vector<TransactionRow>> ListTransactions(SQLite::Database& db,
                                                     const std::string& user_id,
                                                     const TransactionFilter& filter,
                                                     const ListSpec& spec, ListResult* result);

// Counts and sums of a user's transactions that did not fail, since a time.
struct TransactionTotals {
  int64_t count = 0;
  int64_t remittance_count = 0;
  int64_t qr_count = 0;
  int64_t sent = 0;  // remittance amounts
  int64_t paid = 0;  // QR payment amounts
};
Result<TransactionTotals> SumTransactions(SQLite::Database& db, const std::string& user_id,
                                          int64_t since);

}  // namespace cairn::store

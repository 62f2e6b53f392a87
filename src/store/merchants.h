#pragma once

// Merchants (merchants): users registered to take QR payments.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>

#include "store/list_query.h"
#include "util/status.h"

namespace cairn::store {

struct MerchantRow {
  std::string id;
  std::string user_id;
  std::string business_name;
  std::string org_number;
  std::string address;  // empty: none
  std::string bank_account;
  int64_t created_at = 0;
};

// AlreadyExists when the user is a merchant already or the org number is
// taken.
Status InsertMerchant(SQLite::Database& db, const MerchantRow& m);
Result<MerchantRow> FindMerchant(SQLite::Database& db, const std::string& id);
Result<MerchantRow> FindMerchantByUser(SQLite::Database& db, const std::string& user_id);

// Completed QR payments to a merchant since a time: how many, their amounts
// and the fees their payers paid.
struct MerchantTotals {
  int64_t count = 0;
  int64_t revenue = 0;
  int64_t fees = 0;
};
Result<MerchantTotals> SumMerchantPayments(SQLite::Database& db, const std::string& merchant_id,
                                           int64_t since);

// A payment to a merchant as the merchant sees it: the payer by name only.
struct MerchantPaymentRow {
  std::string id;
  std::string status;
  int64_t amount = 0;
  int64_t fee = 0;
  std::string currency;
  std::string payer_first_name;  // empty when the payer's account was erased
  std::string payer_last_name;
  int64_t created_at = 0;
};
const std::vector<SortColumn>& MerchantPaymentSortColumns();
Result<std::vector<MerchantPaymentRow>> ListMerchantPayments(SQLite::Database& db,
                                                            const std::string& merchant_id,
                                                            const ListSpec& spec,
                                                            ListResult* result);

}  // namespace cairn::store

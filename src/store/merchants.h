#pragma once

// Merchants (merchants): users registered to take QR payments.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>

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

}  // namespace cairn::store

#pragma once

// Linked bank accounts (bank_accounts): a user's links to accounts at a
// bank, with the balance last read from it.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/list_query.h"
#include "util/status.h"

namespace cairn::store {

struct BankAccountRow {
  std::string id;
  std::string user_id;
  std::string provider;
  std::string account_number;
  std::string bank_name;
  std::string currency;
  int64_t balance = 0;
  int64_t balance_refreshed_at = 0;
  bool is_primary = false;
  int64_t created_at = 0;
};

// The sortable fields of bank-account lists.
const std::vector<SortColumn>& BankAccountSortColumns();

Status InsertBankAccount(SQLite::Database& db, const BankAccountRow& a);
// NotFound unless the account exists and is user_id's.
Result<BankAccountRow> FindBankAccount(SQLite::Database& db, const std::string& user_id,
                                       const std::string& id);
// The user's primary account; NotFound if there is none.
Result<BankAccountRow> FindPrimaryBankAccount(SQLite::Database& db, const std::string& user_id);
Result<int64_t> CountBankAccounts(SQLite::Database& db, const std::string& user_id);
Result<std::vector<BankAccountRow>> ListBankAccounts(SQLite::Database& db,
                                                     const std::string& user_id,
                                                     const ListSpec& spec, ListResult* result);
// Records a balance read from the bank.
Status UpdateBankBalance(SQLite::Database& db, const std::string& id, int64_t balance,
                         int64_t now);
// Makes `id` the user's only primary account.
Status SetPrimaryBankAccount(SQLite::Database& db, const std::string& user_id,
                             const std::string& id);

}  // namespace cairn::store

#pragma once

// Remittance recipients (recipients). Deleted ones keep their row (their
// transactions name them) and are hidden from every read here.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/list_query.h"
#include "util/status.h"

namespace cairn::store {

struct RecipientRow {
  std::string id;
  std::string user_id;
  std::string name;
  std::string country;
  std::string currency;
  std::string bank_account;  // normalised, in full
  std::string bank_name;     // empty: none given
  int64_t created_at = 0;
};

const std::vector<SortColumn>& RecipientSortColumns();

Status InsertRecipient(SQLite::Database& db, const RecipientRow& r);
// NotFound unless the recipient exists, is user_id's and is not deleted.
Result<RecipientRow> FindRecipient(SQLite::Database& db, const std::string& user_id,
                                   const std::string& id);
Result<int64_t> CountRecipients(SQLite::Database& db, const std::string& user_id);
Result<std::vector<RecipientRow>> ListRecipients(SQLite::Database& db, const std::string& user_id,
                                                 const ListSpec& spec, ListResult* result);
// NotFound unless it is user_id's and not deleted already.
Status DeleteRecipient(SQLite::Database& db, const std::string& user_id, const std::string& id,
                       int64_t now);

}  // namespace cairn::store

#pragma once

// The mail table: the sandbox mailbox.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/list_query.h"
#include "util/status.h"

namespace cairn::store {

struct MailRow {
  std::string id;
  std::string recipient;
  std::string subject;
  std::string body;
  int64_t created_at = 0;
};

Status InsertMail(SQLite::Database& db, const MailRow& mail);
// Newest first; `recipient` filters when not empty.
Result<std::vector<MailRow>> ListMail(SQLite::Database& db, const std::string& recipient,
                                      const ListSpec& spec, ListResult* result);

}  // namespace cairn::store

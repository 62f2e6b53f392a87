#pragma once

// Lists: filtering, sorting and the three paging styles of API.md §7 over
// one table, built once for every list. Every value is bound as a parameter;
// column names come only from a whitelist the caller owns.
//
// Cursor paging is keyset paging: the cursor carries the sort values of the
// last row returned, and the next page starts strictly after them, so it is
// stable under inserts and never scans skipped rows. The sort always ends
// with a unique column, which makes the order total. Lists pass "rowid":
// times are kept in seconds, and rowid keeps rows of the same second in the
// order they were written.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "util/status.h"

namespace cairn::store {

using SqlValue = std::variant<int64_t, std::string>;

// A sortable field: its API name and its (NOT NULL) column.
struct SortColumn {
  std::string field;   // e.g. "createdAt"
  std::string column;  // e.g. "created_at"
};

struct OrderTerm {
  std::string column;
  bool desc = false;
};

struct ListSpec {
  std::vector<std::string> where;  // conditions, ANDed; "?" placeholders
  std::vector<SqlValue> args;      // their values, in order
  std::vector<OrderTerm> order;    // without the id tie-breaker
  bool id_desc = false;            // direction of the id tie-breaker
  int limit = 20;
  int64_t offset = 0;           // ignored when `after` is set
  std::vector<SqlValue> after;  // keyset: order values + id of the last row seen
  // Whether to count every matching row (ListResult::total). Counting reads
  // the whole range, which keyset paging exists not to do.
  bool count = true;
};

struct ListResult {
  int64_t total = 0;           // rows matching the filters; 0 unless spec.count
  bool more = false;           // rows follow this page
  std::vector<SqlValue> last;  // order values + id of the last row returned
};

// Runs SELECT <columns> FROM <table> with spec, calling read_row for each row
// of the page (read_row sees the caller's columns from index 0). id_column
// is a unique column that breaks ties (rowid, for insertion order).
Status RunList(SQLite::Database& db, const std::string& columns, const std::string& table,
               const std::string& id_column, const ListSpec& spec,
               const std::function<void(SQLite::Statement&)>& read_row, ListResult* result);

}  // namespace cairn::store

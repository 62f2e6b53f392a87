#include "store/list_query.h"

#include <sqlite3.h>

#include "store/database.h"

namespace cairn::store {

namespace {

void Bind(SQLite::Statement& q, int index, const SqlValue& v) {
  if (const int64_t* i = std::get_if<int64_t>(&v)) {
    q.bind(index, *i);
  } else {
    q.bind(index, std::get<std::string>(v));
  }
}

// (c1, c2, id) strictly after (v1, v2, vid) in the given directions:
//   c1 <= v1 AND (c1 < v1 OR (c1 = v1 AND (c2 > v2 OR (c2 = v2 AND id > vid))))
// with < for descending terms and > for ascending ones. Row values cannot
// express mixed directions. The leading bound on c1 alone is implied by the
// rest, but it is the part SQLite can use to seek in an index on c1 to the
// page's first row: without it, page 5,000 would step over 100,000 rows.
std::string KeysetCondition(const std::vector<OrderTerm>& terms) {
  std::string sql;
  for (size_t i = terms.size(); i-- > 0;) {
    const OrderTerm& t = terms[i];
    std::string step = t.column + (t.desc ? " < ?" : " > ?");
    sql = sql.empty() ? step : step + " OR (" + t.column + " = ? AND (" + sql + "))";
  }
  const OrderTerm& first = terms.front();
  return "(" + first.column + (first.desc ? " <= ?" : " >= ?") + " AND (" + sql + "))";
}

// The bind order of KeysetCondition: v1 (the seek), then v1, v1, v2, v2, ...,
// vid.
std::vector<SqlValue> KeysetArgs(const std::vector<SqlValue>& after) {
  std::vector<SqlValue> out{after.front()};
  for (size_t i = 0; i < after.size(); ++i) {
    out.push_back(after[i]);
    if (i + 1 < after.size()) out.push_back(after[i]);
  }
  return out;
}

SqlValue ReadValue(const SQLite::Column& c) {
  if (c.getType() == SQLITE_INTEGER) return c.getInt64();
  return c.getString();
}

}  // namespace

Status RunList(SQLite::Database& db, const std::string& columns, const std::string& table,
               const std::string& id_column, const ListSpec& spec,
               const std::function<void(SQLite::Statement&)>& read_row, ListResult* result) {
  std::vector<OrderTerm> terms = spec.order;
  terms.push_back({id_column, spec.id_desc});
  if (!spec.after.empty() && spec.after.size() != terms.size()) {
    return Status::InvalidArgument("The cursor does not match the sort");
  }

  std::string where;
  for (const std::string& w : spec.where) where += (where.empty() ? " WHERE " : " AND ") + w;
  try {
    result->total = 0;
    if (spec.count) {
      Query count(db, "SELECT count(*) FROM " + table + where);
      for (size_t i = 0; i < spec.args.size(); ++i) {
        Bind(*count, static_cast<int>(i) + 1, spec.args[i]);
      }
      count->executeStep();
      result->total = count->getColumn(0).getInt64();
    }

    std::vector<SqlValue> args = spec.args;
    std::string page_where = where;
    if (!spec.after.empty()) {
      page_where += (where.empty() ? " WHERE " : " AND ") + KeysetCondition(terms);
      for (SqlValue& v : KeysetArgs(spec.after)) args.push_back(std::move(v));
    }
    std::string order;
    std::string keys;
    for (const OrderTerm& t : terms) {
      order += (order.empty() ? "" : ", ") + t.column + (t.desc ? " DESC" : " ASC");
      keys += ", " + t.column;
    }
    Query page(db, "SELECT " + columns + keys + " FROM " + table + page_where + " ORDER BY " +
                       order + " LIMIT ? OFFSET ?");
    SQLite::Statement& q = *page;
    int n = 0;
    for (const SqlValue& v : args) Bind(q, ++n, v);
    q.bind(++n, static_cast<int64_t>(spec.limit) + 1);  // one more tells whether more follow
    q.bind(++n, spec.after.empty() ? spec.offset : 0);

    int key_base = q.getColumnCount() - static_cast<int>(terms.size());
    int rows = 0;
    result->more = false;
    result->last.clear();
    while (q.executeStep()) {
      if (rows == spec.limit) {
        result->more = true;
        break;
      }
      ++rows;
      read_row(q);
      result->last.clear();
      for (size_t i = 0; i < terms.size(); ++i) {
        result->last.push_back(ReadValue(q.getColumn(key_base + static_cast<int>(i))));
      }
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "list");
  }
}

}  // namespace cairn::store

// Fuzz target: a list route's query string, split into parameters by
// httplib as the server does, through http::ReadListRequest (paging, sort,
// cursor), ReadSearch, ReadTimeRange and ReadAmountRange, and the accepted
// list through store::RunList on an in-memory table.
//
// Beyond not crashing, for every query it checks:
//  - the limits: 1 <= pageSize <= kMaxPageSize, 0 <= offset, 1 to 3 sort
//    terms over whitelisted columns, none twice; a search is 2-100
//    characters; amounts are within kMaxMinor;
//  - round trips: the canonical sort (sort_key) reads back as the same
//    order; the cursor WriteListJson writes for a page reads back as the
//    same keys; a time that parses formats and parses to the same second;
//  - RunList accepts every spec ReadListRequest accepts (the cursor's
//    values included), returns at most pageSize rows, and paging by cursor
//    visits every row once, in the order of one unpaged query.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "http/lists.h"
#include "payments/money.h"
#include "util/clock.h"
#include "util/json.h"

namespace cairn {
namespace {

const std::vector<store::SortColumn> kWhitelist = {
    {"createdAt", "created_at"}, {"amount", "amount"}, {"email", "email"}, {"status", "status"}};
constexpr char kDefaultSort[] = "-createdAt";
constexpr int kRows = 13;

SQLite::Database* db = nullptr;

// Rows with ties in every column, so the order's later terms and the rowid
// tie-breaker decide.
void Fill(SQLite::Database& d) {
  d.exec(
      "CREATE TABLE t (created_at INTEGER NOT NULL, amount INTEGER NOT NULL, "
      "email TEXT NOT NULL, status TEXT NOT NULL)");
  for (int i = 0; i < kRows; ++i) {
    SQLite::Statement q(d, "INSERT INTO t VALUES (?, ?, ?, ?)");
    q.bind(1, static_cast<int64_t>(1'700'000'000 + (i * 7) % 4));
    q.bind(2, static_cast<int64_t>((i * 5) % 3 * 100));
    q.bind(3, std::string(1, static_cast<char>('a' + (i * 3) % 5)) + "@x.test");
    q.bind(4, i % 2 ? "done" : "pending");
    q.exec();
  }
}

httplib::Request Query(const std::string& text) {
  httplib::Request req;
  httplib::detail::parse_query_text(text, req.params);
  return req;
}

// The rowids of one page.
std::vector<int64_t> Page(const store::ListSpec& spec, store::ListResult* r) {
  std::vector<int64_t> ids;
  Status st = store::RunList(
      *db, "rowid", "t", "rowid", spec,
      [&](SQLite::Statement& q) { ids.push_back(q.getColumn(0).getInt64()); }, r);
  FUZZ_CHECK(st.ok());
  FUZZ_CHECK(static_cast<int>(ids.size()) <= spec.limit);
  FUZZ_CHECK(r->last.size() == (ids.empty() ? 0 : spec.order.size() + 1));
  return ids;
}

void CheckSpec(const http::ListRequest& list) {
  const store::ListSpec& spec = list.spec;
  FUZZ_CHECK(spec.limit >= 1 && spec.limit <= http::kMaxPageSize);
  FUZZ_CHECK(spec.offset >= 0);
  FUZZ_CHECK(!spec.order.empty() && spec.order.size() <= 3);
  FUZZ_CHECK(spec.id_desc == spec.order.front().desc);
  std::set<std::string> seen;
  for (const store::OrderTerm& t : spec.order) {
    bool listed = false;
    for (const store::SortColumn& c : kWhitelist) listed |= c.column == t.column;
    FUZZ_CHECK(listed);
    FUZZ_CHECK(seen.insert(t.column).second);
  }
  if (list.style == http::ListRequest::Style::kCursor) {
    FUZZ_CHECK(!spec.count);
    FUZZ_CHECK(spec.after.empty() || spec.after.size() == spec.order.size() + 1);
  } else {
    FUZZ_CHECK(spec.after.empty());
  }
}

// The canonical sort reads back as the same order.
void CheckSortKey(const http::ListRequest& list) {
  Result<http::ListRequest> again =
      http::ReadListRequest(Query("sort=" + list.sort_key), kWhitelist, kDefaultSort);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->sort_key == list.sort_key);
  FUZZ_CHECK(again->spec.order.size() == list.spec.order.size());
  for (size_t i = 0; i < list.spec.order.size(); ++i) {
    FUZZ_CHECK(again->spec.order[i].column == list.spec.order[i].column);
    FUZZ_CHECK(again->spec.order[i].desc == list.spec.order[i].desc);
  }
}

// The next cursor written for keys `last` reads back as `last`.
void CheckCursor(const http::ListRequest& list, const std::vector<store::SqlValue>& last) {
  store::ListResult r;
  r.more = true;
  r.last = last;
  httplib::Response res;
  http::WriteListJson(res, "[]", list, r);
  Result<picojson::object> body = json::ParseObject(res.body);
  FUZZ_CHECK(body.ok());
  const picojson::value& p = body->at("pagination");
  FUZZ_CHECK(p.is<picojson::object>());
  const picojson::value& cursor = p.get<picojson::object>().at("nextCursor");
  FUZZ_CHECK(cursor.is<std::string>());
  // Past 2048 characters a cursor is refused: keys from a fuzzed cursor can
  // come back longer than they went in (DEL is written \u007f).
  if (cursor.get<std::string>().size() > 2048) return;
  // The cursor is base64url: safe in a query string as it is.
  Result<http::ListRequest> next = http::ReadListRequest(
      Query("sort=" + list.sort_key + "&cursor=" + cursor.get<std::string>()), kWhitelist,
      kDefaultSort);
  FUZZ_CHECK(next.ok());
  FUZZ_CHECK(next->spec.after == last);
}

// Paging by cursor visits the rows of one unpaged query, in its order.
// Checked once per order and page size (the table is the same every time).
void CheckWalk(const store::ListSpec& spec) {
  static std::set<std::string> walked;
  std::string key;
  for (const store::OrderTerm& t : spec.order) key += (t.desc ? "-" : "+") + t.column + ",";
  key += std::to_string(std::min(spec.limit, kRows + 1));
  if (!walked.insert(key).second) return;

  store::ListSpec all = spec;
  all.after.clear();
  all.offset = 0;
  all.limit = http::kMaxPageSize;
  store::ListResult r;
  std::vector<int64_t> want = Page(all, &r);
  FUZZ_CHECK(static_cast<int>(want.size()) == kRows && !r.more);

  store::ListSpec walk = all;
  walk.limit = spec.limit;
  std::vector<int64_t> got;
  for (int pages = 0;; ++pages) {
    FUZZ_CHECK(pages <= kRows);
    std::vector<int64_t> page = Page(walk, &r);
    got.insert(got.end(), page.begin(), page.end());
    if (!r.more) break;
    walk.after = r.last;
  }
  FUZZ_CHECK(got == want);
}

void CheckFilters(const httplib::Request& req) {
  Result<std::string> search = http::ReadSearch(req);
  if (search.ok() && !search->empty()) {
    size_t chars = json::CodePoints(*search);
    FUZZ_CHECK(chars >= 2 && chars <= 100);
  }
  int64_t from = 0, to = 0;
  (void)http::ReadTimeRange(req, "createdAt", &from, &to);
  int64_t min = 0, max = 0;
  if (http::ReadAmountRange(req, "amount", &min, &max).ok()) {
    FUZZ_CHECK(min >= -1 && min <= payments::kMaxMinor);
    FUZZ_CHECK(max >= -1 && max <= payments::kMaxMinor);
  }
  for (const auto& [name, value] : req.params) {
    TimePoint t;
    if (!ParseIso8601(value, &t)) continue;
    TimePoint back;
    FUZZ_CHECK(ParseIso8601(FormatIso8601(t), &back));
    FUZZ_CHECK(UnixSeconds(back) == UnixSeconds(t));
  }
}

}  // namespace
}  // namespace cairn

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace cairn;
  static std::unique_ptr<SQLite::Database> d =
      std::make_unique<SQLite::Database>(":memory:", SQLite::OPEN_READWRITE);
  Fill(*d);
  db = d.get();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cairn;
  httplib::Request req = Query(std::string(fuzz::AsText(data, size)));
  CheckFilters(req);
  Result<http::ListRequest> list = http::ReadListRequest(req, kWhitelist, kDefaultSort);
  if (!list.ok()) return 0;
  CheckSpec(*list);
  CheckSortKey(*list);

  store::ListResult r;
  std::vector<int64_t> page = Page(list->spec, &r);
  if (!list->spec.after.empty()) CheckCursor(*list, list->spec.after);
  if (!r.last.empty()) CheckCursor(*list, r.last);
  CheckWalk(list->spec);
  return 0;
}

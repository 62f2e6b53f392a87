#include "http/lists.h"

#include <doctest/doctest.h>

#include "util/json.h"

namespace cairn::http {
namespace {

const std::vector<store::SortColumn> kSort = {{"createdAt", "created_at"}, {"email", "email"}};

httplib::Request Query(std::initializer_list<std::pair<const char*, const char*>> params) {
  httplib::Request req;
  for (const auto& [k, v] : params) req.params.emplace(k, v);
  return req;
}

TEST_CASE("paging defaults, page and pageSize, and the limit alias") {
  auto r = ReadListRequest(Query({}), kSort, "-createdAt");
  REQUIRE(r.ok());
  CHECK(r->spec.limit == 20);
  CHECK(r->spec.offset == 0);
  CHECK(r->style == ListRequest::Style::kPage);
  REQUIRE(r->spec.order.size() == 1);
  CHECK(r->spec.order[0].column == "created_at");
  CHECK(r->spec.order[0].desc);
  CHECK(r->spec.id_desc);

  r = ReadListRequest(Query({{"page", "3"}, {"pageSize", "10"}}), kSort, "-createdAt");
  REQUIRE(r.ok());
  CHECK(r->spec.offset == 20);
  r = ReadListRequest(Query({{"limit", "100"}, {"offset", "7"}}), kSort, "-createdAt");
  REQUIRE(r.ok());
  CHECK(r->spec.limit == 100);
  CHECK(r->spec.offset == 7);
  CHECK(r->style == ListRequest::Style::kOffset);
}

TEST_CASE("bad paging values are 400 naming the parameter") {
  for (auto q : {Query({{"pageSize", "101"}}), Query({{"pageSize", "0"}}), Query({{"limit", "-1"}}),
                 Query({{"page", "0"}}), Query({{"page", "1e3"}}), Query({{"offset", "x"}}),
                 Query({{"pageSize", "99999999999999999999"}})}) {
    auto r = ReadListRequest(q, kSort, "-createdAt");
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("sort takes whitelisted fields only, in both syntaxes") {
  auto r = ReadListRequest(Query({{"sort", "email"}, {"dir", "desc"}}), kSort, "-createdAt");
  REQUIRE(r.ok());
  CHECK(r->spec.order[0].column == "email");
  CHECK(r->spec.order[0].desc);
  r = ReadListRequest(Query({{"sort", "-createdAt,email"}}), kSort, "-createdAt");
  REQUIRE(r.ok());
  REQUIRE(r->spec.order.size() == 2);
  CHECK(r->spec.order[0].desc);
  CHECK_FALSE(r->spec.order[1].desc);
  for (const char* bad :
       {"password_hash", "email;DROP TABLE users", "", "email,email", "created_at", "-"}) {
    INFO(bad);
    CHECK(ReadListRequest(Query({{"sort", bad}}), kSort, "-createdAt").status().code() ==
          Code::kInvalidArgument);
  }
  CHECK(ReadListRequest(Query({{"dir", "sideways"}}), kSort, "-createdAt").status().code() ==
        Code::kInvalidArgument);
}

TEST_CASE("a cursor round-trips through the response, and only for its own sort") {
  auto first = ReadListRequest(Query({{"pageSize", "2"}}), kSort, "-createdAt");
  REQUIRE(first.ok());
  store::ListResult result;
  result.total = 5;
  result.more = true;
  result.last = {int64_t{1700000000}, std::string("usr_0123456789abcdef")};
  httplib::Response res;
  WriteList(res, {}, first.value(), result);
  picojson::object body = json::ParseObject(res.body).value();
  const picojson::object& p = body["pagination"].get<picojson::object>();
  std::string cursor = p.at("nextCursor").get<std::string>();
  CHECK(p.at("total").get<int64_t>() == 5);
  CHECK(p.at("totalPages").get<int64_t>() == 3);
  CHECK(p.at("hasNextPage").get<bool>());

  auto next =
      ReadListRequest(Query({{"pageSize", "2"}, {"cursor", cursor.c_str()}}), kSort, "-createdAt");
  REQUIRE(next.ok());
  CHECK(next->style == ListRequest::Style::kCursor);
  CHECK(next->spec.after == result.last);

  // A cursor page is not counted and says no total.
  CHECK_FALSE(next->spec.count);
  httplib::Response cursor_res;
  WriteList(cursor_res, {}, next.value(), result);
  picojson::object cursor_body = json::ParseObject(cursor_res.body).value();
  const picojson::object& cp = cursor_body["pagination"].get<picojson::object>();
  CHECK(cp.count("total") == 0);
  CHECK(cp.count("totalPages") == 0);
  CHECK(cp.at("hasNextPage").get<bool>());

  auto other =
      ReadListRequest(Query({{"sort", "email"}, {"cursor", cursor.c_str()}}), kSort, "-createdAt");
  CHECK(other.status().code() == Code::kInvalidArgument);
  for (const char* bad : {"%%%", "e30", "eyJzIjoiLWNyZWF0ZWRBdCIsImsiOltdfQ"}) {
    INFO(bad);
    CHECK(ReadListRequest(Query({{"cursor", bad}}), kSort, "-createdAt").status().code() ==
          Code::kInvalidArgument);
  }
}

TEST_CASE("an empty cursor starts cursor paging at the first row, uncounted") {
  auto first = ReadListRequest(Query({{"cursor", ""}, {"pageSize", "3"}}), kSort, "-createdAt");
  REQUIRE(first.ok());
  CHECK(first->style == ListRequest::Style::kCursor);
  CHECK(first->spec.after.empty());
  CHECK_FALSE(first->spec.count);
  CHECK(first->spec.limit == 3);
  // Page and offset styles count.
  CHECK(ReadListRequest(Query({}), kSort, "-createdAt")->spec.count);
  CHECK(ReadListRequest(Query({{"offset", "2"}}), kSort, "-createdAt")->spec.count);
}

TEST_CASE("the last page says so: no next cursor, no next offset") {
  auto list = ReadListRequest(Query({{"offset", "4"}, {"limit", "2"}}), kSort, "-createdAt");
  REQUIRE(list.ok());
  store::ListResult result;
  result.total = 5;
  httplib::Response res;
  WriteList(res, {}, list.value(), result);
  picojson::object body = json::ParseObject(res.body).value();
  const picojson::object& p = body["pagination"].get<picojson::object>();
  CHECK(p.at("nextCursor").is<picojson::null>());
  CHECK(p.at("nextOffset").is<picojson::null>());
  CHECK(p.at("offset").get<int64_t>() == 4);
  CHECK(body["data"].is<picojson::array>());
}

TEST_CASE("search is empty or 2 to 100 characters") {
  CHECK(ReadSearch(Query({})).value().empty());
  CHECK(ReadSearch(Query({{"search", "ab"}})).value() == "ab");
  CHECK(ReadSearch(Query({{"search", "a"}})).status().code() == Code::kInvalidArgument);
  CHECK(ReadSearch(Query({{"search", std::string(101, 'x').c_str()}})).status().code() ==
        Code::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::http

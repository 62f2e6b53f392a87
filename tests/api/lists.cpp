#include "lists.h"

#include <doctest/doctest.h>

namespace cairn::test {

Page List(httplib::Client& cli, const Account& who, const std::string& path_and_query) {
  auto res = cli.Get(path_and_query, Bearer(who.access));
  REQUIRE(res);
  Page p;
  p.status = res->status;
  p.body = res->body;
  auto body = JsonBody(res->body);
  if (res->status != 200) {
    p.code = GetStr(body, "error.code");
    return p;
  }
  picojson::value data = Get(body, "data");
  REQUIRE(data.is<picojson::array>());
  p.items = data.get<picojson::array>();
  picojson::value pag = Get(body, "pagination");
  REQUIRE(pag.is<picojson::object>());
  p.pagination = pag.get<picojson::object>();
  return p;
}

std::vector<std::string> Field(const Page& p, const char* name) {
  std::vector<std::string> out;
  for (const picojson::value& v : p.items)
    out.push_back(v.get<picojson::object>().at(name).to_str());
  return out;
}

std::set<std::string> FieldSet(const Page& p, const char* name) {
  std::vector<std::string> v = Field(p, name);
  return {v.begin(), v.end()};
}

picojson::value Pg(const Page& p, const char* key) {
  auto it = p.pagination.find(key);
  return it == p.pagination.end() ? picojson::value("<absent>") : it->second;
}
int64_t PgInt(const Page& p, const char* key) {
  picojson::value v = Pg(p, key);
  REQUIRE(v.is<int64_t>());
  return v.get<int64_t>();
}
bool PgBool(const Page& p, const char* key) {
  picojson::value v = Pg(p, key);
  REQUIRE(v.is<bool>());
  return v.get<bool>();
}

}  // namespace cairn::test

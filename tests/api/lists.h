#pragma once

// Reading list responses (API.md §7) in API tests: one GET as a signed-in
// account, its items and its pagination object.

#include <picojson.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "accounts.h"

namespace cairn::test {

struct Page {
  int status = 0;
  std::string code;  // error.code when not 200
  picojson::array items;
  picojson::object pagination;
  std::string body;
};

// GETs path_and_query with who's bearer token.
Page List(httplib::Client& cli, const Account& who, const std::string& path_and_query);
// One field of every item, as text, in order.
std::vector<std::string> Field(const Page& p, const char* name);
std::set<std::string> FieldSet(const Page& p, const char* name);
// A pagination member ("<absent>" when missing), as an integer, as a bool.
picojson::value Pg(const Page& p, const char* key);
int64_t PgInt(const Page& p, const char* key);
bool PgBool(const Page& p, const char* key);

}  // namespace cairn::test

#include "cards_setup.h"

#include <doctest/doctest.h>

namespace cairn::test {

ServerProcess::Options CardsOn() {
  ServerProcess::Options opts;
  opts.env["FEATURE_CARDS"] = "1";
  return opts;
}

std::string IssueCard(httplib::Client& cli, const Account& who, const std::string& body) {
  return GetStr(DataOf(PostJson(cli, "/api/v1/cards", body, Bearer(who.access)), 201), "id");
}

std::vector<std::string> ListCardIds(httplib::Client& cli, const Account& who) {
  auto res = cli.Get("/api/v1/cards", Bearer(who.access));
  REQUIRE(res);
  REQUIRE(res->status == 200);
  picojson::value data = Get(JsonBody(res->body), "data");
  REQUIRE(data.is<picojson::array>());
  std::vector<std::string> ids;
  for (const picojson::value& v : data.get<picojson::array>()) {
    ids.push_back(v.get<picojson::object>().at("id").to_str());
  }
  return ids;
}

httplib::Result PutLimit(httplib::Client& cli, const Account& who, const std::string& id,
                         const std::string& body) {
  return cli.Put("/api/v1/cards/" + id + "/limits", Bearer(who.access), body, "application/json");
}

std::string CardState(const ServerProcess& server) {
  return QueryText(server,
                   "SELECT coalesce(group_concat(r, ';'), '') FROM (SELECT id || '|' || "
                   "user_id || '|' || type || '|' || status || '|' || last4 || '|' || "
                   "coalesce(pin_hash, '') || '|' || coalesce(shipping_address, '') || '|' || "
                   "updated_at AS r FROM cards ORDER BY id)") +
         "#" +
         QueryText(server,
                   "SELECT coalesce(group_concat(r, ';'), '') FROM (SELECT card_id || '|' || "
                   "limit_type || '|' || amount || '|' || updated_at AS r FROM card_limits "
                   "ORDER BY card_id, limit_type)");
}

}  // namespace cairn::test

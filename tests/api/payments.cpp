#include "payments.h"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

namespace cairn::test {

std::string LinkBody(const std::string& bank, const std::string& extra) {
  return R"({"bankName":")" + bank + "\"" + extra + "}";
}

httplib::Result LinkAccount(httplib::Client& cli, const Account& who, const std::string& body,
                            const std::string& key) {
  httplib::Headers headers = Bearer(who.access);
  if (!key.empty()) headers.emplace("Idempotency-Key", key);
  return PostJson(cli, kBankAccounts, body, headers);
}

picojson::object MustLink(httplib::Client& cli, const Account& who, const std::string& bank,
                          const std::string& extra) {
  auto res = LinkAccount(cli, who, LinkBody(bank, extra));
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 201);
  picojson::value data = Get(JsonBody(res->body), "data");
  REQUIRE(data.is<picojson::object>());
  return data.get<picojson::object>();
}

double Number(const picojson::object& o, const std::string& dotted) {
  picojson::value v = Get(o, dotted);
  INFO(dotted << " = " << v.serialize());
  REQUIRE(v.is<double>());
  return v.get<double>();
}

bool IsMod11AccountNumber(const std::string& dotted) {
  if (dotted.size() != 13 || dotted[4] != '.' || dotted[7] != '.') return false;
  std::string digits = dotted.substr(0, 4) + dotted.substr(5, 2) + dotted.substr(8);
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  static const int kWeights[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
  int sum = 0;
  for (int i = 0; i < 10; ++i) sum += (digits[i] - '0') * kWeights[i];
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  if (check == 10) return false;  // no account has such a number
  return digits[10] - '0' == check;
}

std::string PaymentRows(const ServerProcess& server) {
  std::string out;
  for (const char* table : {"bank_accounts", "sandbox_accounts", "events", "idempotency_keys"}) {
    if (!out.empty()) out += " ";
    out += std::string(table) + "=" +
           std::to_string(QueryInt(server, std::string("SELECT count(*) FROM ") + table));
  }
  return out;
}

std::string BankAccountRows(const ServerProcess& server, const std::string& user_id) {
  return QueryText(
      server,
      "SELECT group_concat(r, ';') FROM (SELECT b.id || '|' || b.bank_name || '|' || "
      "b.balance || '|' || b.balance_refreshed_at || '|' || b.is_primary || '|' || "
      "s.balance AS r FROM bank_accounts b JOIN sandbox_accounts s USING (account_number) "
      "WHERE b.user_id = '" +
          user_id + "' ORDER BY b.id)");
}

}  // namespace cairn::test

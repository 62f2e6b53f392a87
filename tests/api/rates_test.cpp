// Exchange rates over HTTP: public, the sandbox's fixed table from NOK, one
// rate by case-insensitive currency with the remittance fee, unknown
// currencies 404, and the rates rule of the rate limiter.

#include <doctest/doctest.h>

#include <map>
#include <string>

#include "accounts.h"
#include "harness.h"
#include "payments.h"
#include "rate_limits.h"

using namespace cairn::test;

namespace {

const std::map<std::string, double> kRates = {{"RSD", 11.7}, {"BAM", 1.04}, {"PLN", 0.41},
                                              {"PKR", 26.8}, {"TRY", 3.45}, {"EUR", 0.089}};

}  // namespace

TEST_CASE("the rate table is public: every rate from NOK with when it was loaded") {
  ServerProcess server;
  auto cli = server.Client();

  auto res = cli.Get("/api/v1/rates");
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
  auto body = JsonBody(res->body);
  CHECK(GetStr(body, "data.baseCurrency") == "NOK");
  CHECK(IsIsoTime(GetStr(body, "data.updatedAt")));
  picojson::value rates = Get(body, "data.rates");
  REQUIRE(rates.is<picojson::object>());
  CHECK(rates.get<picojson::object>().size() == kRates.size());
  for (const auto& [currency, rate] : kRates) {
    CAPTURE(currency);
    CHECK(Number(body, "data.rates." + currency) == rate);
  }
  // Written in their shortest form, never 0.088999999999999996.
  CHECK(res->body.find("\"EUR\":0.089") != std::string::npos);
  CHECK(res->body.find("\"RSD\":11.7") != std::string::npos);

  // A signed-in caller sees the same table.
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  auto signed_in = cli.Get("/api/v1/rates", Bearer(ada.access));
  REQUIRE(signed_in);
  CHECK(signed_in->status == 200);
  CHECK(Get(JsonBody(signed_in->body), "data.rates") == rates);
}

TEST_CASE("one rate is read by currency, in any case, with the remittance fee") {
  ServerProcess server;
  auto cli = server.Client();
  auto all = cli.Get("/api/v1/rates");
  REQUIRE(all);
  std::string updated = GetStr(JsonBody(all->body), "data.updatedAt");

  for (const auto& [currency, rate] : kRates) {
    std::string lower = currency;
    for (char& c : lower) c = static_cast<char>(c - 'A' + 'a');
    for (const std::string& asked : {currency, lower, lower.substr(0, 1) + currency.substr(1)}) {
      CAPTURE(asked);
      auto res = cli.Get("/api/v1/rates/" + asked);
      REQUIRE(res);
      INFO(res->body);
      REQUIRE(res->status == 200);
      auto body = JsonBody(res->body);
      CHECK(GetStr(body, "data.baseCurrency") == "NOK");
      CHECK(GetStr(body, "data.currency") == currency);
      CHECK(Number(body, "data.rate") == rate);
      CHECK(Number(body, "data.fee") == 0.005);
      CHECK(GetStr(body, "data.updatedAt") == updated);
    }
  }
  auto rsd = cli.Get("/api/v1/rates/rsd");
  REQUIRE(rsd);
  CHECK(rsd->body.find("\"rate\":11.7") != std::string::npos);
  CHECK(rsd->body.find("\"fee\":0.005") != std::string::npos);
}

TEST_CASE("an unknown currency has no rate: 404 not_found") {
  ServerProcess server;
  auto cli = server.Client();
  for (const std::string& asked :
       {std::string("XYZ"), std::string("NOK"), std::string("US"), std::string("EURO"),
        std::string("RSD1"), std::string(300, 'Q')}) {
    CAPTURE(asked);
    auto res = cli.Get("/api/v1/rates/" + asked);
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(ErrorCode(res) == "not_found");
  }
  // The table itself is untouched by the misses.
  auto all = cli.Get("/api/v1/rates");
  REQUIRE(all);
  CHECK(Get(JsonBody(all->body), "data.rates").get<picojson::object>().size() == kRates.size());
}

TEST_CASE("rates are limited per client by RATE_LIMIT_RATES; /health still answers") {
  ServerProcess server(Limited({{"RATE_LIMIT_RATES", "3/1m"}}));
  auto cli = server.Client();

  // The table and single rates share the one rule.
  for (const char* path : {"/api/v1/rates", "/api/v1/rates/RSD", "/api/v1/rates/eur"}) {
    CAPTURE(path);
    auto res = cli.Get(path);
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(HeaderInt(res, "X-RateLimit-Limit") == 3);
  }
  for (const char* path : {"/api/v1/rates", "/api/v1/rates/PLN", "/api/v1/rates/XYZ"}) {
    CAPTURE(path);
    CheckRefusal(cli.Get(path));
  }

  CheckUnlimited(cli.Get("/health"));
  CHECK(GetStatus(cli, "/api/v1/health") == 200);
  CheckRefusal(cli.Get("/api/v1/rates/TRY"));
}

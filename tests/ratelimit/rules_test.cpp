#include "ratelimit/rules.h"

#include <doctest/doctest.h>

namespace cairn::ratelimit {
namespace {

TEST_CASE("rules parse as count/window with s, m or h, up to two") {
  auto r = ParseRules("60/1m,1000/1h");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK(r->at(0).count == 60);
  CHECK(r->at(0).window_s == 60);
  CHECK(r->at(1).window_s == 3600);
  CHECK(ParseRules("100/15m")->at(0).window_s == 900);
  CHECK(ParseRules("2/2s")->at(0).window_s == 2);
  CHECK(ParseRules("unlimited")->empty());
  CHECK(FormatRules(*ParseRules("60/1m,1000/1h")) == "60/1m,1000/1h");
  CHECK(FormatRules(*ParseRules("5/90s")) == "5/90s");
}

TEST_CASE("bad rules are refused with a reason") {
  for (const char* bad : {"", "60", "60/", "/1m", "0/1m", "-1/1m", "60/1d", "60/m", "60/0m",
                          "60/1m,", "1/1m,2/1m,3/1m", "60/8d", "60/10000h", "6O/1m", "60 /1m"}) {
    INFO(bad);
    auto r = ParseRules(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("count/window") != std::string::npos);
  }
}

TEST_CASE("the table comes from the settings, naming the one that is wrong") {
  Config cfg;
  auto t = RuleTableFrom(cfg);
  REQUIRE(t.ok());
  CHECK(FormatRules(t->anonymous) == "100/15m");
  CHECK(FormatRules(t->user) == "60/1m,1000/1h");
  CHECK(FormatRules(t->merchant) == "300/1m,10000/1h");
  CHECK(FormatRules(t->auth) == "10/1m");
  CHECK(FormatRules(t->payments) == "10/1m");
  CHECK(FormatRules(t->rates) == "120/1m");
  cfg.rate_limit_merchant = "lots";
  auto bad = RuleTableFrom(cfg);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().rfind("RATE_LIMIT_MERCHANT: ", 0) == 0);
}

}  // namespace
}  // namespace cairn::ratelimit

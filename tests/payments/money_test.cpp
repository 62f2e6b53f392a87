#include "payments/money.h"

#include <doctest/doctest.h>

#include <string>

#include "util/json.h"

namespace cairn::payments {
namespace {

// The amount as a client would send it: parsed by the same JSON parser.
AmountError Parse(const std::string& json_number, int64_t* minor) {
  auto body = json::ParseObject("{\"a\":" + json_number + "}");
  REQUIRE(body.ok());
  return ParseAmount(body->at("a"), minor);
}

TEST_CASE("amounts with up to two decimals parse exactly into minor units") {
  struct Case {
    const char* json;
    int64_t minor;
  } cases[] = {
      {"0", 0},           {"1", 100},          {"99.99", 9999},       {"100", 10000},
      {"100.00", 10000},  {"100.10", 10010},   {"50000", 5000000},    {"50000.01", 5000001},
      {"0.01", 1},        {"1.29", 129},       {"-2000", -200000},    {"-0.5", -50},
      {"1e2", 10000},     {"1.5e3", 150000},   {"0.1", 10},           {"100000", 10000000},
      {"12345678.91", 1234567891},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    int64_t minor = -1;
    REQUIRE(Parse(c.json, &minor) == AmountError::kNone);
    CHECK(minor == c.minor);
  }
}

TEST_CASE("a third decimal, a non-number or an absurd size is refused, not rounded") {
  struct Case {
    const char* json;
    AmountError error;
  } cases[] = {
      {"100.001", AmountError::kTooPrecise},  {"0.125", AmountError::kTooPrecise},
      {"1e-7", AmountError::kTooPrecise},     {"50000.015", AmountError::kTooPrecise},
      {"\"100\"", AmountError::kNotANumber},  {"true", AmountError::kNotANumber},
      {"null", AmountError::kNotANumber},     {"[100]", AmountError::kNotANumber},
      {"{\"v\":1}", AmountError::kNotANumber}, {"1e300", AmountError::kOutOfRange},
      {"100000000000000", AmountError::kOutOfRange},
      {"-1e12", AmountError::kOutOfRange},
      // The int64 extremes (found by tests/fuzz/json_body.cpp): the most
      // negative one used to overflow the range check and parse as 0.
      {"-9223372036854775808", AmountError::kOutOfRange},
      {"9223372036854775807", AmountError::kOutOfRange},
      {"-100000000001", AmountError::kOutOfRange},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    int64_t minor = 42;
    CHECK(Parse(c.json, &minor) == c.error);
    CHECK(minor == 42);  // untouched
  }
}

TEST_CASE("minor units are written as the shortest number with the same value") {
  struct Case {
    int64_t minor;
    const char* json;
  } cases[] = {
      {200000, "2000"}, {129, "1.29"}, {110, "1.1"},  {2050, "20.5"},    {1, "0.01"},
      {-50, "-0.5"},    {0, "0"},      {5000001, "50000.01"}, {1234567891, "12345678.91"},
  };
  for (const Case& c : cases) {
    INFO(c.minor);
    CHECK(json::Serialize(AmountToJson(c.minor)) == c.json);
    // And it reads back as the same amount.
    int64_t back = 0;
    REQUIRE(Parse(c.json, &back) == AmountError::kNone);
    CHECK(back == c.minor);
  }
}

TEST_CASE("FormatAmount writes two decimals") {
  CHECK(FormatAmount(200000) == "2000.00");
  CHECK(FormatAmount(129) == "1.29");
  CHECK(FormatAmount(5) == "0.05");
  CHECK(FormatAmount(-250) == "-2.50");
}

TEST_CASE("fees are the percentage rounded half-up to a minor unit") {
  // 0.5 % (50 basis points) and 1 % (100), at the API's edges.
  CHECK(PercentOf(200000, 50) == 1000);     // 2000 NOK -> 10.00
  CHECK(PercentOf(10000, 50) == 50);        // 100 NOK -> 0.50
  CHECK(PercentOf(5000000, 50) == 25000);   // 50 000 NOK -> 250.00
  CHECK(PercentOf(12900, 100) == 129);      // 129 NOK -> 1.29
  CHECK(PercentOf(100, 100) == 1);          // 1 NOK -> 0.01
  CHECK(PercentOf(10001, 50) == 50);        // 100.01 -> 0.50005 -> 0.50
  CHECK(PercentOf(10100, 50) == 51);        // 101.00 -> 0.505 -> 0.51 (half up)
  CHECK(PercentOf(150, 100) == 2);          // 1.50 -> 0.015 -> 0.02 (half up)
  CHECK(PercentOf(149, 100) == 1);          // 1.49 -> 0.0149 -> 0.01
  CHECK(PercentOf(-150, 100) == -2);        // half away from zero
  CHECK(PercentOf(0, 50) == 0);
}

}  // namespace
}  // namespace cairn::payments

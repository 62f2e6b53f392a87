#include "payments/rates.h"

#include <doctest/doctest.h>

#include <cstdint>

#include "payments/money.h"

namespace cairn::payments {
namespace {

TEST_CASE("a conversion is exact to the minor unit and rounds halves away from zero") {
  // Expected values computed with exact fractions; the last rows' products
  // (up to 10^13 x 2.68 x 10^7) overflow int64, which Convert must not.
  struct Case {
    int64_t amount_minor;
    int64_t rate_micro;
    int64_t converted;
  } cases[] = {
      {100, 11'700'000, 1170},
      {0, 26'800'000, 0},
      {1, 89'000, 0},
      {6, 89'000, 1},
      {50, 410'000, 21},
      {-50, 410'000, -21},
      {150, 410'000, 62},
      {1'999'999, 500'000, 1'000'000},
      {999'999, 999'999, 999'998},
      {1'234'567'891, 11'700'000, 14'444'444'325},
      {kMaxMinor - 1, 89'000, 890'000'000'000},
      {kMaxMinor - 1, 26'800'000, 267'999'999'999'973},
      {kMaxMinor, 26'800'000, 268'000'000'000'000},
      {-kMaxMinor, 26'800'000, -268'000'000'000'000},
  };
  for (const Case& c : cases) {
    CAPTURE(c.amount_minor);
    CAPTURE(c.rate_micro);
    CHECK(Convert(c.amount_minor, c.rate_micro) == c.converted);
  }
}

}  // namespace
}  // namespace cairn::payments

#include "payments/rates.h"

namespace cairn::payments {

const std::vector<Rate>& AllRates() {
  // The sandbox's rates, fixed: a real deployment would read a rate feed.
  static const std::vector<Rate> kRates = {
      {"RSD", 11'700'000}, {"BAM", 1'040'000}, {"PLN", 410'000},
      {"PKR", 26'800'000}, {"TRY", 3'450'000}, {"EUR", 89'000},
  };
  return kRates;
}

const Rate* FindRate(std::string_view currency) {
  for (const Rate& r : AllRates()) {
    if (r.currency == currency) return &r;
  }
  return nullptr;
}

const std::vector<Corridor>& Corridors() {
  static const std::vector<Corridor> kCorridors = {
      {"RS", "Serbia", "RSD", false},
      {"BA", "Bosnia and Herzegovina", "BAM", false},
      {"PL", "Poland", "PLN", true},
      {"PK", "Pakistan", "PKR", false},
      {"TR", "Turkey", "TRY", false},
  };
  return kCorridors;
}

const Corridor* FindCorridor(std::string_view country) {
  for (const Corridor& c : Corridors()) {
    if (c.country == country) return &c;
  }
  return nullptr;
}

int64_t Convert(int64_t amount_minor, int64_t rate_micro) {
  // amount × rate can overflow int64 (10^13 × 10^8), and 32-bit targets
  // have no __int128. Split amount = whole × 10^6 + part: whole × rate is the
  // exact integer part of the result, and part × rate (|part| < 10^6) fits
  // int64. Both terms share amount's sign, so rounding the second half away
  // from zero rounds the sum so.
  const int64_t whole = amount_minor / 1'000'000;
  const int64_t part = amount_minor % 1'000'000;
  const int64_t rest = part * rate_micro;
  const int64_t half = 500'000;
  return whole * rate_micro + (rest >= 0 ? (rest + half) / 1'000'000 : (rest - half) / 1'000'000);
}

double RateAsNumber(int64_t rate_micro) { return static_cast<double>(rate_micro) / 1e6; }

}  // namespace cairn::payments

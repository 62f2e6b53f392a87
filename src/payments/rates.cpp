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
  // 10^13 × 10^8 overflows int64; the product fits easily in 128 bits.
  __int128 product = static_cast<__int128>(amount_minor) * rate_micro;
  __int128 half = 500'000;
  __int128 rounded = product >= 0 ? (product + half) / 1'000'000 : (product - half) / 1'000'000;
  return static_cast<int64_t>(rounded);
}

double RateAsNumber(int64_t rate_micro) { return static_cast<double>(rate_micro) / 1e6; }

}  // namespace cairn::payments

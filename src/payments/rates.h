#pragma once

// Exchange rates from NOK (API.md §9): the sandbox's fixed table, and the
// corridors remittances may use.
//
// A rate is an integer count of millionths (11.7 is 11'700'000), so
// converting an amount is integer arithmetic: receive = amount × rate / 10^6,
// rounded half-up to the receiving currency's minor unit.

#include <cstdint>
#include <string_view>
#include <vector>

namespace cairn::payments {

inline constexpr std::string_view kBaseCurrency = "NOK";

struct Rate {
  std::string_view currency;  // ISO 4217
  int64_t micro;              // units of `currency` per NOK, × 10^6
};

// Every rate, in a fixed order.
const std::vector<Rate>& AllRates();

// The rate for `currency` (upper case), or nullptr when there is none.
const Rate* FindRate(std::string_view currency);

// A remittance corridor: a country Cairn can send to, its currency, and
// whether it is in the EEA (delivery estimates differ).
struct Corridor {
  std::string_view country;  // ISO 3166-1 alpha-2
  std::string_view name;     // "Serbia"
  std::string_view currency;
  bool eea;
};

// RS, BA, PL, PK, TR.
const std::vector<Corridor>& Corridors();
const Corridor* FindCorridor(std::string_view country);

// amount (NOK minor units) × rate, in the receiving currency's minor units,
// rounded half-up. Exact for every amount within kMaxMinor.
int64_t Convert(int64_t amount_minor, int64_t rate_micro);

// Rates are written with up to six decimals: 11.7, 0.089.
double RateAsNumber(int64_t rate_micro);

}  // namespace cairn::payments

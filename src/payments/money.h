#pragma once

// Money: exact amounts in minor units (øre, cents), and their one crossing
// of the JSON edge.
//
// Inside Cairn an amount is an int64 count of minor units; storage and
// arithmetic never see a double. At the API edge amounts are JSON numbers
// with at most two decimals: ParseAmount turns the number a client sent into
// minor units, refusing a third decimal rather than rounding it away, and
// ToJson writes minor units back as the shortest number that reads as the
// same amount (2000, 20.5, 1.29).

#include <picojson.h>

#include <cstdint>
#include <string>

namespace cairn::payments {

// Amounts are within ±kMaxMinor minor units (10^13: a hundred billion units
// of any currency), far beyond every limit the API enforces, and small
// enough that sums and products with rates stay exact in int64.
inline constexpr int64_t kMaxMinor = 10'000'000'000'000;

enum class AmountError {
  kNone,
  kNotANumber,     // a string, boolean, null, object or array
  kTooPrecise,     // more than two decimals
  kOutOfRange,     // beyond ±kMaxMinor minor units
};

// v as minor units. JSON has no NaN or infinity, so a number is finite.
// Negative amounts parse; the caller's range rule refuses them.
AmountError ParseAmount(const picojson::value& v, int64_t* minor);

// minor units as a JSON number: 200000 -> 2000, 129 -> 1.29, -50 -> -0.5.
picojson::value AmountToJson(int64_t minor);

// "2000.00", "1.29": fixed two decimals, for mail, receipts and logs.
std::string FormatAmount(int64_t minor);

// fee = amount × basis_points / 10000, rounded half-up (half away from zero
// for negative amounts) to a minor unit: 0.5 % is 50 basis points.
int64_t PercentOf(int64_t minor, int64_t basis_points);

}  // namespace cairn::payments

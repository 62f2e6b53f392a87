#include "payments/money.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace cairn::payments {

namespace {

int64_t Abs(int64_t v) { return v < 0 ? -v : v; }

}  // namespace

AmountError ParseAmount(const picojson::value& v, int64_t* minor) {
  if (v.is<int64_t>()) {
    int64_t units = v.get<int64_t>();
    // Both bounds, not Abs(units): negating INT64_MIN overflows, and the
    // wrapped value passed the check and then wrapped to 0 minor units.
    if (units > kMaxMinor / 100 || units < -kMaxMinor / 100) return AmountError::kOutOfRange;
    *minor = units * 100;
    return AmountError::kNone;
  }
  if (!v.is<double>()) return AmountError::kNotANumber;
  double x = v.get<double>();
  if (!(std::fabs(x) <= static_cast<double>(kMaxMinor / 100))) return AmountError::kOutOfRange;
  // The shortest fixed-point text that reads back as x is what the client
  // wrote, less trailing zeros ("100.10" arrives as 100.1), so counting its
  // decimals is exact where scaling the double by 100 would not be.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed);
  if (ec != std::errc()) return AmountError::kOutOfRange;
  std::string_view text(buf, static_cast<size_t>(end - buf));
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (frac.size() > 2) return AmountError::kTooPrecise;
  int64_t units = 0;
  std::from_chars(whole.data(), whole.data() + whole.size(), units);
  int64_t cents = 0;
  for (size_t i = 0; i < 2; ++i) cents = cents * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  int64_t total = units * 100 + cents;
  *minor = negative ? -total : total;
  return AmountError::kNone;
}

picojson::value AmountToJson(int64_t minor) {
  if (minor % 100 == 0) return picojson::value(minor / 100);
  // minor / 100.0 is the double nearest the decimal amount, and the JSON
  // writer prints doubles in their shortest round-trip form, so 129 is
  // written 1.29, never 1.2900000000000000355.
  return picojson::value(static_cast<double>(minor) / 100.0);
}

std::string FormatAmount(int64_t minor) {
  std::string cents = std::to_string(Abs(minor) % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return (minor < 0 ? "-" : "") + std::to_string(Abs(minor) / 100) + "." + cents;
}

int64_t PercentOf(int64_t minor, int64_t basis_points) {
  // |minor| ≤ 10^13 and basis points ≤ 10^4: the product fits in int64.
  int64_t scaled = Abs(minor) * basis_points;
  int64_t rounded = (scaled + 5000) / 10000;
  return minor < 0 ? -rounded : rounded;
}

}  // namespace cairn::payments

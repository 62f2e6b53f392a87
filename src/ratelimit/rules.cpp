#include "ratelimit/rules.h"

#include "util/numbers.h"

namespace cairn::ratelimit {

namespace {

Status Bad(std::string_view text, const std::string& why) {
  return Status::InvalidArgument(why + " in \"" + std::string(text.substr(0, 64)) +
                                 "\"; write count/window like 60/1m,1000/1h");
}

}  // namespace

Result<Rules> ParseRules(std::string_view text) {
  if (text == "unlimited") return Rules{};
  Rules out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    size_t slash = item.find('/');
    if (slash == std::string_view::npos) return Bad(text, "a rule without '/'");
    int64_t count = 0;
    if (!ParseDecimal(item.substr(0, slash), 1, 1'000'000'000, &count)) {
      return Bad(text, "a count that is not a whole number from 1");
    }
    std::string_view window = item.substr(slash + 1);
    int64_t unit = 0;
    if (!window.empty()) {
      switch (window.back()) {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        default:
          break;
      }
    }
    int64_t n = 0;
    if (unit == 0 || !ParseDecimal(window.substr(0, window.size() - 1), 1, 1'000'000, &n) ||
        n * unit > 7 * 24 * 3600) {
      return Bad(text, "a window that is not a number with s, m or h (at most a week)");
    }
    out.push_back({count, n * unit});
    if (out.size() > kMaxRules) return Bad(text, "more than 2 rules");
    start = comma + 1;
  }
  return out;
}

std::string FormatRules(const Rules& rules) {
  if (rules.empty()) return "unlimited";
  std::string out;
  for (const Rule& r : rules) {
    if (!out.empty()) out += ',';
    out += std::to_string(r.count) + '/';
    if (r.window_s % 3600 == 0) {
      out += std::to_string(r.window_s / 3600) + 'h';
    } else if (r.window_s % 60 == 0) {
      out += std::to_string(r.window_s / 60) + 'm';
    } else {
      out += std::to_string(r.window_s) + 's';
    }
  }
  return out;
}

Result<RuleTable> RuleTableFrom(const Config& config) {
  RuleTable t;
  const std::pair<const char*, std::pair<const std::string*, Rules*>> settings[] = {
      {"RATE_LIMIT_ANON", {&config.rate_limit_anon, &t.anonymous}},
      {"RATE_LIMIT_USER", {&config.rate_limit_user, &t.user}},
      {"RATE_LIMIT_MERCHANT", {&config.rate_limit_merchant, &t.merchant}},
      {"RATE_LIMIT_AUTH", {&config.rate_limit_auth, &t.auth}},
      {"RATE_LIMIT_PAYMENTS", {&config.rate_limit_payments, &t.payments}},
      {"RATE_LIMIT_RATES", {&config.rate_limit_rates, &t.rates}},
  };
  for (const auto& [name, field] : settings) {
    Result<Rules> rules = ParseRules(*field.first);
    if (!rules.ok())
      return Status::InvalidArgument(std::string(name) + ": " + rules.status().message());
    *field.second = std::move(rules.value());
  }
  return t;
}

}  // namespace cairn::ratelimit

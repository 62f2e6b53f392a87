#pragma once

// Rate-limit rules (API.md §8): "count per window", written as
// RATE_LIMIT_USER=60/1m,1000/1h. Windows are seconds, minutes or hours.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/config.h"
#include "util/status.h"

namespace cairn::ratelimit {

struct Rule {
  int64_t count = 0;
  int64_t window_s = 0;
};

// A rule list; empty means unlimited.
using Rules = std::vector<Rule>;

// At most this many rules in one list.
inline constexpr size_t kMaxRules = 2;

// Parses "100/15m" or "60/1m,1000/1h". InvalidArgument saying what is wrong.
// "unlimited" gives an empty list.
Result<Rules> ParseRules(std::string_view text);

// "60/1m,1000/1h", for logs and --help.
std::string FormatRules(const Rules& rules);

// The rule table of API.md §8, each overridable from the environment.
struct RuleTable {
  Rules anonymous{{100, 15 * 60}};           // anonymous /api/*, per IP
  Rules user{{60, 60}, {1000, 3600}};        // role user, per user
  Rules merchant{{300, 60}, {10000, 3600}};  // role merchant, per user
  Rules auth{{10, 60}};                      // register, login, refresh, forgot/reset, per IP
  Rules payments{{10, 60}};                  // money-moving POSTs, per user
  Rules rates{{120, 60}};                    // exchange rates, per IP
};

// The table from the RATE_LIMIT_* settings; InvalidArgument naming the
// setting that does not parse.
Result<RuleTable> RuleTableFrom(const Config& config);

}  // namespace cairn::ratelimit

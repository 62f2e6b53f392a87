#pragma once

// Strict decimal integers from text: settings, query parameters.

#include <cstdint>
#include <string_view>

namespace cairn {

// Digits only, at most 18 of them, within [lo, hi]: "12abc", "", "+1", "-1",
// " 1" and "1e3" fail. *out is set only on success.
bool ParseDecimal(std::string_view s, int64_t lo, int64_t hi, int64_t* out);

}  // namespace cairn

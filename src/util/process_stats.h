#pragma once

// The process's own resource use, read from /proc/self (Linux), for
// GET /metrics. Fields that cannot be read stay 0.

#include <cstdint>

namespace cairn {

struct ProcessStats {
  int64_t resident_bytes = 0;       // VmRSS
  int64_t peak_resident_bytes = 0;  // VmHWM
  int64_t virtual_bytes = 0;        // VmSize
  int64_t threads = 0;
  int64_t open_fds = 0;
  double cpu_seconds = 0;  // user + system
};

ProcessStats ReadProcessStats();

}  // namespace cairn

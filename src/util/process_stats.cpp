#include "util/process_stats.h"

#include <dirent.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstring>

namespace cairn {

namespace {

// /proc/self/status gives sizes as "VmRSS:	    1234 kB".
void ReadStatus(ProcessStats* s) {
  std::FILE* f = std::fopen("/proc/self/status", "re");
  if (f == nullptr) return;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    long long v = 0;
    if (std::sscanf(line, "VmRSS: %lld kB", &v) == 1) {
      s->resident_bytes = v * 1024;
    } else if (std::sscanf(line, "VmHWM: %lld kB", &v) == 1) {
      s->peak_resident_bytes = v * 1024;
    } else if (std::sscanf(line, "VmSize: %lld kB", &v) == 1) {
      s->virtual_bytes = v * 1024;
    } else if (std::sscanf(line, "Threads: %lld", &v) == 1) {
      s->threads = v;
    }
  }
  std::fclose(f);
}

int64_t CountOpenFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int64_t n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n - 1;  // the directory's own descriptor, open while we count
}

}  // namespace

ProcessStats ReadProcessStats() {
  ProcessStats s;
  ReadStatus(&s);
  s.open_fds = CountOpenFds();
  rusage u;
  if (::getrusage(RUSAGE_SELF, &u) == 0) {
    s.cpu_seconds = static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
                    static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  }
  return s;
}

}  // namespace cairn

#include "util/prometheus.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "util/process_stats.h"

namespace cairn::prometheus {
namespace {

TEST_CASE("a family is its HELP and TYPE lines, then its samples with escaped labels") {
  Exposition out;
  out.Family("cairn_things_total", "counter", "Things seen,\nby kind \\ colour.");
  out.Sample("cairn_things_total", {{"kind", "a \"quoted\"\nname\\"}, {"colour", "red"}},
             uint64_t{42});
  out.Sample("cairn_things_total", uint64_t{7});
  out.Family("cairn_level", "gauge", "A level.");
  out.Sample("cairn_level", {{"x", "y"}}, int64_t{-3});
  out.Sample("cairn_level", {}, 0.25);
  out.Sample("cairn_level", {{"inf", "yes"}}, std::numeric_limits<double>::infinity());
  out.Sample("cairn_level", {{"nan", "yes"}}, std::nan(""));
  CHECK(out.text() ==
        "# HELP cairn_things_total Things seen,\\nby kind \\\\ colour.\n"
        "# TYPE cairn_things_total counter\n"
        "cairn_things_total{kind=\"a \\\"quoted\\\"\\nname\\\\\",colour=\"red\"} 42\n"
        "cairn_things_total 7\n"
        "# HELP cairn_level A level.\n"
        "# TYPE cairn_level gauge\n"
        "cairn_level{x=\"y\"} -3\n"
        "cairn_level 0.25\n"
        "cairn_level{inf=\"yes\"} +Inf\n"
        "cairn_level{nan=\"yes\"} NaN\n");
}

TEST_CASE("the process's own figures are read from /proc") {
  ProcessStats p = ReadProcessStats();
  CHECK(p.resident_bytes > 0);
  CHECK(p.peak_resident_bytes >= p.resident_bytes);
  CHECK(p.virtual_bytes >= p.resident_bytes);
  CHECK(p.threads >= 1);
  CHECK(p.open_fds >= 3);  // stdin, stdout, stderr at least
  CHECK(p.cpu_seconds >= 0);
}

}  // namespace
}  // namespace cairn::prometheus

#include "util/clock.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace cairn {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint At(int64_t unix_seconds) { return TimePoint(seconds(unix_seconds)); }

TEST_CASE("fixed instants are written as ISO 8601 and as HTTP dates") {
  struct Row {
    int64_t unix_seconds;
    const char* iso;
    const char* http;
  };
  const std::vector<Row> rows = {
      {0, "1970-01-01T00:00:00Z", "Thu, 01 Jan 1970 00:00:00 GMT"},
      {86400, "1970-01-02T00:00:00Z", "Fri, 02 Jan 1970 00:00:00 GMT"},
      {951782400, "2000-02-29T00:00:00Z", "Tue, 29 Feb 2000 00:00:00 GMT"},
      {1234567890, "2009-02-13T23:31:30Z", "Fri, 13 Feb 2009 23:31:30 GMT"},
      {1709164800, "2024-02-29T00:00:00Z", "Thu, 29 Feb 2024 00:00:00 GMT"},
      {1814313600, "2027-06-30T00:00:00Z", "Wed, 30 Jun 2027 00:00:00 GMT"},
      {2147483647, "2038-01-19T03:14:07Z", "Tue, 19 Jan 2038 03:14:07 GMT"},
      {4102444799, "2099-12-31T23:59:59Z", "Thu, 31 Dec 2099 23:59:59 GMT"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.unix_seconds);
    CHECK(FormatIso8601(At(r.unix_seconds)) == r.iso);
    CHECK(FormatHttpDate(At(r.unix_seconds)) == r.http);
  }
}

TEST_CASE("fractions of a second are dropped, not rounded") {
  TimePoint t = At(1814313600) + milliseconds(999);
  CHECK(FormatIso8601(t) == "2027-06-30T00:00:00Z");
  CHECK(FormatHttpDate(t) == "Wed, 30 Jun 2027 00:00:00 GMT");
  CHECK(UnixSeconds(t) == 1814313600);
}

TEST_CASE("UnixSeconds counts whole seconds from the epoch") {
  CHECK(UnixSeconds(At(0)) == 0);
  CHECK(UnixSeconds(At(1814313600)) == 1814313600);
  CHECK(UnixSeconds(At(-86400)) == -86400);
}

TEST_CASE("calendar dates are parsed as midnight UTC") {
  struct Row {
    const char* text;
    int64_t unix_seconds;
  };
  const std::vector<Row> rows = {
      {"1970-01-01", 0},          {"1969-12-31", -86400},     {"1999-12-31", 946598400},
      {"2000-02-29", 951782400},  // divisible by 400: a leap year
      {"2024-02-29", 1709164800}, {"2027-06-30", 1814313600}, {"2038-01-19", 2147472000},
  };
  for (const Row& r : rows) {
    CAPTURE(r.text);
    TimePoint t;
    REQUIRE(ParseIsoDate(r.text, &t));
    CHECK(UnixSeconds(t) == r.unix_seconds);
    CHECK(FormatIso8601(t) == std::string(r.text) + "T00:00:00Z");
  }
}

TEST_CASE("impossible dates and other text are refused and leave the output alone") {
  const std::vector<std::string> bad = {
      "2023-02-29",  // not a leap year
      "2100-02-29",  // divisible by 100, not by 400
      "1900-02-29",
      "2024-02-30",
      "2024-04-31",
      "2024-06-31",
      "2024-13-01",
      "2024-00-10",
      "2024-01-00",
      "2024-01-32",
      "2024-1-01",
      "2024-01-1",
      "24-01-01",
      "2024-01-011",
      "2024/01/01",
      "2024-01-0a",
      "abcd-ef-gh",
      "",
      " 2024-01-01",
      "2024-01-01 ",
      "2024-01-01T00:00:00Z",
      "+024-01-01",
      "-024-01-01",
      "2024-+1-01",
      "2024--1-01",
  };
  const TimePoint sentinel = At(123);
  for (const std::string& s : bad) {
    CAPTURE(s);
    TimePoint t = sentinel;
    CHECK_FALSE(ParseIsoDate(s, &t));
    CHECK(t == sentinel);
  }
}

TEST_CASE("a fake clock stands still until it is advanced") {
  FakeClock clock(At(1814313600));
  const Clock& as_clock = clock;
  CHECK(as_clock.Now() == At(1814313600));
  CHECK(as_clock.Now() == At(1814313600));
  clock.Advance(milliseconds(1500));
  CHECK(as_clock.Now() == At(1814313600) + milliseconds(1500));
  clock.Advance(milliseconds(0));
  CHECK(as_clock.Now() == At(1814313600) + milliseconds(1500));
  clock.Advance(std::chrono::hours(24));
  CHECK(FormatIso8601(as_clock.Now()) == "2027-07-01T00:00:01Z");
}

TEST_CASE("the system clock reads the system's time") {
  auto before = std::chrono::system_clock::now();
  TimePoint now = SystemClock::Get().Now();
  auto after = std::chrono::system_clock::now();
  CHECK(before <= now);
  CHECK(now <= after);
  CHECK(&SystemClock::Get() == &SystemClock::Get());
}

}  // namespace
}  // namespace cairn

namespace cairn {
namespace {

TEST_CASE("dates outside the years a TimePoint can hold are refused") {
  for (const char* s : {"2400-02-29", "9999-12-31", "2262-04-12", "1000-01-01", "0000-01-01"}) {
    CAPTURE(s);
    TimePoint t{};
    CHECK_FALSE(ParseIsoDate(s, &t));
  }
  TimePoint t{};
  CHECK(ParseIsoDate("2261-12-31", &t));
  CHECK(FormatIso8601(t) == "2261-12-31T00:00:00Z");
  CHECK(ParseIsoDate("1678-01-01", &t));
  CHECK(FormatIso8601(t) == "1678-01-01T00:00:00Z");
}

}  // namespace
}  // namespace cairn

namespace cairn {
namespace {

TEST_CASE("microseconds are written as milliseconds with two truncated decimals") {
  struct Row {
    int64_t micros;
    const char* text;
  };
  for (const Row& r :
       {Row{0, "0.00"}, Row{9, "0.00"}, Row{10, "0.01"}, Row{420, "0.42"}, Row{999, "0.99"},
        Row{1000, "1.00"}, Row{1234567, "1234.56"}, Row{-5, "0.00"}}) {
    CAPTURE(r.micros);
    CHECK(FormatMillis(r.micros) == r.text);
  }
}

TEST_CASE("instants within one second share a timestamp and the next second does not") {
  TimePoint base(std::chrono::seconds(1800000000));
  CHECK(FormatIso8601(base) == "2027-01-15T08:00:00Z");
  CHECK(FormatIso8601(base + std::chrono::milliseconds(999)) == "2027-01-15T08:00:00Z");
  CHECK(FormatIso8601(base + std::chrono::seconds(1)) == "2027-01-15T08:00:01Z");
  CHECK(FormatIso8601(base - std::chrono::milliseconds(1)) == "2027-01-15T07:59:59Z");
  CHECK(FormatIso8601(TimePoint(-std::chrono::milliseconds(1))) == "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace cairn

namespace cairn {
namespace {

TEST_CASE("ParseIso8601 takes UTC timestamps and dates, and nothing else") {
  TimePoint t;
  REQUIRE(ParseIso8601("2026-01-15T10:30:00Z", &t));
  CHECK(FormatIso8601(t) == "2026-01-15T10:30:00Z");
  REQUIRE(ParseIso8601("2026-01-15T10:30:00.123Z", &t));
  CHECK(FormatIso8601(t) == "2026-01-15T10:30:00Z");
  REQUIRE(ParseIso8601("2026-01-15", &t));
  CHECK(FormatIso8601(t) == "2026-01-15T00:00:00Z");
  for (const char* bad :
       {"2026-01-15T10:30:00", "2026-01-15T10:30:00+01:00", "2026-01-15T24:00:00Z",
        "2026-01-15T10:60:00Z", "2026-01-15 10:30:00Z", "2026-02-30T00:00:00Z",
        "2026-01-15T10:30:00.Z", "2026-01-15T1:30:00Z", "", "Z"}) {
    INFO(bad);
    CHECK_FALSE(ParseIso8601(bad, &t));
  }
}

}  // namespace
}  // namespace cairn

#pragma once

// Wall-clock time behind an interface, so tests can pass a clock they advance,
// and the two text forms of time the API uses.

#include <chrono>
#include <cstdint>
#include <string>

namespace cairn {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// The real clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  // A process-wide instance; it has no state.
  static const SystemClock& Get();
};

// A clock that only moves when told. Not thread-safe; for tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_(start) {}
  TimePoint Now() const override { return now_; }
  void Advance(std::chrono::milliseconds d) { now_ += d; }

 private:
  TimePoint now_;
};

// "2026-01-15T10:30:00Z": ISO 8601 UTC, second precision, as every API
// timestamp is written.
std::string FormatIso8601(TimePoint t);

// "Thu, 15 Jan 2026 10:30:00 GMT": the IMF-fixdate of RFC 9110, for headers
// such as Sunset.
std::string FormatHttpDate(TimePoint t);

// Parses "YYYY-MM-DD" (a calendar date, checked) as midnight UTC. Returns
// false on anything else, including years outside 1678-2261 that TimePoint
// cannot hold.
bool ParseIsoDate(const std::string& s, TimePoint* out);

// Parses a UTC timestamp "YYYY-MM-DDTHH:MM:SSZ", optionally with fractional
// seconds (dropped), or a plain date as midnight UTC. Offsets other than Z
// are refused: the API speaks UTC only.
bool ParseIso8601(const std::string& s, TimePoint* out);

int64_t UnixSeconds(TimePoint t);

// The first second of t's day and of t's month, UTC, in Unix seconds.
int64_t StartOfDayUtc(TimePoint t);
int64_t StartOfMonthUtc(TimePoint t);

// "12.34": micros as milliseconds with two decimals (truncated), without
// printf; used on every request for X-Response-Time and the log line.
std::string FormatMillis(int64_t micros);

}  // namespace cairn

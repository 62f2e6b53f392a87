#include "util/clock.h"

#include <cstdint>
#include <cstdio>
#include <ctime>

namespace cairn {

const SystemClock& SystemClock::Get() {
  static const SystemClock clock;
  return clock;
}

namespace {

// The calendar fields with C++20's calendar on the 64-bit TimePoint, not
// with time_t and gmtime_r: where time_t has 32 bits (Debian 12's armhf)
// every instant after 2038-01-19 would be written as one in 1901-1906.
std::tm ToUtc(TimePoint t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(std::chrono::floor<std::chrono::seconds>(t) - day);
  std::tm tm{};
  tm.tm_year = static_cast<int>(ymd.year()) - 1900;
  tm.tm_mon = static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
  tm.tm_mday = static_cast<int>(static_cast<unsigned>(ymd.day()));
  tm.tm_hour = static_cast<int>(hms.hours().count());
  tm.tm_min = static_cast<int>(hms.minutes().count());
  tm.tm_sec = static_cast<int>(hms.seconds().count());
  tm.tm_wday = static_cast<int>(std::chrono::weekday(day).c_encoding());
  return tm;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
// (Howard Hinnant's days_from_civil); avoids timegm's locale and TZ reliance.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::string FormatIso8601(TimePoint t) {
  // Many requests share a second: each thread keeps its last answer.
  thread_local int64_t cached_second = INT64_MIN;
  thread_local std::string cached;
  auto floored = std::chrono::floor<std::chrono::seconds>(t);
  int64_t second = floored.time_since_epoch().count();
  if (second == cached_second) return cached;
  std::tm tm = ToUtc(floored);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  cached_second = second;
  cached = buf;
  return cached;
}

std::string FormatHttpDate(TimePoint t) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm = ToUtc(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

bool ParseIsoDate(const std::string& s, TimePoint* out) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  int y = std::stoi(s.substr(0, 4));
  int m = std::stoi(s.substr(5, 2));
  int d = std::stoi(s.substr(8, 2));
  static const int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  // TimePoint counts nanoseconds in 64 bits: years 1678-2261 only.
  if (y < 1678 || y > 2261) return false;
  if (m < 1 || m > 12 || d < 1) return false;
  int max_day = kDaysIn[m - 1] + (m == 2 && IsLeap(y) ? 1 : 0);
  if (d > max_day) return false;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  *out = TimePoint(std::chrono::seconds(days * 86400));
  return true;
}

bool ParseIso8601(const std::string& s, TimePoint* out) {
  TimePoint day;
  if (s.size() < 10 || !ParseIsoDate(s.substr(0, 10), &day)) return false;
  if (s.size() == 10) {
    *out = day;
    return true;
  }
  // "THH:MM:SS" then optional ".digits" then "Z".
  if (s.size() < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s.back() != 'Z') {
    return false;
  }
  for (size_t i : {11, 12, 14, 15, 17, 18}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  size_t end = s.size() - 1;
  if (end > 19) {
    if (s[19] != '.' || end == 20) return false;
    for (size_t i = 20; i < end; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
    }
  }
  int h = std::stoi(s.substr(11, 2));
  int m = std::stoi(s.substr(14, 2));
  int sec = std::stoi(s.substr(17, 2));
  if (h > 23 || m > 59 || sec > 59) return false;
  *out = day + std::chrono::seconds(h * 3600 + m * 60 + sec);
  return true;
}

std::string FormatMillis(int64_t micros) {
  if (micros < 0) micros = 0;
  int64_t hundredths = micros / 10;
  std::string out = std::to_string(hundredths / 100);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + (hundredths / 10) % 10));
  out.push_back(static_cast<char>('0' + hundredths % 10));
  return out;
}

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

int64_t StartOfDayUtc(TimePoint t) {
  auto day = std::chrono::floor<std::chrono::days>(t);
  return std::chrono::duration_cast<std::chrono::seconds>(day.time_since_epoch()).count();
}

int64_t StartOfMonthUtc(TimePoint t) {
  std::chrono::year_month_day ymd(std::chrono::floor<std::chrono::days>(t));
  std::chrono::sys_days first = ymd.year() / ymd.month() / std::chrono::day(1);
  return std::chrono::duration_cast<std::chrono::seconds>(first.time_since_epoch()).count();
}

}  // namespace cairn

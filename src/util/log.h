#pragma once

// Structured logging: one JSON object per line on stdout, written with a
// single write(2) so lines from many threads never interleave.
//
//   log::Line(log::Level::kInfo, "server_started").Int("port", 8080).Emit();
//
// Callers never pass bodies, tokens, passwords or keys; the request log in
// src/http decides what a request line holds.

#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::log {

enum class Level { kDebug = 0, kInfo, kWarn, kError };

// Parses "debug", "info", "warn", "error". False on anything else.
bool ParseLevel(std::string_view s, Level* out);

// Lines below the threshold are dropped. Default kInfo. Set once at start.
void SetThreshold(Level level);
bool Enabled(Level level);

// Lines go to this file descriptor (default 1, stdout). For tests.
void SetOutputFd(int fd);

class Line {
 public:
  Line(Level level, std::string_view event);
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  Line& Str(std::string_view key, std::string_view value);
  Line& Int(std::string_view key, int64_t value);
  Line& Num(std::string_view key, double value, int decimals);
  Line& Bool(std::string_view key, bool value);
  // Writes the line, if its level is enabled. Call once.
  void Emit();

 private:
  void Key(std::string_view key);

  bool enabled_;
  std::string buf_;
};

inline Line Info(std::string_view event) { return Line(Level::kInfo, event); }
inline Line Warn(std::string_view event) { return Line(Level::kWarn, event); }
inline Line Error(std::string_view event) { return Line(Level::kError, event); }

}  // namespace cairn::log

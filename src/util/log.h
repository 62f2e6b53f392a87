#pragma once

// Structured logging: one line per record on stdout, written with a single
// write(2) so lines from many threads never interleave. Two formats, set once
// at start (LOG_FORMAT):
//
//   json  {"time":"…","level":"info","event":"server_started","port":8080}
//   text  2026-11-27T03:41:43.123Z INFO  server_started port=8080
//
// JSON is for machines (journald, Loki, jq); text is for a person at a
// terminal: logfmt-style key=value, a value quoted with JSON escapes when it
// holds a space, a quote, '=', a control or a non-ASCII byte, so a hostile
// value can neither forge a field nor send escape sequences to the terminal.
//
//   log::Line(log::Level::kInfo, "server_started").Int("port", 8080).Emit();
//
// Callers never pass bodies, tokens, passwords or keys; the request log in
// src/http decides what a request line holds.

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <string_view>

namespace cairn::log {

enum class Level { kDebug = 0, kInfo, kWarn, kError };

// Parses "debug", "info", "warn", "error". False on anything else.
bool ParseLevel(std::string_view s, Level* out);

enum class Format { kJson, kText };

// Parses "json", "text". False on anything else.
bool ParseFormat(std::string_view s, Format* out);

// Default kJson. Set once at start.
void SetFormat(Format format);

// Lines below the threshold are dropped. Default kInfo. Set once at start.
void SetThreshold(Level level);
bool Enabled(Level level);

// Lines go to this file descriptor (default 1, stdout). For tests.
void SetOutputFd(int fd);

// By default every line is written at once. While a Buffering object lives,
// info and debug lines are collected and written together at least every
// `interval` (or when 64 KiB have gathered): one write(2) for hundreds of
// request lines instead of one each. Warnings and errors still go out at
// once, after what is buffered, so order is kept. The destructor writes
// what is left. A crash loses at most `interval` of info lines. One at a time.
class Buffering {
 public:
  explicit Buffering(std::chrono::milliseconds interval);
  ~Buffering();
  Buffering(const Buffering&) = delete;
  Buffering& operator=(const Buffering&) = delete;

 private:
  std::thread flusher_;
};

// Writes whatever is buffered now. Thread-safe.
void Flush();

class Line {
 public:
  Line(Level level, std::string_view event);
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  Line& Str(std::string_view key, std::string_view value);
  Line& Int(std::string_view key, int64_t value);
  Line& Num(std::string_view key, double value, int decimals);
  // Microseconds written as a number of milliseconds with two decimals.
  Line& Millis(std::string_view key, int64_t micros);
  Line& Bool(std::string_view key, bool value);
  // Writes the line, if its level is enabled. Call once.
  void Emit();

 private:
  void Key(std::string_view key);

  bool enabled_;
  bool text_;
  Level level_;
  std::string buf_;
};

inline Line Info(std::string_view event) { return Line(Level::kInfo, event); }
inline Line Warn(std::string_view event) { return Line(Level::kWarn, event); }
inline Line Error(std::string_view event) { return Line(Level::kError, event); }

}  // namespace cairn::log

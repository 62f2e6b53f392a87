#include "util/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <chrono>
#include <cstdio>

#include "util/clock.h"
#include "util/json.h"

namespace cairn::log {

namespace {

std::atomic<int> g_threshold{static_cast<int>(Level::kInfo)};
std::atomic<int> g_fd{1};
std::atomic<bool> g_text{false};

constexpr size_t kBufferLimit = 64 * 1024;

// The shared buffer of pending lines, and the flusher's stop signal.
struct Pending {
  std::mutex mu;
  std::condition_variable wake;
  bool buffering = false;  // guarded by mu
  bool stop = false;       // guarded by mu
  std::string lines;       // guarded by mu
};
Pending& pending() {
  static Pending* p = new Pending();  // never destroyed: used until exit
  return *p;
}

void WriteAll(const char* p, size_t left) {
  int fd = g_fd.load(std::memory_order_relaxed);
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a closed stdout must not take the server down
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// Writes the pending lines. Called with mu held, so lines from the flusher
// and from a direct warning never interleave or reorder.
void FlushLocked(Pending& p) {
  if (p.lines.empty()) return;
  WriteAll(p.lines.data(), p.lines.size());
  p.lines.clear();
}

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

// A text-format value goes out bare only when it cannot be misread: printable
// ASCII without space, quote, backslash or '='.
bool Bare(std::string_view v) {
  if (v.empty()) return false;
  for (char ch : v) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '=') return false;
  }
  return true;
}

}  // namespace

bool ParseFormat(std::string_view s, Format* out) {
  if (s == "json") {
    *out = Format::kJson;
  } else if (s == "text") {
    *out = Format::kText;
  } else {
    return false;
  }
  return true;
}

void SetFormat(Format format) { g_text.store(format == Format::kText); }

bool ParseLevel(std::string_view s, Level* out) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (s == LevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

void SetThreshold(Level level) { g_threshold.store(static_cast<int>(level)); }
bool Enabled(Level level) {
  return static_cast<int>(level) >= g_threshold.load(std::memory_order_relaxed);
}
void SetOutputFd(int fd) { g_fd.store(fd); }

Line::Line(Level level, std::string_view event)
    : enabled_(Enabled(level)), text_(g_text.load(std::memory_order_relaxed)), level_(level) {
  if (!enabled_) return;
  buf_.reserve(256);
  // Milliseconds matter when reading request lines side by side.
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::string ts = FormatIso8601(now);
  ts.pop_back();  // the 'Z', put back after the milliseconds
  ts.push_back('.');
  ts.push_back(static_cast<char>('0' + ms / 100));
  ts.push_back(static_cast<char>('0' + ms / 10 % 10));
  ts.push_back(static_cast<char>('0' + ms % 10));
  ts.push_back('Z');
  if (text_) {
    static const char* const kTextLevels[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
    buf_ += ts;
    buf_.push_back(' ');
    buf_ += kTextLevels[static_cast<int>(level)];
    buf_.push_back(' ');
    buf_ += event;  // an identifier chosen by the code, never by a client
    return;
  }
  buf_ += "{\"time\":\"";
  buf_ += ts;
  buf_ += "\",\"level\":\"";
  buf_ += LevelName(level);
  buf_ += "\",\"event\":";
  json::AppendString(buf_, event);
}

void Line::Key(std::string_view key) {
  if (text_) {
    buf_.push_back(' ');
    buf_ += key;  // keys too are chosen by the code
    buf_.push_back('=');
    return;
  }
  buf_.push_back(',');
  json::AppendString(buf_, key);
  buf_.push_back(':');
}

Line& Line::Str(std::string_view key, std::string_view value) {
  if (!enabled_) return *this;
  Key(key);
  if (text_ && Bare(value)) {
    buf_ += value;
  } else {
    json::AppendString(buf_, value);
  }
  return *this;
}

Line& Line::Int(std::string_view key, int64_t value) {
  if (!enabled_) return *this;
  Key(key);
  buf_ += std::to_string(value);
  return *this;
}

Line& Line::Num(std::string_view key, double value, int decimals) {
  if (!enabled_) return *this;
  Key(key);
  char num[48];
  std::snprintf(num, sizeof num, "%.*f", decimals, value);
  buf_ += num;
  return *this;
}

Line& Line::Millis(std::string_view key, int64_t micros) {
  if (!enabled_) return *this;
  Key(key);
  buf_ += FormatMillis(micros);
  return *this;
}

Line& Line::Bool(std::string_view key, bool value) {
  if (!enabled_) return *this;
  Key(key);
  buf_ += value ? "true" : "false";
  return *this;
}

void Line::Emit() {
  if (!enabled_) return;
  enabled_ = false;
  buf_ += text_ ? "\n" : "}\n";
  Pending& p = pending();
  std::lock_guard<std::mutex> lock(p.mu);
  if (p.buffering && level_ < Level::kWarn) {
    p.lines += buf_;
    if (p.lines.size() >= kBufferLimit) FlushLocked(p);
    return;
  }
  FlushLocked(p);
  WriteAll(buf_.data(), buf_.size());
}

void Flush() {
  Pending& p = pending();
  std::lock_guard<std::mutex> lock(p.mu);
  FlushLocked(p);
}

Buffering::Buffering(std::chrono::milliseconds interval) {
  Pending& p = pending();
  {
    std::lock_guard<std::mutex> lock(p.mu);
    p.buffering = true;
    p.stop = false;
  }
  flusher_ = std::thread([interval, &p] {
    std::unique_lock<std::mutex> lock(p.mu);
    while (!p.stop) {
      p.wake.wait_for(lock, interval, [&p] { return p.stop; });
      FlushLocked(p);
    }
  });
}

Buffering::~Buffering() {
  Pending& p = pending();
  {
    std::lock_guard<std::mutex> lock(p.mu);
    p.stop = true;
    p.buffering = false;
  }
  p.wake.notify_one();
  flusher_.join();
  Flush();
}

}  // namespace cairn::log

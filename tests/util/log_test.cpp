#include "util/log.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "../log_capture.h"

namespace cairn::log {
namespace {

using testing::LogCapture;
using testing::StrOf;

// Sets the threshold for one test and puts the default back afterwards.
struct ThresholdGuard {
  explicit ThresholdGuard(Level l) { SetThreshold(l); }
  ~ThresholdGuard() { SetThreshold(Level::kInfo); }
};

TEST_CASE("log levels are parsed by their lowercase names only") {
  struct Row {
    const char* text;
    Level level;
  };
  for (const Row& r : {Row{"debug", Level::kDebug}, Row{"info", Level::kInfo},
                       Row{"warn", Level::kWarn}, Row{"error", Level::kError}}) {
    CAPTURE(r.text);
    Level got = Level::kError;
    if (r.level == Level::kError) got = Level::kDebug;
    REQUIRE(ParseLevel(r.text, &got));
    CHECK(got == r.level);
  }
  for (const char* bad : {"", "INFO", "Info", "warning", "fatal", "info ", "trace"}) {
    CAPTURE(bad);
    Level got = Level::kWarn;
    CHECK_FALSE(ParseLevel(bad, &got));
    CHECK(got == Level::kWarn);
  }
}

TEST_CASE("a log line is one JSON object with time, level, event and the fields in order") {
  LogCapture logs;
  Line(Level::kWarn, "disk_low")
      .Str("path", "/var/lib/\"cairn\"\n")
      .Int("free", -42)
      .Num("ratio", 0.12345, 2)
      .Bool("ok", false)
      .Emit();
  std::string text = logs.Text();
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
  CHECK(text.find(R"("level":"warn","event":"disk_low","path":"/var/lib/\"cairn\"\n","free":-42,)"
                  R"("ratio":0.12,"ok":false})") != std::string::npos);
  std::vector<picojson::object> lines = logs.Lines();
  REQUIRE(lines.size() == 1);
  CHECK(std::regex_match(StrOf(lines[0], "time"),
                         std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)")));
  CHECK(StrOf(lines[0], "path") == "/var/lib/\"cairn\"\n");
}

// Sets the format for one test and puts JSON back afterwards.
struct FormatGuard {
  explicit FormatGuard(Format f) { SetFormat(f); }
  ~FormatGuard() { SetFormat(Format::kJson); }
};

TEST_CASE("log formats are parsed by their lowercase names only") {
  Format got = Format::kJson;
  REQUIRE(ParseFormat("text", &got));
  CHECK(got == Format::kText);
  REQUIRE(ParseFormat("json", &got));
  CHECK(got == Format::kJson);
  for (const char* bad : {"", "TEXT", "logfmt", "json "}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseFormat(bad, &got));
  }
}

TEST_CASE("a text line is time, level and event, then key=value, quoting what could mislead") {
  LogCapture logs;
  FormatGuard text(Format::kText);
  Line(Level::kWarn, "disk_low")
      .Str("path", "/var/lib/cairn")
      .Str("who", "ada lovelace")
      .Str("forged", "x status=200")
      .Str("esc", "\x1b[31mred\n")
      .Str("utf8", "Žarko")
      .Str("empty", "")
      .Int("free", -42)
      .Num("ratio", 0.12345, 2)
      .Millis("ms", 1234)
      .Bool("ok", false)
      .Emit();
  std::string line = logs.Text();
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
  CHECK(std::regex_match(
      line, std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN  disk_low .*\n$)")));
  CHECK(line.find(R"( path=/var/lib/cairn who="ada lovelace" forged="x status=200" )"
                  R"(esc="\u001b[31mred\n" utf8="Žarko" empty="" free=-42 ratio=0.12 ms=1.23 )"
                  R"(ok=false)") != std::string::npos);
  CHECK(line.find('\x1b') == std::string::npos);

  // Levels line up in a terminal.
  Info("a").Emit();
  Error("b").Emit();
  CHECK(logs.Text().find(" INFO  a\n") != std::string::npos);
  CHECK(logs.Text().find(" ERROR b\n") != std::string::npos);
}

TEST_CASE("lines below the threshold are dropped") {
  LogCapture logs;
  ThresholdGuard guard(Level::kWarn);
  CHECK_FALSE(Enabled(Level::kInfo));
  CHECK(Enabled(Level::kWarn));
  CHECK(Enabled(Level::kError));
  Info("dropped").Str("k", "v").Emit();
  Line(Level::kDebug, "dropped").Emit();
  Warn("kept_warn").Emit();
  Error("kept_error").Emit();
  std::vector<picojson::object> lines = logs.Lines();
  REQUIRE(lines.size() == 2);
  CHECK(StrOf(lines[0], "event") == "kept_warn");
  CHECK(StrOf(lines[1], "event") == "kept_error");
}

TEST_CASE("a line is written once however often Emit is called") {
  LogCapture logs;
  Line line(Level::kInfo, "once");
  line.Emit();
  line.Emit();
  CHECK(logs.Lines().size() == 1);
}

TEST_CASE("lines from many threads never interleave") {
  LogCapture logs;
  const std::string payload(600, 'p');
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &payload] {
      for (int i = 0; i < 300; ++i)
        Info("busy").Int("thread", t).Int("i", i).Str("p", payload).Emit();
    });
  }
  for (std::thread& th : threads) th.join();
  std::vector<picojson::object> lines = logs.Lines();  // each line parses alone
  CHECK(lines.size() == 8 * 300);
}

}  // namespace
}  // namespace cairn::log

namespace cairn::log {
namespace {

TEST_CASE("while buffering, info lines wait for a flush and a warning keeps the order") {
  testing::LogCapture logs;
  {
    // An interval far longer than the test: only explicit events flush.
    Buffering buffering(std::chrono::hours(1));
    Info("first").Emit();
    Info("second").Emit();
    CHECK(logs.Text().empty());
    Warn("third").Emit();  // writes what is pending, then itself
    std::vector<picojson::object> lines = logs.Lines();
    REQUIRE(lines.size() == 3);
    CHECK(testing::StrOf(lines[0], "event") == "first");
    CHECK(testing::StrOf(lines[1], "event") == "second");
    CHECK(testing::StrOf(lines[2], "event") == "third");
    Info("fourth").Emit();
    CHECK(logs.Lines().size() == 3);
    Flush();
    CHECK(logs.Lines().size() == 4);
    Info("fifth").Emit();
  }
  // Ending the buffering writes what is left, and later lines go straight out.
  CHECK(logs.Lines().size() == 5);
  Info("sixth").Emit();
  CHECK(logs.Lines().size() == 6);
}

TEST_CASE("buffered lines are written by the flusher within its interval") {
  testing::LogCapture logs;
  Buffering buffering(std::chrono::milliseconds(20));
  Info("soon").Emit();
  bool seen = false;
  for (int i = 0; i < 200 && !seen; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    seen = logs.Text().find("\"soon\"") != std::string::npos;
  }
  CHECK(seen);
}

TEST_CASE("a full buffer is written without waiting for the interval") {
  testing::LogCapture logs;
  Buffering buffering(std::chrono::hours(1));
  std::string filler(1000, 'x');
  for (int i = 0; i < 100; ++i) Info("bulk").Str("f", filler).Emit();  // ~100 KB
  CHECK(!logs.Text().empty());
}

}  // namespace
}  // namespace cairn::log

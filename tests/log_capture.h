#pragma once

// Sends cairn's log lines to a temporary file for the life of the object, so
// tests can read what was logged (and the test output stays clean). Lines are
// restored to stdout on destruction. One at a time; not for nesting.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <picojson.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "util/log.h"

namespace cairn::testing {

class LogCapture {
 public:
  LogCapture() : path_(dir_.File("log.jsonl")) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    REQUIRE(fd_ >= 0);
    log::SetOutputFd(fd_);
  }
  ~LogCapture() {
    log::SetOutputFd(1);
    ::close(fd_);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string Text() const { return ReadFile(path_); }

  // Every line parsed as a JSON object; a line that is not one fails the test.
  std::vector<picojson::object> Lines() const {
    std::vector<picojson::object> out;
    std::istringstream in(Text());
    std::string line;
    while (std::getline(in, line)) {
      picojson::value v;
      std::string err = picojson::parse(v, line);
      INFO("log line: " << line);
      REQUIRE(err.empty());
      REQUIRE(v.is<picojson::object>());
      out.push_back(v.get<picojson::object>());
    }
    return out;
  }

  // The lines whose "event" is event.
  std::vector<picojson::object> Events(const std::string& event) const {
    std::vector<picojson::object> out;
    for (picojson::object& o : Lines()) {
      auto it = o.find("event");
      if (it != o.end() && it->second.is<std::string>() && it->second.get<std::string>() == event) {
        out.push_back(std::move(o));
      }
    }
    return out;
  }

 private:
  TempDir dir_;
  std::string path_;
  int fd_ = -1;
};

// o[key] as a string, or "" when absent or not a string.
inline std::string StrOf(const picojson::object& o, const std::string& key) {
  auto it = o.find(key);
  if (it == o.end() || !it->second.is<std::string>()) return {};
  return it->second.get<std::string>();
}

}  // namespace cairn::testing

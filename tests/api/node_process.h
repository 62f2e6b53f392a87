#pragma once

// A Node.js script an API test runs in the background for as long as it
// needs it (an example webhook receiver), stopped with SIGTERM when the
// object goes (node from PATH; `make test` installs it). Scripts run to
// completion go through RunNode (harness.h).

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "harness.h"

namespace cairn::test {

class NodeProcess {
 public:
  NodeProcess(const std::string& script, const std::vector<std::string>& args,
              const std::map<std::string, std::string>& env = {});
  ~NodeProcess();
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  // Waits until its stdout or stderr holds needle (or timeout, or it
  // exits); returns whether it does.
  bool WaitForOutput(const std::string& needle,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  TempDir io_;
  pid_t pid_ = -1;
};

}  // namespace cairn::test

#pragma once

// Node.js scripts the API tests run (node from PATH; `make test` installs it
// and tests/interop's packages through scripts/deps.sh test): to completion,
// or in the background for as long as a test needs them (an example webhook
// receiver), stopped with SIGTERM when the object goes.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "harness.h"

namespace cairn::test {

// Runs `node script args...` to completion, without a shell, with env added
// to the environment.
CliResult RunNode(const std::string& script, const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env = {});

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

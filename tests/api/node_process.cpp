#include "node_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <doctest/doctest.h>

#include <cstring>
#include <thread>

extern char** environ;

namespace cairn::test {

namespace {

class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  void Open(int fd, const std::string& path, int flags) {
    posix_spawn_file_actions_addopen(&actions_, fd, path.c_str(), flags, 0600);
  }
  const posix_spawn_file_actions_t* get() const { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// Starts node with stdout and stderr into dir's "out" and "err".
pid_t Spawn(const TempDir& dir, const std::string& script, const std::vector<std::string>& args,
            const std::map<std::string, std::string>& env) {
  SpawnActions actions;
  actions.Open(0, "/dev/null", O_RDONLY);
  actions.Open(1, dir.File("out"), O_WRONLY | O_CREAT | O_TRUNC);
  actions.Open(2, dir.File("err"), O_WRONLY | O_CREAT | O_TRUNC);
  std::vector<std::string> words = {"node", script};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  std::vector<std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string var = *e;
    if (env.count(var.substr(0, var.find('='))) == 0) vars.push_back(var);
  }
  for (const auto& [k, v] : env) vars.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawnp(&pid, "node", actions.get(), nullptr, argv.data(), envp.data());
  REQUIRE_MESSAGE(rc == 0, "cannot run node from PATH (" << std::string(std::strerror(rc))
                                                         << "); `make test` installs it");
  return pid;
}

}  // namespace

NodeProcess::NodeProcess(const std::string& script, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env)
    : pid_(Spawn(io_, script, args, env)) {}

NodeProcess::~NodeProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

bool NodeProcess::WaitForOutput(const std::string& needle, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (Stdout().find(needle) != std::string::npos || Stderr().find(needle) != std::string::npos) {
      return true;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Stdout().find(needle) != std::string::npos ||
             Stderr().find(needle) != std::string::npos;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string NodeProcess::Stdout() const { return ReadFile(io_.File("out")); }
std::string NodeProcess::Stderr() const { return ReadFile(io_.File("err")); }

}  // namespace cairn::test

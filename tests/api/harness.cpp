#include "harness.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "util/config.h"

extern char** environ;

namespace cairn::test {

namespace {

// Every setting is cleared from a child's environment before the test's own
// are applied: a CI shell carrying one (COOKIE_SECURE=1, say) must not change
// what a test sees.

pid_t Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::string& out_path, const std::string& err_path) {
  // Taken before fork: the child of a threaded process should not allocate.
  const std::vector<SettingInfo>& settings = Settings();
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    for (const SettingInfo& setting : settings) unsetenv(setting.name);
    // Tests sign in far more often than 10 times a minute from one address;
    // the rate-limit tests turn limiting back on with their own rules.
    setenv("RATE_LIMIT_ENABLED", "0", 1);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(err, 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    std::vector<char*> argv;
    std::string bin = BinaryPath();
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

// Owns a posix_spawn file-actions object.
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

int WaitExit(pid_t pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

TempDir::TempDir() {
  char tmpl[] = "/tmp/cairn-test-XXXXXX";
  char* p = mkdtemp(tmpl);
  REQUIRE(p != nullptr);
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string BinaryPath() {
  const char* bin = std::getenv("CAIRN_BIN");
  return bin != nullptr ? bin : "build/cairn";
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool FileExists(const std::string& path) { return std::filesystem::exists(path); }

CliResult RunCli(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
  TempDir io;
  pid_t pid = Spawn(args, env, io.File("out"), io.File("err"));
  CliResult r;
  r.exit_code = WaitExit(pid, 30000);
  if (r.exit_code == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  r.out = ReadFile(io.File("out"));
  r.err = ReadFile(io.File("err"));
  return r;
}

namespace {

// Starts `program args...` (found in PATH; no shell, stdin /dev/null) with
// env added to this process's environment, stdout and stderr into the files
// given.
pid_t SpawnProgram(const std::string& program, const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env, const std::string& out,
                   const std::string& err) {
  SpawnActions actions;
  actions.Open(0, "/dev/null", O_RDONLY);
  actions.Open(1, out, O_WRONLY | O_CREAT | O_TRUNC);
  actions.Open(2, err, O_WRONLY | O_CREAT | O_TRUNC);
  std::vector<std::string> words = {program};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  std::vector<std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string var = *e;
    if (env.count(var.substr(0, var.find('='))) == 0) vars.push_back(std::move(var));
  }
  for (const auto& [k, v] : env) vars.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, program.c_str(), actions.get(), nullptr, argv.data(), envp.data());
  REQUIRE_MESSAGE(rc == 0, "cannot run " << program << " from PATH ("
                                         << std::string(std::strerror(rc))
                                         << "); `make test` installs it");
  return pid;
}

}  // namespace

CliResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env) {
  TempDir io;
  pid_t pid = SpawnProgram(program, args, env, io.File("out"), io.File("err"));
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(io.File("out"));
  r.err = ReadFile(io.File("err"));
  return r;
}

CliResult RunNode(const std::vector<std::string>& args) {
  CliResult r = RunProgram("node", args);
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r;
}

NodeProcess::NodeProcess(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env)
    : pid_(SpawnProgram("node", args, env, io_.File("out"), io_.File("err"))) {}

NodeProcess::~NodeProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  if (WaitExit(pid_, 2000) == -1) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool NodeProcess::WaitForOutput(const std::string& needle, std::chrono::milliseconds timeout) {
  auto has = [&] {
    return Stdout().find(needle) != std::string::npos ||
           Stderr().find(needle) != std::string::npos;
  };
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (has()) return true;
    if (pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;  // exited: what it wrote is all there will be
      return has();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string NodeProcess::Stdout() const { return ReadFile(io_.File("out")); }
std::string NodeProcess::Stderr() const { return ReadFile(io_.File("err")); }

ServerProcess::ServerProcess() : ServerProcess(Options{}) {}

ServerProcess::ServerProcess(Options opts) {
  port_ = FreePort();
  db_path_ = opts.db_path.empty() ? dir_.File("cairn.db") : opts.db_path;
  std::vector<std::string> args = {"serve", "--host", "127.0.0.1", "--port", std::to_string(port_),
                                   "--db",  db_path_};
  for (const std::string& a : opts.extra_args) args.push_back(a);
  pid_ = Spawn(args, opts.env, dir_.File("stdout"), dir_.File("stderr"));
  if (!opts.wait_ready) return;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  httplib::Client cli("127.0.0.1", port_);
  cli.set_connection_timeout(0, 200000);
  for (;;) {
    auto res = cli.Get("/health");
    if (res && res->status == 200) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL("cairn exited during startup: " << Stderr());
    }
    if (std::chrono::steady_clock::now() > deadline) FAIL("cairn did not become ready");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

httplib::Client ServerProcess::Client() const {
  httplib::Client cli("127.0.0.1", port_);
  cli.set_read_timeout(10, 0);
  return cli;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int code = WaitExit(pid_, 15000);
  if (code == -1) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return code;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string ServerProcess::Stdout() const { return ReadFile(dir_.File("stdout")); }
std::string ServerProcess::Stderr() const { return ReadFile(dir_.File("stderr")); }

RawConnection::RawConnection(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd_ >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
}

RawConnection::~RawConnection() { close(fd_); }

bool RawConnection::Send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;  // the server may refuse before reading everything
    sent += static_cast<size_t>(n);
  }
  return true;
}

ssize_t RawConnection::ReadSome(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return -1;
  char buf[8192];
  ssize_t n = recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) return 0;
  pending_.append(buf, static_cast<size_t>(n));
  return n;
}

std::string RawConnection::ReadUntilClosed(int timeout_ms) {
  while (ReadSome(timeout_ms) > 0) {
  }
  return std::exchange(pending_, std::string());
}

std::string RawConnection::ReadUntil(const std::string& needle, int timeout_ms) {
  while (pending_.find(needle) == std::string::npos && ReadSome(timeout_ms) > 0) {
  }
  size_t at = pending_.find(needle);
  size_t take = at == std::string::npos ? pending_.size() : at + needle.size();
  std::string out = pending_.substr(0, take);
  pending_.erase(0, take);
  return out;
}

std::string RawConnection::ReadResponse(int timeout_ms) {
  std::string head = ReadUntil("\r\n\r\n", timeout_ms);
  size_t length = 0;
  std::string lower = head;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t at = lower.find("\r\ncontent-length:");
  if (at != std::string::npos) length = std::strtoul(head.c_str() + at + 17, nullptr, 10);
  while (pending_.size() < length && ReadSome(timeout_ms) > 0) {
  }
  std::string body = pending_.substr(0, std::min(length, pending_.size()));
  pending_.erase(0, body.size());
  return head + body;
}

bool RawConnection::ClosedWithin(int timeout_ms, std::string* got) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool closed = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    ssize_t n = ReadSome(static_cast<int>(left.count()));
    if (n == 0) closed = true;
    if (n <= 0) break;
  }
  if (got != nullptr) *got = std::exchange(pending_, std::string());
  return closed;
}

std::string RawExchange(int port, const std::string& bytes, int timeout_ms) {
  RawConnection conn(port);
  conn.Send(bytes);
  return conn.ReadUntilClosed(timeout_ms);
}

int RawStatus(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return -1;
  return std::atoi(response.substr(9, 3).c_str());
}

std::string RawBody(const std::string& response) {
  size_t p = response.find("\r\n\r\n");
  return p == std::string::npos ? std::string() : response.substr(p + 4);
}

picojson::object JsonBody(const std::string& body) {
  picojson::value v;
  std::string err = picojson::parse(v, body);
  INFO("body: " << body);
  REQUIRE(err.empty());
  REQUIRE(v.is<picojson::object>());
  return v.get<picojson::object>();
}

picojson::value Get(const picojson::object& o, const std::string& dotted) {
  picojson::value cur{o};
  std::stringstream ss(dotted);
  std::string part;
  while (std::getline(ss, part, '.')) {
    if (!cur.is<picojson::object>()) return picojson::value();
    const auto& obj = cur.get<picojson::object>();
    auto it = obj.find(part);
    if (it == obj.end()) return picojson::value();
    picojson::value next = it->second;
    cur = next;
  }
  return cur;
}

std::string GetStr(const picojson::object& o, const std::string& dotted) {
  picojson::value v = Get(o, dotted);
  return v.is<std::string>() ? v.get<std::string>() : std::string();
}

picojson::object DataOf(const httplib::Result& res, int status) {
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == status);
  picojson::value data = Get(JsonBody(res->body), "data");
  REQUIRE(data.is<picojson::object>());
  return data.get<picojson::object>();
}

std::string ErrorCode(const httplib::Result& res) {
  REQUIRE(res);
  return GetStr(JsonBody(res->body), "error.code");
}

int64_t Minor(const picojson::object& o, const std::string& dotted) {
  picojson::value v = Get(o, dotted);
  INFO(dotted << " = " << v.serialize());
  REQUIRE(v.is<double>());
  if (v.is<int64_t>()) return v.get<int64_t>() * 100;
  return std::llround(v.get<double>() * 100);
}

bool IsIsoTime(const std::string& s) {
  return s.size() == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
         s[16] == ':' && s[19] == 'Z';
}

bool IsHexId(const std::string& s, const std::string& prefix) {
  if (s.size() != prefix.size() + 16 || s.compare(0, prefix.size(), prefix) != 0) return false;
  for (size_t i = prefix.size(); i < s.size(); ++i) {
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
  }
  return true;
}

}  // namespace cairn::test

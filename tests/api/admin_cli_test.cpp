// `cairn user create`, the command line's way to make the first admin: bad
// input refused with one line on stderr and no row written, and the password
// read from standard input with --password -.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "accounts.h"
#include "harness.h"

using namespace cairn::test;

namespace {

// The binary with `input` on its standard input (RunCli gives /dev/null).
int RunCliWithStdin(const std::vector<std::string>& args, const std::string& input) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    for (const char* k : {"DATABASE_PATH", "CAIRN_CONFIG", "JWT_SECRET", "LOG_LEVEL"}) unsetenv(k);
    dup2(fds[0], 0);
    close(fds[0]);
    close(fds[1]);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::string bin = BinaryPath();
    std::vector<std::string> copy = args;
    std::vector<char*> argv{bin.data()};
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(fds[0]);
  REQUIRE(write(fds[1], input.data(), input.size()) == static_cast<ssize_t>(input.size()));
  close(fds[1]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("cairn user create refuses bad input with one line on stderr and creates no row") {
  ServerProcess server;
  auto cli = server.Client();
  const std::string db = server.db_path();
  struct Bad {
    std::vector<std::string> args;
    const char* mentions;
  };
  const Bad cases[] = {
      {{"--email", "not-an-email", "--password", kPassword, "--role", "admin"}, "email"},
      {{"--email", "root@example.com", "--password", "password", "--role", "admin"}, "assword"},
      {{"--email", "root@example.com", "--password", "short1", "--role", "admin"}, "assword"},
      {{"--email", "root@example.com", "--password", kPassword, "--role", "superuser"}, "role"},
      // RunCli's stdin is /dev/null: "-" finds nothing to read.
      {{"--email", "root@example.com", "--password", "-", "--role", "admin"}, "stdin"},
  };
  for (const Bad& b : cases) {
    std::vector<std::string> args = {"user", "create", "--db", db};
    args.insert(args.end(), b.args.begin(), b.args.end());
    CAPTURE(std::string(b.mentions));
    CliResult r = RunCli(args);
    CHECK(r.exit_code == 1);
    CAPTURE(r.err);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.back() == '\n');
    CHECK(r.err.find(b.mentions) != std::string::npos);
    CHECK(UserCount(server) == 0);
  }

  CliResult ok = RunCli({"user", "create", "--db", db, "--email", "root@example.com", "--password",
                         kPassword, "--role", "admin"});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("admin usr_") != std::string::npos);
  CHECK(UserCount(server) == 1);
  const std::string before = UserRow(server, QueryText(server, "SELECT id FROM users"));
  for (const char* email : {"root@example.com", "ROOT@Example.com"}) {
    CAPTURE(std::string(email));
    CliResult dup = RunCli({"user", "create", "--db", db, "--email", email, "--password",
                            "Other9999", "--role", "user"});
    CHECK(dup.exit_code == 1);
    CHECK(std::count(dup.err.begin(), dup.err.end(), '\n') == 1);
    CHECK(UserCount(server) == 1);
  }
  CHECK(UserRow(server, QueryText(server, "SELECT id FROM users")) == before);
  // The one admin signs in with the first password.
  auto me = cli.Get("/api/v1/auth/me", Bearer(Login(cli, "root@example.com").access));
  REQUIRE(me);
  CHECK(GetStr(JsonBody(me->body), "data.role") == "admin");
}

TEST_CASE("cairn user create --password - reads the password from stdin") {
  ServerProcess server;
  auto cli = server.Client();
  int code = RunCliWithStdin({"user", "create", "--db", server.db_path(), "--email",
                              "ops@example.com", "--password", "-", "--role", "merchant"},
                             "Fr0mStdin99\n");
  CHECK(code == 0);
  CHECK(UserCount(server) == 1);
  Account ops = Login(cli, "ops@example.com", "Fr0mStdin99");
  auto me = cli.Get("/api/v1/auth/me", Bearer(ops.access));
  REQUIRE(me);
  CHECK(GetStr(JsonBody(me->body), "data.role") == "merchant");
  // A weak password from stdin is refused like one from the flag.
  code = RunCliWithStdin({"user", "create", "--db", server.db_path(), "--email", "weak@example.com",
                          "--password", "-"},
                         "weak\n");
  CHECK(code == 1);
  CHECK(UserCount(server) == 1);
}

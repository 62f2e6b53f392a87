// The web console in a real browser: `node tests/browser/console.js` drives
// headless Chromium (Debian's chromium, through npm's puppeteer-core in
// tests/interop) against the real binary. It registers, signs in, links an
// account, registers a webhook to a receiver of its own, pays a merchant in
// a second tab and sees the payment appear in the history open in the
// first, has an admin approve the identity check, sends a transfer abroad
// and sees it go from processing to completed live, sees the webhook's
// deliveries answered 200, and fails on any console error or CSP violation. `make test` installs node, chromium and
// the package (scripts/deps.sh test); a missing one fails this test, it
// does not skip it. Screenshots land in tests/browser/screenshots/.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "accounts.h"
#include "harness.h"

extern char** environ;

using namespace cairn::test;

namespace {

// Relative to the repository root, where the API tests run.
const char kScript[] = "tests/browser/console.js";

// Runs `node tests/browser/console.js args...` to completion, without a
// shell, with its output in files of io.
CliResult RunNode(const TempDir& io, const std::vector<std::string>& args) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, io.File("out").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, io.File("err").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> words = {"node", kScript};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, "node", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE_MESSAGE(rc == 0, "cannot run node from PATH (" << std::string(std::strerror(rc))
                                                         << "); `make test` installs it");
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(io.File("out"));
  r.err = ReadFile(io.File("err"));
  return r;
}

}  // namespace

TEST_CASE("the console works in headless Chromium: register, sign in, link, pay, see it live") {
  ServerProcess::Options opts;
  // The script signs in three people and pays a few times within seconds;
  // the limits have tests of their own.
  opts.env["RATE_LIMIT_ENABLED"] = "0";
  // The transfer abroad settles while the history watches it, sooner than
  // the default 5 s; the webhook's receiver listens on 127.0.0.1.
  opts.env["SANDBOX_SETTLE_SECONDS"] = "2";
  opts.env["WEBHOOK_ALLOW_PRIVATE"] = "1";
  // A stream whose tab was closed or reloaded holds its place under the
  // per-account cap until the next heartbeat finds it gone; the script
  // opens and closes several within seconds.
  opts.env["SSE_HEARTBEAT_S"] = "2";
  ServerProcess server(opts);
  CliResult admin = RunCli({"user", "create", "--db", server.db_path(), "--email",
                            "root@example.com", "--password", kPassword, "--role", "admin"});
  INFO(admin.err);
  REQUIRE(admin.exit_code == 0);

  TempDir io;
  auto start = std::chrono::steady_clock::now();
  CliResult r = RunNode(
      io, {"http://127.0.0.1:" + std::to_string(server.port()), "root@example.com", kPassword});
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
  MESSAGE("browser test took " << seconds.count() << " s");
  INFO("stdout:\n" << r.out);
  INFO("stderr:\n" << r.err);
  if (r.err.find("Cannot find module") != std::string::npos) {
    FAIL("scripts/deps.sh test installs tests/interop/node_modules (puppeteer-core)");
  }
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("passed") != std::string::npos);
  // What the browser did is in the database: one QR payment and one transfer.
  CHECK(QueryInt(server, "SELECT count(*) FROM transactions WHERE type = 'qr_payment'") == 1);
  CHECK(QueryInt(server, "SELECT count(*) FROM transactions WHERE type = 'remittance'") == 1);
  CHECK(QueryInt(server, "SELECT count(*) FROM transactions WHERE status = 'completed'") == 2);
  // The webhook delivered (its redelivery too) before the browser deleted it.
  CHECK(QueryInt(server, "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'") >= 3);
  CHECK(QueryInt(server, "SELECT count(*) FROM webhooks WHERE deleted_at IS NULL") == 0);
}

// The web console in a real browser: `node tests/browser/console.js` drives
// headless Chromium (Debian's chromium, through npm's puppeteer-core in
// tests/interop) against the real binary. It registers, signs in, links an
// account, registers a webhook to a receiver of its own, pays a merchant in
// a second tab and sees the payment appear in the history open in the
// first, has an admin approve the identity check, sends a transfer abroad
// and sees it go from processing to completed live, sees the webhook's
// deliveries answered 200 and a redelivery of a pending one refused 409,
// sees its live stream recover from a cut whose reconnection is refused
// (400, then 401) and from a hidden tab's pause, with seven more payments
// to show, and fails on any console error or CSP violation.
// `make test` installs node, chromium and the package (scripts/deps.sh test); a missing one fails this test, it
// does not skip it. Screenshots land in tests/browser/screenshots/.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "accounts.h"
#include "harness.h"

using namespace cairn::test;

namespace {

// Relative to the repository root, where the API tests run.
const char kScript[] = "tests/browser/console.js";

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

  auto start = std::chrono::steady_clock::now();
  CliResult r = RunNode(
      {kScript, "http://127.0.0.1:" + std::to_string(server.port()), "root@example.com", kPassword});
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
  // What the browser did is in the database: one QR payment and one
  // transfer, and the seven QR payments the script made while its live
  // stream was cut, refused and paused.
  CHECK(QueryInt(server, "SELECT count(*) FROM transactions WHERE type = 'qr_payment'") == 8);
  CHECK(QueryInt(server, "SELECT count(*) FROM transactions WHERE type = 'remittance'") == 1);
  CHECK(QueryInt(server, "SELECT count(*) FROM transactions WHERE status = 'completed'") == 9);
  // The webhook delivered (its redelivery too) before the browser deleted it.
  CHECK(QueryInt(server, "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'") >= 3);
  CHECK(QueryInt(server, "SELECT count(*) FROM webhooks WHERE deleted_at IS NULL") == 0);
}

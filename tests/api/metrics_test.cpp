// GET /metrics (Prometheus text format) on its own listener: off unless
// METRICS_PORT is set, never on the API port, and its counters move with the
// traffic they describe. The exposition is also checked by Prometheus' own
// linter, `promtool check metrics` (from Debian's prometheus package,
// unpacked by scripts/deps.sh test without installing its service).

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "accounts.h"
#include "domain_setup.h"
#include "harness.h"
#include "payment_setup.h"
#include "rate_limits.h"
#include "webhook_receiver.h"
#include "webhook_setup.h"

using namespace cairn::test;
using namespace std::chrono_literals;

namespace {

const char kPromtool[] = "third_party/promtool/usr/bin/promtool";

// One scrape: the exposition text and its samples by "name{labels}".
struct Scrape {
  int status = 0;
  std::string content_type;
  std::string text;
  std::map<std::string, double> samples;

  double operator[](const std::string& key) const {
    auto it = samples.find(key);
    return it == samples.end() ? 0 : it->second;
  }
};

Scrape ScrapeAt(int port, const std::string& path = "/metrics") {
  httplib::Client cli("127.0.0.1", port);
  cli.set_read_timeout(10, 0);
  auto res = cli.Get(path);
  Scrape s;
  REQUIRE(res);
  s.status = res->status;
  s.content_type = res->get_header_value("Content-Type");
  s.text = res->body;
  std::istringstream in(s.text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    std::string value = line.substr(space + 1);
    s.samples[line.substr(0, space)] = value == "+Inf" ? 1e308 : std::stod(value);
  }
  return s;
}

// Polls until key's value reaches at least `want`; returns the last scrape.
Scrape AwaitSample(int port, const std::string& key, double want,
                   std::chrono::milliseconds timeout = 15s) {
  auto until = std::chrono::steady_clock::now() + timeout;
  Scrape s = ScrapeAt(port);
  while (s[key] < want && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);
    s = ScrapeAt(port);
  }
  return s;
}

ServerProcess::Options WithMetrics(ServerProcess::Options opts, int metrics_port) {
  opts.env["METRICS_PORT"] = std::to_string(metrics_port);
  return opts;
}

// An event stream held open on its own thread until destroyed.
class OpenStream {
 public:
  OpenStream(const ServerProcess& server, const Account& who) : cli_(server.Client()) {
    cli_.set_read_timeout(30, 0);
    thread_ = std::thread([this, headers = Bearer(who.access)] {
      cli_.Get("/api/v1/events", headers, [this](const char*, size_t) { return !stop_.load(); });
    });
  }
  ~OpenStream() {
    stop_ = true;
    cli_.stop();
    thread_.join();
  }

 private:
  httplib::Client cli_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("metrics are served only on METRICS_PORT, never on the API port") {
  int metrics_port = FreePort();
  ServerProcess server(WithMetrics({}, metrics_port));
  auto cli = server.Client();
  auto api = cli.Get("/metrics");
  REQUIRE(api);
  CHECK(api->status == 404);
  CHECK(ErrorCode(api) == "not_found");

  Scrape s = ScrapeAt(metrics_port);
  CHECK(s.status == 200);
  CHECK(s.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(s["cairn_build_info{version=\"0.1.0\"}"] == 1);
  CHECK(ScrapeAt(metrics_port, "/").status == 404);
  CHECK(ScrapeAt(metrics_port, "/api/v1/health").status == 404);
  httplib::Client metrics_cli("127.0.0.1", metrics_port);
  // Only GET /metrics exists there, and it takes no body.
  auto post = metrics_cli.Post("/metrics", "x", "text/plain");
  REQUIRE(post);
  CHECK(post->status == 413);
  auto del = metrics_cli.Delete("/metrics");
  REQUIRE(del);
  CHECK(del->status == 404);

  // Without METRICS_PORT nothing listens for them: the default is off.
  ServerProcess plain;
  CHECK(plain.Client().Get("/metrics")->status == 404);
  CliResult help = RunCli({"--help"});
  CHECK(help.out.find("METRICS_PORT") != std::string::npos);
}

TEST_CASE("the counters move with the traffic: requests, sign-ins, payments, webhooks, streams") {
  int metrics_port = FreePort();
  ServerProcess::Options opts = WithMetrics(PaymentServer("0"), metrics_port);
  opts.env["WEBHOOK_ALLOW_PRIVATE"] = "1";
  opts.env["WEBHOOK_RETRY_BASE_MS"] = "100";
  ServerProcess server(opts);
  auto cli = server.Client();
  const std::string health = R"(cairn_http_requests_total{method="GET",route="/health",status="200"})";
  const std::string unmatched = R"(cairn_http_requests_total{method="",route="unmatched",status="404"})";
  Scrape before = ScrapeAt(metrics_port);

  for (int i = 0; i < 3; ++i) REQUIRE(cli.Get("/health")->status == 200);
  REQUIRE(cli.Get("/api/v1/no-such-route")->status == 404);
  // Each request is counted as its log line is written, just after the answer.
  Scrape after = AwaitSample(metrics_port, health, before[health] + 3);
  CHECK(after[health] == before[health] + 3);
  CHECK(after[unmatched] == before[unmatched] + 1);
  CHECK(after[R"(cairn_http_request_duration_seconds_count{method="GET",route="/health"})"] ==
        after[health]);

  // Sign-ins: one good, one wrong password.
  Account admin = MakeAdmin(server, cli);
  auto wrong = PostJson(cli, "/api/v1/auth/login",
                        R"({"email":"root@example.com","password":"Wr0ngPassword"})");
  REQUIRE(wrong->status == 401);
  // The refusal is counted as a security event in the handler, and as a
  // request once its answer is written: wait for the later of the two.
  const std::string refused =
      R"(cairn_http_requests_total{method="POST",route="/api/v1/auth/login",status="401"})";
  Scrape auth = AwaitSample(metrics_port, refused, 1);
  CHECK(auth[R"(cairn_auth_events_total{action="login.failed",reason="wrong_password"})"] == 1);
  CHECK(auth[R"(cairn_auth_events_total{action="login.succeeded",reason=""})"] >= 1);
  CHECK(auth[refused] == 1);

  // A webhook endpoint and a stream, then a payment that both hear of.
  Sender ada = MakeSender(cli, admin, "ada@example.com", "1000");
  WebhookReceiver receiver;
  RegisterHook(cli, ada.who, receiver.Url());
  {
    OpenStream stream(server, ada.who);
    Scrape open = AwaitSample(metrics_port, "cairn_sse_clients", 1);
    CHECK(open["cairn_sse_clients"] == 1);
    auto paid = Remit(cli, ada.who, RemitBody(ada.recipient_id, "100"));
    REQUIRE(paid->status == 201);
    Scrape events =
        AwaitSample(metrics_port, R"(cairn_events_total{type="transaction.completed"})", 1);
    CHECK(events[R"(cairn_events_total{type="transaction.created"})"] == 1);
    CHECK(events[R"(cairn_events_total{type="transaction.completed"})"] == 1);
    Scrape hooks = AwaitSample(metrics_port, R"(cairn_webhook_tries_total{result="delivered"})", 2);
    CHECK(hooks[R"(cairn_webhook_tries_total{result="delivered"})"] >= 2);
    CHECK(hooks[R"(cairn_webhook_tries_total{result="failed"})"] == 0);
  }
  // The stream's slot is given back when the server next writes to it (the
  // heartbeat at the latest), so only its closing is checked, not when.

  Scrape last = ScrapeAt(metrics_port);
  CHECK(last["cairn_db_size_bytes"] > 0);
  CHECK(last.samples.count("cairn_db_wal_size_bytes") == 1);
  CHECK(last.samples.count("cairn_webhook_deliveries_pending") == 1);
  CHECK(last.samples.count("cairn_db_writer_waits_total") == 1);
  CHECK(last["process_resident_memory_bytes"] > 1e6);
  CHECK(last["process_open_fds"] > 3);
  CHECK(last["process_start_time_seconds"] > 1.7e9);
}

TEST_CASE("rate-limit refusals are counted by the rule that refused") {
  int metrics_port = FreePort();
  ServerProcess server(WithMetrics(Limited({{"RATE_LIMIT_AUTH", "2/1m"}}), metrics_port));
  auto cli = server.Client();
  const std::string body = R"({"email":"nobody@example.com","password":"Passw0rd1"})";
  CHECK(PostJson(cli, "/api/v1/auth/login", body)->status == 401);
  CHECK(PostJson(cli, "/api/v1/auth/login", body)->status == 401);
  CHECK(PostJson(cli, "/api/v1/auth/login", body)->status == 429);
  CHECK(PostJson(cli, "/api/v1/auth/login", body)->status == 429);
  Scrape s = AwaitSample(metrics_port, R"(cairn_rate_limited_total{rule="auth"})", 2);
  CHECK(s[R"(cairn_rate_limited_total{rule="auth"})"] == 2);
  CHECK(s[R"(cairn_rate_limited_total{rule="anonymous"})"] == 0);
  CHECK(s[R"(cairn_auth_events_total{action="login.failed",reason="unknown_email"})"] == 2);
}

TEST_CASE("connections are counted by state, and closed ones by why") {
  int metrics_port = FreePort();
  ServerProcess::Options opts;
  opts.env = {{"READ_TIMEOUT_S", "1"}, {"KEEP_ALIVE_TIMEOUT_S", "1"}};
  ServerProcess server(WithMetrics(opts, metrics_port));
  {
    RawConnection slow(server.port());
    REQUIRE(slow.Send("GET /health HTTP/1.1\r\nHost: t\r\n"));
    RawConnection idle(server.port());
    Scrape open = AwaitSample(metrics_port, R"(cairn_http_connections{state="waiting"})", 2);
    CHECK(open[R"(cairn_http_connections{state="waiting"})"] == 2);
    AwaitSample(metrics_port, R"(cairn_http_connections_closed_total{reason="idle_timeout"})", 1);
    Scrape closed = AwaitSample(
        metrics_port, R"(cairn_http_connections_closed_total{reason="request_timeout"})", 1);
    CHECK(closed[R"(cairn_http_connections_closed_total{reason="request_timeout"})"] == 1);
    CHECK(closed[R"(cairn_http_connections_closed_total{reason="idle_timeout"})"] == 1);
  }
  std::string got = RawExchange(server.port(), "GET /" + std::string(9000, 'a'));
  REQUIRE(RawStatus(got) == 414);
  Scrape s = AwaitSample(metrics_port, R"(cairn_http_connections_closed_total{reason="too_large"})", 1);
  CHECK(s[R"(cairn_http_connections_closed_total{reason="too_large"})"] == 1);
  CHECK(s[R"(cairn_http_connections_closed_total{reason="over_capacity"})"] == 0);
  CHECK(s[R"(cairn_http_connections_closed_total{reason="workers_busy"})"] == 0);
}

TEST_CASE("promtool, Prometheus' own linter, accepts the exposition") {
  REQUIRE_MESSAGE(FileExists(kPromtool), "scripts/deps.sh test unpacks promtool");
  int metrics_port = FreePort();
  ServerProcess server(WithMetrics({}, metrics_port));
  auto cli = server.Client();
  RegisterAndLogin(cli, "ada@example.com");
  REQUIRE(cli.Get("/health")->status == 200);
  Scrape s = ScrapeAt(metrics_port);
  REQUIRE(s.status == 200);
  TempDir dir;
  std::string path = dir.File("metrics.txt");
  {
    std::ofstream out(path, std::ios::binary);
    out << s.text;
  }
  // promtool reads the exposition from stdin only.
  CliResult lint = RunProgram("sh", {"-c", std::string(kPromtool) + " check metrics < " + path});
  INFO(lint.out << lint.err);
  CHECK(lint.exit_code == 0);
  // A broken exposition fails, so the check can fail.
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << "cairn_broken{label=unquoted} 1\n";
  }
  CliResult broken =
      RunProgram("sh", {"-c", std::string(kPromtool) + " check metrics < " + path});
  CHECK(broken.exit_code != 0);
}

// The soak driver (issue 8), run by bench/soak.sh against a Cairn it started
// on 127.0.0.1 with WEBHOOK_ALLOW_PRIVATE=1 and rate limits off, while the
// script samples the server's memory.
//
//   soak PORT SECONDS
//     Sets up a merchant and six funded payers, each with a webhook for
//     transaction.completed to a receiver in this process and an event
//     stream (GET /api/v1/events) held open, prints `traffic_started`, then
//     for SECONDS runs, each on its own keep-alive connection:
//       logins     one a second, in turn as each payer (the token it gets
//                  replaces that payer's, so tokens never expire whatever
//                  SECONDS is); every fifth for an unknown email (401)
//       reads      two clients, 25 a second each: /auth/me, the
//                  transactions list, bank accounts, webhooks, /health, and
//                  an unknown route (404)
//       payments   QR payments, 5 a second, each with its own Idempotency-Key
//     then closes the streams 2 s later and waits (at most 30 s) for every
//     payment's webhook delivery. Every request states the status it
//     expects; answers are counted by status (0: no answer) and those that
//     differ counted apart. Prints `name value` lines.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench_client.h"

namespace {

using namespace bench;
using namespace std::chrono_literals;

constexpr int kPayers = 6;
constexpr int kReaders = 2;
constexpr int kReadsPerSecond = 25;  // per reader
constexpr int kPaymentsPerSecond = 5;
constexpr int kLoginEverySecond = 1;

// Answers by status, and those that were not what the request expected.
class Tally {
 public:
  void Add(const std::string& what, int want, int got) {
    std::lock_guard<std::mutex> lock(mu_);
    ++by_status_[got];
    if (got == want) return;
    if (++unexpected_ <= 10) {
      std::fprintf(stderr, "soak: %s answered %d, expected %d\n", what.c_str(), got, want);
    }
  }
  void Print() {
    std::lock_guard<std::mutex> lock(mu_);
    long total = 0;
    for (const auto& [status, n] : by_status_) {
      std::printf("status %d %ld\n", status, n);  // 0: no answer
      total += n;
    }
    std::printf("requests %ld\nunexpected %ld\n", total, unexpected_);
  }

 private:
  std::mutex mu_;
  std::map<int, long> by_status_;  // guarded by mu_
  long unexpected_ = 0;            // guarded by mu_
};

// The payers' current access tokens; logins replace them.
class Tokens {
 public:
  explicit Tokens(std::vector<std::string> t) : t_(std::move(t)) {}
  std::string Get(size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return t_[i % t_.size()];
  }
  void Set(size_t i, std::string token) {
    std::lock_guard<std::mutex> lock(mu_);
    t_[i % t_.size()] = std::move(token);
  }

 private:
  std::mutex mu_;
  std::vector<std::string> t_;  // guarded by mu_
};

// One request that expects `want`; returns the body when it got it.
std::string Expect(Tally& tally, httplib::Client& c, const std::string& method,
                   const std::string& path, const std::string& body, const std::string& token,
                   int want, const std::string& idempotency = "") {
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  if (!idempotency.empty()) h.emplace("Idempotency-Key", idempotency);
  httplib::Result res = method == "POST" ? c.Post(path, h, body, "application/json")
                                         : c.Get(path, h);
  int got = res ? res->status : 0;
  tally.Add(method + " " + path, want, got);
  return got == want ? res->body : "";
}

// Runs step(i) `per_second` times a second until `stop`.
template <typename Step>
void Paced(const std::atomic<bool>& stop, int per_second, Step step) {
  auto start = Clock::now();
  for (long i = 0; !stop.load(); ++i) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(1'000'000LL * i / per_second));
    if (!stop.load()) step(i);
  }
}

std::string Email(size_t i) { return "soak" + std::to_string(i) + "@example.com"; }

int Soak(int seconds) {
  // Deliveries and stream messages, by transaction id.
  std::mutex seen_mu;
  std::set<std::string> delivered, streamed;  // guarded by seen_mu
  httplib::Server receiver;
  receiver.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::string tx = CompletedTx(req.body);
    if (!tx.empty()) {
      std::lock_guard<std::mutex> lock(seen_mu);
      delivered.insert(tx);
    }
    res.status = 204;
  });
  int rport = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });
  receiver.wait_until_ready();

  std::string merchant = MakeMerchant();
  Tokens tokens(MakePayers(kPayers, "soak"));
  for (size_t i = 0; i < kPayers; ++i) {
    AddWebhook(tokens.Get(i), "http://127.0.0.1:" + std::to_string(rport) + "/hook");
  }

  Tally tally;
  std::atomic<bool> stop{false}, stop_streams{false};
  std::atomic<int> streams_open{0}, streams_ended{0};
  std::vector<std::unique_ptr<httplib::Client>> stream_clients;
  std::vector<std::thread> threads;
  for (size_t s = 0; s < kPayers; ++s) {
    stream_clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", g_port));
    stream_clients.back()->set_read_timeout(60, 0);  // heartbeats every 15 s
    httplib::Client* cli = stream_clients.back().get();
    std::string token = tokens.Get(s);
    threads.emplace_back([&, cli, token] {
      CompletedTxStream stream;
      bool answered = false;
      cli->Get(
          "/api/v1/events", {{"Authorization", "Bearer " + token}},
          [&](const httplib::Response& r) {
            answered = true;
            tally.Add("GET /api/v1/events", 200, r.status);
            if (r.status == 200) ++streams_open;
            return r.status == 200;
          },
          [&](const char* data, size_t n) {
            stream.Feed(data, n, [&](const std::string& tx) {
              std::lock_guard<std::mutex> lock(seen_mu);
              streamed.insert(tx);
            });
            return !stop_streams.load();
          });
      if (!answered) tally.Add("GET /api/v1/events", 200, 0);
      if (!stop_streams.load()) ++streams_ended;  // the server ended it
    });
  }

  std::atomic<long> paid{0};
  threads.emplace_back([&] {
    auto c = Client();
    Paced(stop, kPaymentsPerSecond, [&](long i) {
      size_t payer = static_cast<size_t>(i) % kPayers;
      std::string body = Expect(tally, c, "POST", "/api/v1/transactions/qr-payment",
                                QrPaymentBody(merchant), tokens.Get(payer), 201,
                                "soak-" + std::to_string(i));
      if (!body.empty()) ++paid;
    });
  });
  threads.emplace_back([&] {
    auto c = Client();
    Paced(stop, kLoginEverySecond, [&](long i) {
      if (i % 5 == 4) {
        Expect(tally, c, "POST", "/api/v1/auth/login", LoginBody("nobody@example.com"), "", 401);
        return;
      }
      size_t payer = static_cast<size_t>(i) % kPayers;
      std::string body =
          Expect(tally, c, "POST", "/api/v1/auth/login", LoginBody(Email(payer)), "", 200);
      picojson::value v;
      if (!body.empty() && picojson::parse(v, body).empty() && v.is<picojson::object>()) {
        std::string token = Str(v.get<picojson::object>(), "data", "accessToken");
        if (!token.empty()) tokens.Set(payer, token);
      }
    });
  });
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      const std::pair<const char*, int> reads[] = {
          {"/api/v1/auth/me", 200},          {"/api/v1/transactions?limit=20", 200},
          {"/api/v1/bank-accounts", 200},    {"/api/v1/webhooks", 200},
          {"/health", 200},                  {"/api/v1/no-such-route", 404}};
      auto c = Client();
      Paced(stop, kReadsPerSecond, [&](long i) {
        const auto& [path, want] = reads[static_cast<size_t>(i) % std::size(reads)];
        Expect(tally, c, "GET", path, "", tokens.Get(static_cast<size_t>(i + r)), want);
      });
    });
  }

  std::printf("traffic_started\n");
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (size_t t = kPayers; t < threads.size(); ++t) threads[t].join();
  // The last payments' messages are 10-20 ms behind their 201s.
  std::this_thread::sleep_for(2s);
  stop_streams = true;
  for (auto& c : stream_clients) c->stop();
  for (size_t t = 0; t < kPayers; ++t) threads[t].join();

  // Deliveries still on their way: at most 30 s more.
  auto until = Clock::now() + 30s;
  size_t n_delivered = 0, n_streamed = 0;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(seen_mu);
      n_delivered = delivered.size();
      n_streamed = streamed.size();
    }
    if (static_cast<long>(n_delivered) >= paid.load() || Clock::now() > until) break;
    std::this_thread::sleep_for(100ms);
  }
  receiver.stop();
  serving.join();

  tally.Print();
  std::printf("payments %ld\nwebhook_deliveries %zu\nstream_messages %zu\nstreams_opened %d\n"
              "streams_ended_early %d\n",
              paid.load(), n_delivered, n_streamed, streams_open.load(), streams_ended.load());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  g_program = "soak";
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2) {
    g_port = std::stoi(args[0]);
    return Soak(std::stoi(args[1]));
  }
  std::fprintf(stderr, "usage: soak PORT SECONDS\n");
  return 2;
}

// The integration-surfaces benchmark driver (issue 7), run by
// bench/integration.sh against a Cairn it started on 127.0.0.1 with
// WEBHOOK_ALLOW_PRIVATE=1 and rate limits off. Every mode sets up its own
// users through the API, prints `name value` lines the script turns into
// figures, and stops by itself.
//
//   events_bench fanout PORT PAYERS PACED_PAYMENTS RATE BURST_PAYMENTS
//     Each payer has a webhook for transaction.completed to a receiver in
//     this process. PACED_PAYMENTS QR payments at RATE/s give the time from
//     a payment's 201 to its delivery (p50, p99); then BURST_PAYMENTS as
//     fast as 8 connections go give deliveries per second (all delivered /
//     time from the first payment to the last delivery).
//   events_bench backlog PORT N
//     One payer whose webhook points at a receiver that accepts connections
//     and never answers; N payments leave N deliveries pending (each try
//     holds a sender until its timeout). Prints `pending N`, then sleeps
//     until killed: the script measures /auth/me meanwhile.
//   events_bench sse PORT PID STREAMS PAYMENTS
//     STREAMS event streams held open (5 per payer), RSS of PID before and
//     after, then PAYMENTS paced QR payments by those payers and the time
//     from each 201 to its transaction.completed message on a stream.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_client.h"

namespace {

using namespace bench;
using namespace std::chrono_literals;

// Arrival times by transaction id, from a webhook receiver or streams.
class Arrivals {
 public:
  void Add(const std::string& tx) {
    std::lock_guard<std::mutex> lock(mu_);
    at_.emplace(tx, Clock::now());
    changed_.notify_all();
  }
  bool WaitFor(size_t n, std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return at_.size() >= n; });
  }
  std::map<std::string, Clock::time_point> Snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    return at_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Clock::time_point> at_;
};

// Paces `count` payments at `rate`/s over the payers; returns each id with
// the moment its 201 arrived.
std::map<std::string, Clock::time_point> PacedPayments(const std::vector<std::string>& tokens,
                                                       const std::string& merchant, int count,
                                                       int rate, const std::string& run) {
  std::map<std::string, Clock::time_point> paid;
  auto c = Client();
  auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(1'000'000LL * i / rate));
    std::string id = Pay(c, tokens[static_cast<size_t>(i) % tokens.size()], merchant,
                         run + "-" + std::to_string(i));
    paid.emplace(id, Clock::now());
  }
  return paid;
}

void PrintLatency(const std::string& name, const std::map<std::string, Clock::time_point>& paid,
                  const std::map<std::string, Clock::time_point>& arrived) {
  std::vector<double> ms;
  for (const auto& [id, at] : paid) {
    auto it = arrived.find(id);
    if (it != arrived.end()) ms.push_back(Ms(it->second - at));
  }
  std::printf("%s_count %zu\n%s_p50_ms %.1f\n%s_p99_ms %.1f\n", name.c_str(), ms.size(),
              name.c_str(), Percentile(ms, 0.5), name.c_str(), Percentile(ms, 0.99));
}

int Fanout(int payers, int paced, int rate, int burst) {
  Arrivals arrivals;
  httplib::Server receiver;
  receiver.Post("/hook", [&arrivals](const httplib::Request& req, httplib::Response& res) {
    std::string tx = CompletedTx(req.body);
    if (!tx.empty()) arrivals.Add(tx);
    res.status = 204;
  });
  int rport = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });
  receiver.wait_until_ready();

  std::string merchant = MakeMerchant();
  std::vector<std::string> tokens = MakePayers(payers, "fan");
  for (const std::string& t : tokens) {
    AddWebhook(t, "http://127.0.0.1:" + std::to_string(rport) + "/hook");
  }

  auto paid = PacedPayments(tokens, merchant, paced, rate, "paced");
  if (!arrivals.WaitFor(paid.size(), 60s)) Die("paced deliveries did not all arrive");
  PrintLatency("webhook_latency", paid, arrivals.Snapshot());

  // Burst: 8 connections pay as fast as they can.
  auto start = Clock::now();
  std::atomic<int> next{0};
  std::vector<std::thread> ts;
  for (int w = 0; w < 8; ++w) {
    ts.emplace_back([&, w] {
      auto c = Client();
      for (int i = next++; i < burst; i = next++) {
        Pay(c, tokens[static_cast<size_t>(i) % tokens.size()], merchant,
            "burst-" + std::to_string(w) + "-" + std::to_string(i));
      }
    });
  }
  for (auto& t : ts) t.join();
  auto paid_by = Clock::now();
  if (!arrivals.WaitFor(paid.size() + static_cast<size_t>(burst), 120s)) {
    Die("burst deliveries did not all arrive");
  }
  auto last = start;
  for (const auto& [id, at] : arrivals.Snapshot()) last = std::max(last, at);
  std::printf("burst_payments %d\nburst_payments_per_s %.0f\nburst_deliveries_per_s %.0f\n", burst,
              burst / std::chrono::duration<double>(paid_by - start).count(),
              burst / std::chrono::duration<double>(last - start).count());
  receiver.stop();
  serving.join();
  return 0;
}

int Backlog(int n) {
  // Listens and never accepts: a try connects (the kernel completes the
  // handshake into the backlog) and then waits for an answer until its
  // timeout, the way a hung receiver behaves.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 4096) != 0) {
    Die("cannot listen");
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string merchant = MakeMerchant();
  std::vector<std::string> tokens = MakePayers(1, "stuck");
  AddWebhook(tokens[0], "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/hook");
  auto c = Client();
  for (int i = 0; i < n; ++i) Pay(c, tokens[0], merchant, "backlog-" + std::to_string(i));
  std::printf("pending %d\n", n);
  std::fflush(stdout);
  std::this_thread::sleep_for(1h);  // killed by the script
  return 0;
}

int Sse(int pid, int streams, int payments) {
  std::string merchant = MakeMerchant();
  int users = (streams + 4) / 5;
  std::vector<std::string> tokens = MakePayers(users, "sse");
  std::this_thread::sleep_for(2s);
  long before = RssKb(pid);

  Arrivals arrivals;
  std::atomic<int> open{0};
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<httplib::Client>> clients;
  std::vector<std::thread> readers;
  for (int s = 0; s < streams; ++s) {
    clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", g_port));
    clients.back()->set_read_timeout(300, 0);
    httplib::Client* cli = clients.back().get();
    std::string token = tokens[static_cast<size_t>(s / 5)];
    readers.emplace_back([cli, token, &arrivals, &open, &stop] {
      CompletedTxStream stream;
      cli->Get(
          "/api/v1/events", {{"Authorization", "Bearer " + token}},
          [&open](const httplib::Response& r) {
            if (r.status == 200) ++open;
            return r.status == 200;
          },
          [&](const char* data, size_t n) {
            stream.Feed(data, n, [&](const std::string& tx) { arrivals.Add(tx); });
            return !stop.load();
          });
    });
  }
  auto until = Clock::now() + 30s;
  while (open.load() < streams && Clock::now() < until) std::this_thread::sleep_for(10ms);
  if (open.load() < streams) Die("only " + std::to_string(open.load()) + " streams opened");
  std::this_thread::sleep_for(2s);
  long after = RssKb(pid);
  std::printf("sse_streams %d\nsse_rss_before_kb %ld\nsse_rss_after_kb %ld\n", streams, before,
              after);

  auto paid = PacedPayments(tokens, merchant, payments, 50, "sse");
  arrivals.WaitFor(paid.size(), 30s);
  PrintLatency("sse_latency", paid, arrivals.Snapshot());
  stop = true;
  for (auto& c : clients) c->stop();
  for (auto& t : readers) t.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  g_program = "events_bench";
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 2) g_port = std::atoi(args[1].c_str());
  if (args.size() == 6 && args[0] == "fanout") {
    return Fanout(std::stoi(args[2]), std::stoi(args[3]), std::stoi(args[4]), std::stoi(args[5]));
  }
  if (args.size() == 3 && args[0] == "backlog") return Backlog(std::stoi(args[2]));
  if (args.size() == 5 && args[0] == "sse") {
    return Sse(std::stoi(args[2]), std::stoi(args[3]), std::stoi(args[4]));
  }
  std::fprintf(stderr,
               "usage: events_bench fanout PORT PAYERS PACED RATE BURST | backlog PORT N | "
               "sse PORT PID STREAMS PAYMENTS\n");
  return 2;
}

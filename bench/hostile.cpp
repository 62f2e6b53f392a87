// The hostile-clients benchmark driver (issue 8), run by bench/hostile.sh
// against a Cairn it started on 127.0.0.1. Plain sockets, no HTTP library:
// each mode needs exact control of what is sent when, and of every timeout.
// Every mode prints `name value` lines the script turns into figures, and
// stops by itself.
//
//   hostile probe PORT TOKEN SECONDS RATE
//     The well-behaved client: GET /health and GET /api/v1/auth/me (with the
//     access token) RATE times a second each, on a fixed schedule whatever
//     the answers do (open loop), each request on a new connection, timed
//     from connect to the last byte of the answer. A request fails unless it
//     gets a complete 200 within 5 s. Percentiles are over every request, a
//     failed one counted at the time it took to fail.
//   hostile idle PORT CONNS SECONDS REFRESH_S
//     CONNS keep-alive connections, opened (and reopened) at up to 1000 a
//     second in all, each
//     sending GET /health and reading the answer, then idle. REFRESH_S 0:
//     idle until the server closes them (nothing is reopened). REFRESH_S > 0:
//     the hostile variant, every connection sends GET /health again every
//     REFRESH_S seconds, so no keep-alive timeout fires, and one the server
//     closes is reopened.
//   hostile oversize PORT SECONDS CLIENTS
//     CLIENTS threads in a loop, each request on a new connection: a request
//     line of 20-64 KiB, one 9 KiB header, 100 small headers, or 20-64 KiB of
//     4 KB headers, pausing 25 ms between requests. Each must be answered
//     400, 414 or 431, or closed, within 5 s; an answer that never comes is a
//     hang, any other status unexpected.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

int g_port = 0;
constexpr auto kTimeout = 5s;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

int Remaining(Clock::time_point deadline) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return ms > 0 ? static_cast<int>(ms) : 0;
}

// A non-blocking socket connecting to 127.0.0.1:g_port; -1 on failure.
int StartConnect() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(g_port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

bool WaitFor(int fd, short events, Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  return poll(&p, 1, Remaining(deadline)) == 1;
}

// Size of the first complete response in buf (headers plus Content-Length
// bytes), or 0 while incomplete. Sets *status.
size_t ResponseSize(const std::string& buf, int* status) {
  size_t end = buf.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  *status = buf.size() > 12 ? std::atoi(buf.c_str() + 9) : 0;
  size_t length = 0;
  size_t cl = buf.find("\r\nContent-Length:");
  if (cl == std::string::npos) cl = buf.find("\r\ncontent-length:");
  if (cl != std::string::npos && cl < end) length = std::strtoul(buf.c_str() + cl + 17, nullptr, 10);
  return buf.size() >= end + 4 + length ? end + 4 + length : 0;
}

enum class Outcome { kOk, kStatus, kTimeout, kConnection };

struct Sample {
  double ms;
  Outcome outcome;
};

// One request on a new connection, all of it within kTimeout.
Sample Fetch(const std::string& request) {
  auto start = Clock::now();
  auto deadline = start + kTimeout;
  auto done = [&](Outcome o) { return Sample{Ms(Clock::now() - start), o}; };
  int fd = StartConnect();
  if (fd < 0) return done(Outcome::kConnection);
  Outcome result = Outcome::kTimeout;
  std::string buf;
  size_t sent = 0;
  while (Clock::now() < deadline) {
    if (sent < request.size()) {
      if (!WaitFor(fd, POLLOUT, deadline)) break;
      ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN) { result = Outcome::kConnection; break; }
      if (n > 0) sent += static_cast<size_t>(n);
      continue;
    }
    if (!WaitFor(fd, POLLIN, deadline)) break;
    char chunk[4096];
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EAGAIN) continue;
    if (n <= 0) { result = Outcome::kConnection; break; }
    buf.append(chunk, static_cast<size_t>(n));
    int status = 0;
    if (ResponseSize(buf, &status) > 0) {
      result = status == 200 ? Outcome::kOk : Outcome::kStatus;
      break;
    }
  }
  close(fd);
  return done(result);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

void PrintSamples(const char* name, const std::vector<Sample>& samples) {
  std::vector<double> ms;
  std::map<Outcome, int> by;
  for (const Sample& s : samples) {
    ms.push_back(s.ms);
    ++by[s.outcome];
  }
  int fail = static_cast<int>(samples.size()) - by[Outcome::kOk];
  std::printf("%s_count %zu\n%s_fail %d\n%s_fail_timeout %d\n%s_fail_connection %d\n"
              "%s_fail_status %d\n%s_p50_ms %.1f\n%s_p99_ms %.1f\n%s_max_ms %.1f\n",
              name, samples.size(), name, fail, name, by[Outcome::kTimeout], name,
              by[Outcome::kConnection], name, by[Outcome::kStatus], name, Percentile(ms, 0.5),
              name, Percentile(ms, 0.99), name, ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()));
}

int Probe(const std::string& token, int seconds, int rate) {
  std::string host = "Host: 127.0.0.1:" + std::to_string(g_port) + "\r\n";
  const std::string requests[2] = {
      "GET /health HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n",
      "GET /api/v1/auth/me HTTP/1.1\r\n" + host + "Authorization: Bearer " + token +
          "\r\nConnection: close\r\n\r\n"};
  std::mutex mu;
  std::vector<Sample> samples[2];
  std::vector<std::thread> inflight;
  auto start = Clock::now();
  int total = seconds * rate;
  for (int i = 0; i < total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(1'000'000LL * i / rate));
    for (int k = 0; k < 2; ++k) {
      inflight.emplace_back([&, k] {
        Sample s = Fetch(requests[k]);
        std::lock_guard<std::mutex> lock(mu);
        samples[k].push_back(s);
      });
    }
  }
  for (auto& t : inflight) t.join();
  PrintSamples("health", samples[0]);
  PrintSamples("me", samples[1]);
  return 0;
}

// --- idle keep-alive connections ---------------------------------------------

struct Conn {
  int fd = -1;
  bool connected = false;
  bool awaiting = false;  // a request is out, its answer not yet in
  bool answered_once = false;
  Clock::time_point next_send;
  std::string buf;
};

int Idle(int conns, int seconds, int refresh_s) {
  const std::string request =
      "GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(g_port) + "\r\n\r\n";
  int ep = epoll_create1(EPOLL_CLOEXEC);
  std::vector<Conn> c(static_cast<size_t>(conns));
  long opened = 0, connect_failed = 0, closed_by_server = 0, sent = 0, answers = 0, bad = 0;
  int peak_answered_open = 0;
  std::mt19937 rng(42);
  auto open = [&](size_t i) {
    Conn& k = c[i];
    k = Conn{};
    k.fd = StartConnect();
    if (k.fd < 0) { ++connect_failed; return; }
    epoll_event ev{EPOLLOUT | EPOLLIN | EPOLLRDHUP, {.u64 = i}};
    epoll_ctl(ep, EPOLL_CTL_ADD, k.fd, &ev);
    ++opened;
  };
  auto drop = [&](size_t i) {
    close(c[i].fd);
    c[i].fd = -1;
    ++(c[i].connected ? closed_by_server : connect_failed);
  };
  auto send_request = [&](size_t i) {
    Conn& k = c[i];
    if (send(k.fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) { drop(i); return; }
    ++sent;
    k.awaiting = true;
  };
  auto start = Clock::now();
  auto end = start + std::chrono::seconds(seconds);
  size_t next_open = 0;
  std::vector<epoll_event> events(1024);
  while (Clock::now() < end) {
    // Open (or, in the hostile variant, reopen) at most 1000 a second.
    auto now = Clock::now();
    long budget = static_cast<long>(Ms(now - start)) - (opened + connect_failed);
    for (; budget > 0 && next_open < c.size(); --budget) open(next_open++);
    for (size_t i = 0; i < c.size() && refresh_s > 0 && next_open == c.size(); ++i) {
      Conn& k = c[i];
      if (k.fd < 0) {
        if (budget-- > 0) open(i);
        continue;
      }
      if (k.connected && !k.awaiting && now >= k.next_send) send_request(i);
    }
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 50);
    for (int e = 0; e < n; ++e) {
      size_t i = events[e].data.u64;
      Conn& k = c[i];
      if (k.fd < 0) continue;
      if (!k.connected && (events[e].events & EPOLLOUT)) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(k.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) { drop(i); continue; }
        k.connected = true;
        epoll_event ev{EPOLLIN | EPOLLRDHUP, {.u64 = i}};
        epoll_ctl(ep, EPOLL_CTL_MOD, k.fd, &ev);
        send_request(i);
        continue;
      }
      if (events[e].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        char chunk[4096];
        ssize_t r = recv(k.fd, chunk, sizeof chunk, 0);
        if (r <= 0) { drop(i); continue; }
        k.buf.append(chunk, static_cast<size_t>(r));
        int status = 0;
        size_t size;
        while ((size = ResponseSize(k.buf, &status)) > 0) {
          k.buf.erase(0, size);
          ++answers;
          if (status != 200) ++bad;
          k.awaiting = false;
          k.answered_once = true;
          std::uniform_int_distribution<int> jitter(0, 999);
          k.next_send = Clock::now() + std::chrono::seconds(refresh_s) +
                        std::chrono::milliseconds(refresh_s > 0 ? jitter(rng) - 500 : 0);
        }
      }
    }
    int answered_open = 0;
    for (const Conn& k : c) answered_open += (k.fd >= 0 && k.answered_once) ? 1 : 0;
    peak_answered_open = std::max(peak_answered_open, answered_open);
  }
  int still_open = 0, answered_open = 0, waiting = 0;
  for (const Conn& k : c) {
    if (k.fd < 0) continue;
    ++still_open;
    if (k.answered_once) ++answered_open;
    if (k.awaiting) ++waiting;
    close(k.fd);
  }
  std::printf("idle_opened %ld\nidle_connect_failed %ld\nidle_closed_by_server %ld\n"
              "idle_requests %ld\nidle_answers %ld\nidle_answers_not_200 %ld\n"
              "idle_peak_answered_open %d\nidle_open_at_end %d\nidle_answered_open_at_end %d\n"
              "idle_waiting_at_end %d\n",
              opened, connect_failed, closed_by_server, sent, answers, bad, peak_answered_open,
              still_open, answered_open, waiting);
  close(ep);
  return 0;
}

// --- oversized request lines and headers ---------------------------------------

std::string Oversized(int variant, std::mt19937& rng) {
  std::uniform_int_distribution<size_t> kib(20 * 1024, 64 * 1024);
  std::string host = "Host: 127.0.0.1:" + std::to_string(g_port) + "\r\n";
  switch (variant) {
    case 0:  // request line of 20-64 KiB
      return "GET /health?pad=" + std::string(kib(rng), 'a') + " HTTP/1.1\r\n" + host + "\r\n";
    case 1:  // one header line over 8 KiB
      return "GET /health HTTP/1.1\r\n" + host + "X-Big: " + std::string(9 * 1024, 'b') + "\r\n\r\n";
    case 2: {  // more than 64 header lines
      std::string r = "GET /health HTTP/1.1\r\n" + host;
      for (int i = 0; i < 100; ++i) r += "X-H" + std::to_string(i) + ": v\r\n";
      return r + "\r\n";
    }
    default: {  // 20-64 KiB of headers, each line under 8 KiB
      std::string r = "GET /health HTTP/1.1\r\n" + host;
      size_t want = kib(rng);
      for (int i = 0; r.size() < want; ++i) {
        r += "X-Pad" + std::to_string(i) + ": " + std::string(4000, 'c') + "\r\n";
      }
      return r + "\r\n";
    }
  }
}

// Each client pauses this long between requests: 32 clients then offer about
// 1,000 oversized requests a second, a flood of bad requests rather than a
// CPU-saturation test (which any server fails on 2 shared cores).
constexpr auto kOversizePause = 25ms;

const char* kVariantNames[] = {"long_request_line", "header_over_8k", "100_headers",
                               "headers_20_64k"};

int Oversize(int seconds, int clients) {
  std::mutex mu;
  std::map<std::string, long> counts;  // "variant outcome" -> n
  double max_ms = 0;
  auto end = Clock::now() + std::chrono::seconds(seconds);
  std::vector<std::thread> ts;
  for (int t = 0; t < clients; ++t) {
    ts.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      for (int i = t; Clock::now() < end; ++i) {
        int variant = i % 4;
        std::string request = Oversized(variant, rng);
        auto start = Clock::now();
        auto deadline = start + kTimeout;
        std::string outcome = "hang";
        int fd = StartConnect();
        if (fd < 0) {
          outcome = "connect_failed";
        } else {
          std::string buf;
          size_t sent = 0;
          while (Clock::now() < deadline) {
            short want = sent < request.size() ? (POLLIN | POLLOUT) : POLLIN;
            pollfd p{fd, want, 0};
            if (poll(&p, 1, Remaining(deadline)) != 1) break;
            if (p.revents & POLLIN || p.revents & (POLLHUP | POLLERR)) {
              char chunk[4096];
              ssize_t n = recv(fd, chunk, sizeof chunk, 0);
              if (n < 0 && errno == EAGAIN) continue;
              if (n <= 0) { outcome = buf.empty() ? "closed" : "partial_then_closed"; break; }
              buf.append(chunk, static_cast<size_t>(n));
              if (buf.size() >= 12 && buf.find("\r\n") != std::string::npos) {
                outcome = buf.substr(9, 3);
                break;
              }
              continue;
            }
            ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN) { outcome = "closed"; break; }
            if (n > 0) sent += static_cast<size_t>(n);
          }
          close(fd);
        }
        double ms = Ms(Clock::now() - start);
        {
          std::lock_guard<std::mutex> lock(mu);
          ++counts[std::string(kVariantNames[variant]) + " " + outcome];
          max_ms = std::max(max_ms, ms);
        }
        std::this_thread::sleep_for(kOversizePause);
      }
    });
  }
  for (auto& t : ts) t.join();
  long total = 0, hang = 0, unexpected = 0;
  for (const auto& [key, n] : counts) {
    std::string outcome = key.substr(key.find(' ') + 1);
    total += n;
    if (outcome == "hang") hang += n;
    else if (outcome != "400" && outcome != "414" && outcome != "431" && outcome != "closed" &&
             outcome != "partial_then_closed") {
      unexpected += n;
    }
    std::printf("oversize_outcome %s %ld\n", key.c_str(), n);
  }
  std::printf("oversize_requests %ld\noversize_hang %ld\noversize_unexpected %ld\n"
              "oversize_max_ms %.1f\n",
              total, hang, unexpected, max_ms);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 2) g_port = std::atoi(args[1].c_str());
  if (args.size() == 5 && args[0] == "probe") {
    return Probe(args[2], std::stoi(args[3]), std::stoi(args[4]));
  }
  if (args.size() == 5 && args[0] == "idle") {
    return Idle(std::stoi(args[2]), std::stoi(args[3]), std::stoi(args[4]));
  }
  if (args.size() == 4 && args[0] == "oversize") {
    return Oversize(std::stoi(args[2]), std::stoi(args[3]));
  }
  std::fprintf(stderr,
               "usage: hostile probe PORT TOKEN SECONDS RATE | idle PORT CONNS SECONDS REFRESH_S |"
               " oversize PORT SECONDS CLIENTS\n");
  return 2;
}

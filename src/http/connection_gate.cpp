#include "http/connection_gate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>


namespace cairn::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// How often deadlines are checked: a timeout fires up to this late.
constexpr milliseconds kSweepInterval{100};
// How long a closing connection's input is read and dropped.
constexpr milliseconds kLingerTime{2000};
// One read from a socket into a connection's buffer.
constexpr size_t kReadChunk = 16 * 1024;

void SetNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void AddressOf(const sockaddr_storage& addr, std::string* ip, int* port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    *port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    *port = ntohs(in6->sin6_port);
  }
  *ip = text;
}

void ReadAddresses(Connection& c) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(c.fd(), reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    AddressOf(addr, &c.remote_addr, &c.remote_port);
  }
  addr = {};
  len = sizeof addr;
  if (getsockname(c.fd(), reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    AddressOf(addr, &c.local_addr, &c.local_port);
  }
}

// Best effort on a non-blocking socket: a client that cannot take a few
// hundred bytes at once does not get them.
void SendNow(int fd, const std::string& bytes) {
  (void)send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

// --- ConnectionGate -----------------------------------------------------------

ConnectionGate::ConnectionGate(Options options, ServeFn serve)
    : options_(std::move(options)), serve_(std::move(serve)) {}

ConnectionGate::~ConnectionGate() { Stop(); }

Status ConnectionGate::Start() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    return Status::Unavailable(std::string("cannot start the connection gate: ") +
                               std::strerror(errno));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  workers_ = std::make_unique<httplib::ThreadPool>(options_.workers, options_.max_queued);
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void ConnectionGate::Stop() {
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    if (stopping_.exchange(true, std::memory_order_acq_rel)) return;
  }
  if (thread_.joinable()) {
    Wake();
    thread_.join();
  }
  // Queued requests still run (and answer with Connection: close); the
  // connections they would give back are dropped by Send().
  if (workers_) workers_->shutdown();
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  epoll_fd_ = wake_fd_ = -1;
}

void ConnectionGate::Admit(int fd) {
  auto conn = std::make_unique<Connection>(fd, &open_);
  SetNonBlocking(fd);
  if (open_.load(std::memory_order_relaxed) > options_.max_connections) {
    // Under a flood: no linger, the client has had no time to send much.
    over_capacity_.fetch_add(1, std::memory_order_relaxed);
    SendNow(fd, options_.refusal(503));
    return;
  }
  ReadAddresses(*conn);
  Send(std::move(conn), /*linger=*/false);
}

void ConnectionGate::Send(std::unique_ptr<Connection> conn, bool linger) {
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    if (stopping_.load(std::memory_order_acquire)) return;  // closes conn
    inbox_.push_back({std::move(conn), linger});
  }
  Wake();
}

void ConnectionGate::Wake() {
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

ConnectionGate::Stats ConnectionGate::stats() const {
  Stats s;
  s.open = open_.load(std::memory_order_relaxed);
  s.waiting = waiting_count_.load(std::memory_order_relaxed);
  s.idle_timeouts = idle_timeouts_.load(std::memory_order_relaxed);
  s.request_timeouts = request_timeouts_.load(std::memory_order_relaxed);
  s.too_large = too_large_.load(std::memory_order_relaxed);
  s.over_capacity = over_capacity_.load(std::memory_order_relaxed);
  s.workers_busy = workers_busy_.load(std::memory_order_relaxed);
  return s;
}

void ConnectionGate::Loop() {
  constexpr int kMaxEvents = 256;
  epoll_event events[kMaxEvents];
  SteadyTime next_sweep = steady_clock::now() + kSweepInterval;
  // Once stopping, requests still arriving are awaited (to their deadline)
  // and answered; everything else goes at once.
  while (!stopping() || DropAllButArriving()) {
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, static_cast<int>(kSweepInterval.count()));
    SteadyTime now = steady_clock::now();
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == wake_fd_) {
        uint64_t count;
        (void)!::read(wake_fd_, &count, sizeof count);
        TakeInbox(now);
      } else {
        OnReadable(events[i].data.fd, now);
      }
    }
    if (now >= next_sweep) {
      Sweep(now);
      next_sweep = now + kSweepInterval;
    }
    waiting_count_.store(static_cast<int64_t>(waiting_.size()), std::memory_order_relaxed);
  }
  waiting_.clear();
  std::lock_guard<std::mutex> lock(inbox_mu_);
  inbox_.clear();
  waiting_count_.store(0, std::memory_order_relaxed);
}

bool ConnectionGate::DropAllButArriving() {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second->phase == Connection::Phase::kReceiving) {
      ++it;
    } else {
      it = waiting_.erase(it);
    }
  }
  return !waiting_.empty();
}

void ConnectionGate::TakeInbox(SteadyTime now) {
  std::vector<Arrival> arrivals;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    arrivals.swap(inbox_);
  }
  for (Arrival& a : arrivals) {
    if (a.linger) {
      Linger(std::move(a.conn), now);
    } else if (a.conn->received.empty()) {
      // Thousands may sit idle: none keeps the buffer of its last request.
      a.conn->received.shrink_to_fit();
      a.conn->phase = Connection::Phase::kIdle;
      a.conn->deadline = now + options_.keep_alive_timeout;
      Hold(std::move(a.conn));
    } else {
      // The client sent its next request with the last (pipelining).
      a.conn->phase = Connection::Phase::kReceiving;
      a.conn->deadline = now + options_.request_timeout;
      Advance(std::move(a.conn), now);
    }
  }
}

void ConnectionGate::Hold(std::unique_ptr<Connection> conn) {
  if (!conn->watched) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = conn->fd();
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, conn->fd(), &ev) != 0) return;  // closes conn
    conn->watched = true;
  }
  int fd = conn->fd();
  waiting_[fd] = std::move(conn);
}

void ConnectionGate::OnReadable(int fd, SteadyTime now) {
  auto it = waiting_.find(fd);
  if (it == waiting_.end()) return;
  Connection& c = *it->second;
  // Bounded: framing decides long before a buffer grows past this.
  const size_t max_buffer = options_.framing.max_header_bytes +
                            2 * options_.framing.max_body_bytes + 2 * kReadChunk;
  char chunk[kReadChunk];
  for (;;) {
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n > 0) {
      if (c.phase == Connection::Phase::kLingering) continue;  // dropped
      if (c.phase == Connection::Phase::kIdle) {
        c.phase = Connection::Phase::kReceiving;
        c.deadline = now + options_.request_timeout;
      }
      c.received.append(chunk, static_cast<size_t>(n));
      if (c.received.size() >= max_buffer) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    waiting_.erase(it);  // the client closed, or the socket failed
    return;
  }
  if (c.phase != Connection::Phase::kReceiving) return;
  std::unique_ptr<Connection> conn = std::move(it->second);
  waiting_.erase(it);
  Advance(std::move(conn), now);
}

void ConnectionGate::Advance(std::unique_ptr<Connection> conn, SteadyTime now) {
  Framing f = FrameRequest(conn->received, options_.framing);
  if (f.awaits_continue) {
    // Answer the expectation here, and drop it from the request so that
    // httplib does not answer it again.
    SendNow(conn->fd(), "HTTP/1.1 100 Continue\r\n\r\n");
    conn->received.erase(f.expect_begin, f.expect_end - f.expect_begin);
    f = FrameRequest(conn->received, options_.framing);
  }
  switch (f.state) {
    case Framing::State::kIncomplete: Hold(std::move(conn)); return;
    case Framing::State::kComplete: Dispatch(std::move(conn), now); return;
    case Framing::State::kUriTooLong:
      too_large_.fetch_add(1, std::memory_order_relaxed);
      Refuse(std::move(conn), 414, now);
      return;
    case Framing::State::kHeaderTooLarge:
      too_large_.fetch_add(1, std::memory_order_relaxed);
      Refuse(std::move(conn), 431, now);
      return;
  }
}

void ConnectionGate::Dispatch(std::unique_ptr<Connection> conn, SteadyTime now) {
  if (conn->watched) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, conn->fd(), nullptr);
    conn->watched = false;
  }
  // std::function must be copyable, so the task carries the connection as a
  // raw pointer and takes ownership back when it runs.
  Connection* raw = conn.release();
  bool queued = workers_->enqueue([this, raw] { Serve(std::unique_ptr<Connection>(raw)); });
  if (!queued) {
    workers_busy_.fetch_add(1, std::memory_order_relaxed);
    Refuse(std::unique_ptr<Connection>(raw), 503, now);
  }
}

void ConnectionGate::Serve(std::unique_ptr<Connection> conn) {
  for (;;) {
    After after = serve_(*conn);
    if (after == After::kClose) return;
    if (after == After::kLinger) return Send(std::move(conn), /*linger=*/true);
    ++conn->requests_served;
    if (!NextRequestFollows(*conn)) return Send(std::move(conn), /*linger=*/false);
  }
}

// A keep-alive client usually sends its next request the moment it has read
// the response. Waiting a moment for it here saves handing the connection to
// the gate and back, two thread hops that cost a third of the throughput of
// small requests. A client that is idle or slow holds the worker no longer
// than kFollowUpWaitMs; whatever part of a request has come goes to the gate.
bool ConnectionGate::NextRequestFollows(Connection& c) {
  constexpr int kFollowUpWaitMs = 1;
  if (stopping()) return false;
  if (c.received.empty()) {
    pollfd p{c.fd(), POLLIN, 0};
    if (poll(&p, 1, kFollowUpWaitMs) <= 0) return false;
    char chunk[kReadChunk];
    ssize_t n = recv(c.fd(), chunk, sizeof chunk, MSG_DONTWAIT);
    if (n <= 0) return false;  // the gate sees the close or the error too
    c.received.append(chunk, static_cast<size_t>(n));
  }
  Framing f = FrameRequest(c.received, options_.framing);
  return f.state == Framing::State::kComplete;
}

void ConnectionGate::Refuse(std::unique_ptr<Connection> conn, int status, SteadyTime now) {
  SendNow(conn->fd(), options_.refusal(status));
  Linger(std::move(conn), now);
}

void ConnectionGate::Linger(std::unique_ptr<Connection> conn, SteadyTime now) {
  shutdown(conn->fd(), SHUT_WR);
  conn->phase = Connection::Phase::kLingering;
  conn->received.clear();
  conn->received.shrink_to_fit();
  conn->deadline = now + kLingerTime;
  Hold(std::move(conn));
}

void ConnectionGate::Sweep(SteadyTime now) {
  // Refusing puts a connection back into waiting_, which must not change
  // while it is walked.
  std::vector<std::unique_ptr<Connection>> too_slow;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    Connection& c = *it->second;
    if (now < c.deadline) {
      ++it;
      continue;
    }
    if (c.phase == Connection::Phase::kReceiving) {
      too_slow.push_back(std::move(it->second));
    } else if (c.phase == Connection::Phase::kIdle) {
      idle_timeouts_.fetch_add(1, std::memory_order_relaxed);
    }
    it = waiting_.erase(it);  // a lingering one is done
  }
  for (auto& conn : too_slow) {
    request_timeouts_.fetch_add(1, std::memory_order_relaxed);
    Refuse(std::move(conn), 408, now);
  }
}

}  // namespace cairn::http

#include "http/connection.h"

#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace cairn::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

bool ContainsCloseToken(std::string_view value) {
  // "close" as one of the comma-separated tokens, any case.
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    std::string_view token =
        value.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (token.size() == 5 && strncasecmp(token.data(), "close", 5) == 0) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}


}  // namespace

// --- Connection ---------------------------------------------------------------

Connection::Connection(int fd, std::atomic<int64_t>* open) : fd_(fd), open_(open) {
  open_->fetch_add(1, std::memory_order_relaxed);
}

Connection::~Connection() {
  shutdown(fd_, SHUT_RDWR);
  close(fd_);
  open_->fetch_sub(1, std::memory_order_relaxed);
}

// --- ConnectionStream ---------------------------------------------------------

ConnectionStream::ConnectionStream(Connection& conn, SteadyTime read_deadline,
                                   milliseconds write_timeout)
    : conn_(conn), read_deadline_(read_deadline), write_timeout_(write_timeout) {}

ConnectionStream::~ConnectionStream() { conn_.received.erase(0, read_pos_); }

bool ConnectionStream::WaitFor(short events, SteadyTime deadline) const {
  for (;;) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left.count() < 0) return false;
    pollfd p{conn_.fd(), events, 0};
    int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

bool ConnectionStream::is_readable() const {
  return read_pos_ < conn_.received.size() || WaitFor(POLLIN, read_deadline_);
}

// A client that has hung up is not worth writing to: an event stream learns
// here that its client left (httplib asks before each message), rather than
// from a send that fails only after the peer's reset.
bool ConnectionStream::is_writable() const {
  if (!WaitFor(POLLOUT, steady_clock::now() + write_timeout_)) return false;
  pollfd p{conn_.fd(), POLLRDHUP, 0};
  return poll(&p, 1, 0) == 0;
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  size_t buffered = conn_.received.size() - read_pos_;
  if (buffered > 0) {
    size_t n = std::min(size, buffered);
    std::memcpy(ptr, conn_.received.data() + read_pos_, n);
    read_pos_ += n;
    return static_cast<ssize_t>(n);
  }
  for (;;) {
    ssize_t n = recv(conn_.fd(), ptr, size, 0);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    if (!WaitFor(POLLIN, read_deadline_)) return -1;
  }
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  for (;;) {
    ssize_t n = send(conn_.fd(), ptr, size, MSG_NOSIGNAL);
    if (n >= 0) {
      WatchResponseHead(ptr, static_cast<size_t>(n));
      return n;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    if (!WaitFor(POLLOUT, steady_clock::now() + write_timeout_)) return -1;
  }
}

// Reads the response head as it is written, skipping interim (1xx) heads.
void ConnectionStream::WatchResponseHead(const char* ptr, size_t size) {
  constexpr size_t kMaxHead = 64 * 1024;  // httplib writes the head in one go; this is a bound
  while (!head_done_ && size > 0) {
    size_t take = std::min(size, kMaxHead - head_.size());
    head_.append(ptr, take);
    ptr += take;
    size -= take;
    size_t end = head_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (head_.size() >= kMaxHead) head_done_ = true;
      return;
    }
    std::string_view head(head_.data(), end + 2);
    if (head.size() > 9 && head.substr(0, 5) == "HTTP/" && head[9] == '1') {
      // An interim response; the final one follows.
      std::string rest = head_.substr(end + 4);
      head_.clear();
      WatchResponseHead(rest.data(), rest.size());
      continue;
    }
    size_t pos = head.find("\r\n") + 2;
    while (pos < head.size()) {
      size_t eol = head.find("\r\n", pos);
      std::string_view line = head.substr(pos, eol - pos);
      size_t colon = line.find(':');
      if (colon == 10 && strncasecmp(line.data(), "Connection", 10) == 0 &&
          ContainsCloseToken(line.substr(colon + 1))) {
        response_closes_ = true;
      }
      pos = eol + 2;
    }
    head_done_ = true;
    head_.clear();
    head_.shrink_to_fit();
  }
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = conn_.remote_addr;
  port = conn_.remote_port;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = conn_.local_addr;
  port = conn_.local_port;
}

}  // namespace cairn::http

#pragma once

// A client connection as the connection gate (http/connection_gate.h) and
// its workers pass it between them, and the stream through which httplib
// reads a request from it and writes the response.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "http/httplib_config.h"

namespace cairn::http {

using SteadyTime = std::chrono::steady_clock::time_point;

// A client connection, and what it has sent that no worker has read yet.
// The gate owns it while it waits, a worker while it serves a request.
class Connection {
 public:
  enum class Phase { kIdle, kReceiving, kLingering };

  // Takes the socket; counts itself in *open while it exists.
  Connection(int fd, std::atomic<int64_t>* open);
  ~Connection();  // shuts the socket down and closes it
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }

  std::string remote_addr;
  int remote_port = 0;
  std::string local_addr;
  int local_port = 0;
  std::string received;  // bytes not yet read by httplib
  int requests_served = 0;
  Phase phase = Phase::kIdle;
  SteadyTime deadline;    // end of the current phase
  bool watched = false;   // registered with the gate's epoll

 private:
  const int fd_;
  std::atomic<int64_t>* const open_;
};

// httplib's view of a connection while a worker serves one request. Reads
// come from what the gate received, then from the socket until the request's
// deadline (a request handed over early, as one refused unread, cannot hold
// a worker longer). Writes wait at most write_timeout for the socket.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(Connection& conn, SteadyTime read_deadline,
                   std::chrono::milliseconds write_timeout);
  ~ConnectionStream() override;  // drops what httplib read from conn.received

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return conn_.fd(); }

  // The final response's header said "Connection: close". httplib does not
  // close on it by itself; the pipeline says it when the rest of the request
  // was left unread and must not be taken for the next one.
  bool response_closes() const { return response_closes_; }

 private:
  bool WaitFor(short events, SteadyTime deadline) const;
  void WatchResponseHead(const char* ptr, size_t size);

  Connection& conn_;
  const SteadyTime read_deadline_;
  const std::chrono::milliseconds write_timeout_;
  size_t read_pos_ = 0;  // into conn_.received
  std::string head_;     // the response head so far, until its blank line
  bool head_done_ = false;
  bool response_closes_ = false;
};

}  // namespace cairn::http

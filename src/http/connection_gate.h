#pragma once

// The connection gate: one thread that holds every client connection while
// it is idle or still sending its request, and hands it to a worker only
// once the whole request has arrived (http/request_framing.h). After the
// response a keep-alive connection comes back to the gate.
//
// Why: cpp-httplib gives each connection a worker for as long as it stays
// open, so a few hundred clients that send slowly (slowloris, slow bodies)
// or hold idle keep-alive connections would take every worker and starve
// everyone else. Held by the gate they cost a socket and a small buffer;
// workers only ever run requests that are ready.
//
// Deadlines, checked by the gate thread:
//   - a connection with no request in progress is closed after
//     keep_alive_timeout (also a new one that sends nothing);
//   - a request must arrive whole within request_timeout of its first byte,
//     else 408 and the connection is closed;
//   - beyond max_connections a new connection gets 503 at once, and so does
//     a ready request when every worker is busy and the queue is full.
// A connection that ends with an answer the client may not have finished
// sending to (408, 414, 431, 503, or a response with "Connection: close")
// is closed gracefully: FIN first, its input read and dropped for a short
// while, so the client's kernel does not reset it before the answer is read.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/connection.h"
#include "http/httplib_config.h"
#include "http/request_framing.h"
#include "util/status.h"

namespace cairn::http {

class ConnectionGate {
 public:
  struct Options {
    int64_t max_connections = 10000;
    size_t workers = 128;
    size_t max_queued = 256;  // ready requests waiting for a worker
    std::chrono::milliseconds request_timeout{5000};
    std::chrono::milliseconds keep_alive_timeout{5000};
    FramingLimits framing;
    // The bytes of the gate's own answer with this status (408, 414, 431,
    // 503), closing the connection.
    std::function<std::string(int status)> refusal;
  };
  // What the worker does with a connection whose `received` starts with a
  // whole request (or one the gate stopped waiting for, see
  // request_framing.h).
  enum class After { kKeepAlive, kClose, kLinger };
  using ServeFn = std::function<After(Connection&)>;

  struct Stats {
    int64_t open = 0;     // connections, waiting or being served
    int64_t waiting = 0;  // held by the gate
    uint64_t idle_timeouts = 0;
    uint64_t request_timeouts = 0;  // 408
    uint64_t too_large = 0;         // 414 and 431 from the gate
    uint64_t over_capacity = 0;     // 503: max_connections reached
    uint64_t workers_busy = 0;      // 503: the queue for workers full
  };

  ConnectionGate(Options options, ServeFn serve);
  ~ConnectionGate();  // Stop()
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;

  // Starts the gate thread and the workers.
  [[nodiscard]] Status Start();
  // Takes an accepted socket. Any thread.
  void Admit(int fd);
  // Closes the idle connections the gate holds, waits for the requests
  // still arriving (at most request_timeout), lets the workers finish every
  // request they have (each answered with "Connection: close") and joins
  // them. Idempotent.
  void Stop();
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  int64_t max_connections() const { return options_.max_connections; }

  Stats stats() const;

 private:
  void Loop();
  // Stopping: closes every held connection but those with a request still
  // arriving; whether any are left.
  bool DropAllButArriving();
  void TakeInbox(SteadyTime now);
  // Keeps conn in waiting_, watched for input.
  void Hold(std::unique_ptr<Connection> conn);
  void OnReadable(int fd, SteadyTime now);
  // Frames conn's request: hands it to a worker, answers it, or keeps
  // waiting. conn is not in waiting_ while this runs.
  void Advance(std::unique_ptr<Connection> conn, SteadyTime now);
  void Dispatch(std::unique_ptr<Connection> conn, SteadyTime now);
  // On a worker: serves conn's request, and the next ones while they follow
  // at once; then gives it back to the gate, or closes it.
  void Serve(std::unique_ptr<Connection> conn);
  bool NextRequestFollows(Connection& c);
  void Refuse(std::unique_ptr<Connection> conn, int status, SteadyTime now);
  void Linger(std::unique_ptr<Connection> conn, SteadyTime now);
  void Sweep(SteadyTime now);
  // From a worker or the accept thread: into the gate's care, to wait for
  // a request or to linger. Dropped (closed) once the gate is stopping.
  void Send(std::unique_ptr<Connection> conn, bool linger);
  void Wake();  // the gate thread, to read its inbox or to stop

  const Options options_;
  const ServeFn serve_;

  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: the inbox has connections
  std::thread thread_;
  std::unique_ptr<httplib::ThreadPool> workers_;
  std::atomic<bool> stopping_{false};

  struct Arrival {
    std::unique_ptr<Connection> conn;
    bool linger;
  };
  std::mutex inbox_mu_;
  std::vector<Arrival> inbox_;  // guarded by inbox_mu_

  // Gate thread only: what it holds, by socket.
  std::unordered_map<int, std::unique_ptr<Connection>> waiting_;

  std::atomic<int64_t> open_{0};
  std::atomic<int64_t> waiting_count_{0};
  std::atomic<uint64_t> idle_timeouts_{0};
  std::atomic<uint64_t> request_timeouts_{0};
  std::atomic<uint64_t> too_large_{0};
  std::atomic<uint64_t> over_capacity_{0};
  std::atomic<uint64_t> workers_busy_{0};
};

}  // namespace cairn::http

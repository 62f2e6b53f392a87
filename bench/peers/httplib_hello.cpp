// The framework ceiling for bench/run.sh: a bare cpp-httplib server built
// from the same header and with the same compile-time limits, worker count
// and socket options as Cairn, answering GET /health with a constant body.
// Cairn's rate divided by this one is what Cairn's own middleware, routing,
// envelope and logging cost; this one divided by nginx's is what httplib's
// thread-per-connection model costs.
//
//   httplib_hello PORT

#include <cstdlib>

#include "http/httplib_config.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(64, 256); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000);
  server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", "application/json");
  });
  return server.listen("127.0.0.1", std::atoi(argv[1])) ? 0 : 1;
}

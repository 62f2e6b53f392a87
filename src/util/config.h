#pragma once

// Settings: every one has a name (the environment variable), a default that
// works on a laptop, and a check. A value is taken from the command-line
// flags first, then the environment, then the optional config file
// (CAIRN_CONFIG or --config: KEY=VALUE lines, '#' comments), then the default.
//
// A bad value is an InvalidArgument whose message starts with the setting's
// name, so main can print it as the one line on stderr and exit non-zero.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/log.h"
#include "util/status.h"

namespace cairn {

struct Config {
  int port = 8080;
  std::string host = "0.0.0.0";
  std::string database_path = "./cairn.db";
  // Empty: generated on first start and kept beside the database (0600).
  std::string jwt_secret;
  size_t max_body_bytes = 10 * 1024;
  bool sqlite_synchronous_full = true;  // false: NORMAL
  int sqlite_busy_timeout_ms = 5000;
  log::Level log_level = log::Level::kInfo;
  log::Format log_format = log::Format::kJson;
  // Allowed CORS origins: CORS_ORIGINS plus FRONTEND_URL and CLIENT_URL.
  std::vector<std::string> cors_origins;
  // HTTP worker threads. They run only requests that have fully arrived
  // (http/connection_gate.h); an open event stream holds one for its life.
  int worker_threads = 128;
  int max_queued_connections = 256;  // ready requests waiting for a worker
  // Open client connections; also bounded by the limit on open files.
  int max_connections = 10000;
  // A request must arrive whole within this many seconds of its first byte.
  int read_timeout_s = 5;
  int write_timeout_s = 5;
  int keep_alive_timeout_s = 5;
  int shutdown_timeout_s = 10;
  int db_pool_size = 4;
  // A rotated refresh token presented again within this many seconds gets a
  // fresh pair (concurrent tabs); later, it revokes its session.
  int refresh_reuse_grace_s = 10;
  int access_token_ttl_s = 15 * 60;
  int refresh_token_ttl_s = 30 * 24 * 3600;
  std::string access_cookie_name = "access_token";
  std::string refresh_cookie_name = "refresh_token";
  bool cookie_secure = false;
  // The web front end, for links in mail (FRONTEND_URL); empty: none.
  std::string frontend_url;
  // A command that sends an RFC 5322 message read from stdin; empty: keep
  // mail in the sandbox mailbox.
  std::string mail_command;
  std::string mail_from = "Cairn <cairn@localhost>";
  // Rate limiting (API.md §8). The rule strings are parsed, and refused
  // with the setting's name, by ratelimit::RuleTableFrom at startup.
  bool rate_limit_enabled = true;
  std::string rate_limit_anon = "100/15m";
  std::string rate_limit_user = "60/1m,1000/1h";
  std::string rate_limit_merchant = "300/1m,10000/1h";
  std::string rate_limit_auth = "10/1m";
  std::string rate_limit_payments = "10/1m";
  std::string rate_limit_rates = "120/1m";
  int rate_limit_max_keys = 1'000'000;
  std::string trust_proxy = "0";  // parsed by http::ProxyTrust::Parse
  // The sandbox bank (API.md §13): seconds before a remittance settles, and
  // the amounts' cents (0-99) whose payments fail at settlement.
  int sandbox_settle_seconds = 5;
  std::vector<int> sandbox_fail_cents = {13};
  // Cards (API.md §9): off by default; the routes answer 404 when off.
  bool feature_cards = false;
  // Webhooks (API.md §10).
  bool webhook_allow_private = false;
  int webhook_workers = 4;
  int webhook_timeout_s = 10;  // a whole try; connecting gets at most 3 s of it
  int webhook_retry_base_ms = 60'000;
  // The CAs an https receiver's certificate must chain to (PEM); Debian's
  // bundle from the ca-certificates package.
  std::string webhook_ca_file = "/etc/ssl/certs/ca-certificates.crt";
  // The live event stream: open streams in total (each holds a worker; 0
  // means a quarter of WORKER_THREADS) and per user, and the heartbeat.
  int sse_max_clients = 0;
  int sse_max_per_user = 5;
  int sse_heartbeat_s = 15;
  // GET /metrics listens on its own port, off (0) unless set.
  int metrics_port = 0;
  std::string metrics_host = "127.0.0.1";
};

// One setting, for the loader and for --help and the README.
struct SettingInfo {
  const char* name;
  const char* default_value;
  const char* help;
};
const std::vector<SettingInfo>& Settings();

// Looks a name up in the environment; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// flags: setting name -> value, from the command line (already mapped from
// --port etc. by main). config_file: path or empty; when empty, CAIRN_CONFIG
// from flags or env is used if set.
Result<Config> LoadConfig(const std::map<std::string, std::string>& flags, const EnvLookup& env);

// Parses the config file format. InvalidArgument naming the file and line on a
// syntax error or an unknown setting.
Result<std::map<std::string, std::string>> ParseConfigFile(const std::string& path,
                                                           const std::string& text);

// True for "scheme://host[:port]": scheme http or https, a lowercase host name
// or IP ([v6] in brackets), an optional port 1-65535, and nothing after.
bool IsValidOrigin(const std::string& origin);

}  // namespace cairn

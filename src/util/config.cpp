#include "util/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "util/numbers.h"

namespace cairn {

namespace {

const char* const kDefaultOrigins =
    "http://localhost:3000,http://localhost:3001,http://localhost:5173";

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

Status Bad(const std::string& name, const std::string& value, const std::string& why) {
  return Status::InvalidArgument(name + ": " + why + " (got \"" + value + "\")");
}

Status IntSetting(const std::string& name, const std::string& value, int64_t lo, int64_t hi,
                  int* out) {
  int64_t v;
  if (!ParseDecimal(value, lo, hi, &v)) {
    return Bad(name, value,
               "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  *out = static_cast<int>(v);
  return Status::Ok();
}

// Seconds, or a number with a unit: 900, 900s, 15m, 12h, 30d.
Status DurationSetting(const std::string& name, const std::string& value, int64_t lo, int64_t hi,
                       int* out) {
  int64_t unit = 1;
  std::string digits = value;
  if (!value.empty()) {
    switch (value.back()) {
      case 's':
        unit = 1;
        digits.pop_back();
        break;
      case 'm':
        unit = 60;
        digits.pop_back();
        break;
      case 'h':
        unit = 3600;
        digits.pop_back();
        break;
      case 'd':
        unit = 86400;
        digits.pop_back();
        break;
      default:
        break;
    }
  }
  int64_t v;
  if (!ParseDecimal(digits, 1, hi, &v) || v * unit < lo || v * unit > hi) {
    return Bad(name, value,
               "must be a duration from " + std::to_string(lo) + "s to " + std::to_string(hi) +
                   "s, like 900, 15m, 12h or 30d");
  }
  *out = static_cast<int>(v * unit);
  return Status::Ok();
}

// A cookie name: an RFC 6265 token, short.
bool IsCookieName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = Trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// The database's directory must exist and be writable; SQLite also needs to
// create the -wal and -shm files beside it.
Status CheckDatabasePath(const std::string& path) {
  if (path.empty()) return Bad("DATABASE_PATH", path, "must not be empty");
  // Each pooled connection would get its own empty in-memory database.
  if (path == ":memory:" || path.rfind("file:", 0) == 0) {
    return Bad("DATABASE_PATH", path, "must be a file path");
  }
  std::string dir = ".";
  size_t slash = path.find_last_of('/');
  if (slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Bad("DATABASE_PATH", path, "directory " + dir + " does not exist");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    return Bad("DATABASE_PATH", path, "directory " + dir + " is not writable");
  }
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) return Bad("DATABASE_PATH", path, "is not a regular file");
    if (::access(path.c_str(), R_OK | W_OK) != 0) {
      return Bad("DATABASE_PATH", path, "is not readable and writable");
    }
  }
  return Status::Ok();
}

// Applies one named setting to cfg. Names not in Settings() never get here.
Status Apply(const std::string& name, const std::string& value, Config* cfg) {
  if (name == "PORT") return IntSetting(name, value, 1, 65535, &cfg->port);
  if (name == "HOST") {
    if (value.empty()) return Bad(name, value, "must not be empty");
    cfg->host = value;
    return Status::Ok();
  }
  if (name == "DATABASE_PATH") {
    Status s = CheckDatabasePath(value);
    if (!s.ok()) return s;
    cfg->database_path = value;
    return Status::Ok();
  }
  if (name == "JWT_SECRET") {
    if (value.size() < 32) {
      return Status::InvalidArgument("JWT_SECRET: must be at least 32 bytes (got " +
                                     std::to_string(value.size()) + ")");
    }
    cfg->jwt_secret = value;
    return Status::Ok();
  }
  if (name == "MAX_BODY_BYTES") {
    int v = 0;
    Status s = IntSetting(name, value, 64, 16 * 1024 * 1024, &v);
    if (s.ok()) cfg->max_body_bytes = static_cast<size_t>(v);
    return s;
  }
  if (name == "SQLITE_SYNCHRONOUS") {
    if (value != "FULL" && value != "NORMAL") return Bad(name, value, "must be FULL or NORMAL");
    cfg->sqlite_synchronous_full = value == "FULL";
    return Status::Ok();
  }
  if (name == "SQLITE_BUSY_TIMEOUT_MS") {
    return IntSetting(name, value, 0, 600000, &cfg->sqlite_busy_timeout_ms);
  }
  if (name == "LOG_LEVEL") {
    if (!log::ParseLevel(value, &cfg->log_level)) {
      return Bad(name, value, "must be debug, info, warn or error");
    }
    return Status::Ok();
  }
  if (name == "LOG_FORMAT") {
    if (!log::ParseFormat(value, &cfg->log_format)) return Bad(name, value, "must be json or text");
    return Status::Ok();
  }
  if (name == "CORS_ORIGINS" || name == "FRONTEND_URL" || name == "CLIENT_URL") {
    if (name == "FRONTEND_URL") {
      cfg->frontend_url = value;
      while (!cfg->frontend_url.empty() && cfg->frontend_url.back() == '/') {
        cfg->frontend_url.pop_back();
      }
    }
    for (std::string origin : SplitList(value)) {
      while (!origin.empty() && origin.back() == '/') origin.pop_back();
      // Browsers send scheme and host in lowercase; so compare that way.
      for (char& c : origin) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!IsValidOrigin(origin)) {
        return Bad(name, value, "must be origins like https://app.example.com");
      }
      cfg->cors_origins.push_back(origin);
    }
    return Status::Ok();
  }
  if (name == "WORKER_THREADS") return IntSetting(name, value, 2, 1024, &cfg->worker_threads);
  if (name == "MAX_QUEUED_CONNECTIONS") {
    return IntSetting(name, value, 1, 65536, &cfg->max_queued_connections);
  }
  if (name == "MAX_CONNECTIONS") {
    return IntSetting(name, value, 1, 1000000, &cfg->max_connections);
  }
  if (name == "READ_TIMEOUT_S") return IntSetting(name, value, 1, 300, &cfg->read_timeout_s);
  if (name == "WRITE_TIMEOUT_S") return IntSetting(name, value, 1, 300, &cfg->write_timeout_s);
  if (name == "KEEP_ALIVE_TIMEOUT_S") {
    return IntSetting(name, value, 1, 300, &cfg->keep_alive_timeout_s);
  }
  if (name == "SHUTDOWN_TIMEOUT_S") {
    return IntSetting(name, value, 1, 600, &cfg->shutdown_timeout_s);
  }
  if (name == "DB_POOL_SIZE") return IntSetting(name, value, 1, 64, &cfg->db_pool_size);
  if (name == "REFRESH_REUSE_GRACE_S") {
    return IntSetting(name, value, 0, 300, &cfg->refresh_reuse_grace_s);
  }
  if (name == "ACCESS_TOKEN_TTL") {
    return DurationSetting(name, value, 60, 24 * 3600, &cfg->access_token_ttl_s);
  }
  if (name == "REFRESH_TOKEN_TTL") {
    return DurationSetting(name, value, 3600, 365 * 24 * 3600, &cfg->refresh_token_ttl_s);
  }
  if (name == "ACCESS_COOKIE_NAME" || name == "REFRESH_COOKIE_NAME") {
    if (!IsCookieName(value)) {
      return Bad(name, value, "must be 1-64 letters, digits, '_', '-' or '.'");
    }
    (name == "ACCESS_COOKIE_NAME" ? cfg->access_cookie_name : cfg->refresh_cookie_name) = value;
    return Status::Ok();
  }
  if (name == "COOKIE_SECURE") {
    if (value != "0" && value != "1") return Bad(name, value, "must be 0 or 1");
    cfg->cookie_secure = value == "1";
    return Status::Ok();
  }
  if (name == "MAIL_COMMAND") {
    cfg->mail_command = value;
    return Status::Ok();
  }
  if (name == "MAIL_FROM") {
    if (value.empty() || value.find_first_of("\r\n") != std::string::npos) {
      return Bad(name, value, "must be one non-empty line");
    }
    cfg->mail_from = value;
    return Status::Ok();
  }
  if (name == "RATE_LIMIT_ENABLED") {
    if (value != "0" && value != "1") return Bad(name, value, "must be 0 or 1");
    cfg->rate_limit_enabled = value == "1";
    return Status::Ok();
  }
  static const std::pair<const char*, std::string Config::*> kRuleSettings[] = {
      {"RATE_LIMIT_ANON", &Config::rate_limit_anon},
      {"RATE_LIMIT_USER", &Config::rate_limit_user},
      {"RATE_LIMIT_MERCHANT", &Config::rate_limit_merchant},
      {"RATE_LIMIT_AUTH", &Config::rate_limit_auth},
      {"RATE_LIMIT_PAYMENTS", &Config::rate_limit_payments},
      {"RATE_LIMIT_RATES", &Config::rate_limit_rates},
      {"TRUST_PROXY", &Config::trust_proxy},
  };
  for (const auto& [setting, field] : kRuleSettings) {
    if (name == setting) {
      cfg->*field = value;
      return Status::Ok();
    }
  }
  if (name == "RATE_LIMIT_MAX_KEYS") {
    return IntSetting(name, value, 1000, 100'000'000, &cfg->rate_limit_max_keys);
  }
  if (name == "SANDBOX_SETTLE_SECONDS") {
    return IntSetting(name, value, 0, 24 * 3600, &cfg->sandbox_settle_seconds);
  }
  if (name == "SANDBOX_FAIL_CENTS") {
    std::vector<int> cents;
    for (const std::string& item : SplitList(value)) {
      int64_t c = 0;
      if (!ParseDecimal(item, 0, 99, &c) || item.size() != 2) {
        return Bad(name, value, "must be a comma list of two-digit cents, like 13,66; or empty");
      }
      cents.push_back(static_cast<int>(c));
    }
    cfg->sandbox_fail_cents = std::move(cents);
    return Status::Ok();
  }
  if (name == "FEATURE_CARDS") {
    if (value != "0" && value != "1") return Bad(name, value, "must be 0 or 1");
    cfg->feature_cards = value == "1";
    return Status::Ok();
  }
  if (name == "WEBHOOK_ALLOW_PRIVATE") {
    if (value != "0" && value != "1") return Bad(name, value, "must be 0 or 1");
    cfg->webhook_allow_private = value == "1";
    return Status::Ok();
  }
  if (name == "WEBHOOK_WORKERS") return IntSetting(name, value, 1, 64, &cfg->webhook_workers);
  if (name == "WEBHOOK_TIMEOUT_S") return IntSetting(name, value, 1, 60, &cfg->webhook_timeout_s);
  if (name == "WEBHOOK_RETRY_BASE_MS") {
    return IntSetting(name, value, 10, 3'600'000, &cfg->webhook_retry_base_ms);
  }
  if (name == "WEBHOOK_CA_FILE") {
    // Not required to exist: http webhooks work without it (the sender
    // warns at startup and fails https tries).
    if (value.empty() || value.find_first_of("\r\n") != std::string::npos) {
      return Bad(name, value, "must be the path of a PEM file of CA certificates");
    }
    cfg->webhook_ca_file = value;
    return Status::Ok();
  }
  if (name == "SSE_MAX_CLIENTS") return IntSetting(name, value, 0, 1023, &cfg->sse_max_clients);
  if (name == "SSE_MAX_PER_USER") return IntSetting(name, value, 1, 100, &cfg->sse_max_per_user);
  if (name == "SSE_HEARTBEAT_S") return IntSetting(name, value, 1, 300, &cfg->sse_heartbeat_s);
  if (name == "METRICS_PORT") return IntSetting(name, value, 0, 65535, &cfg->metrics_port);
  if (name == "METRICS_HOST") {
    if (value.empty()) return Bad(name, value, "must not be empty");
    cfg->metrics_host = value;
    return Status::Ok();
  }
  if (name == "CAIRN_CONFIG") return Status::Ok();  // consumed by LoadConfig
  return Status::Internal("setting " + name + " has no parser");
}

bool IsKnownSetting(const std::string& name) {
  for (const SettingInfo& s : Settings()) {
    if (name == s.name) return true;
  }
  return false;
}

}  // namespace

const std::vector<SettingInfo>& Settings() {
  static const std::vector<SettingInfo> kSettings = {
      {"PORT", "8080", "TCP port to listen on (--port)"},
      {"HOST", "0.0.0.0", "address to bind (--host)"},
      {"DATABASE_PATH", "./cairn.db", "the SQLite file (--db)"},
      {"JWT_SECRET", "(generated)",
       "token signing secret, at least 32 bytes; by default generated on first start and kept "
       "beside the database as <db>.secret (mode 0600)"},
      {"MAX_BODY_BYTES", "10240", "largest accepted request body; larger is 413"},
      {"SQLITE_SYNCHRONOUS", "FULL",
       "FULL: an acknowledged write survives power loss; NORMAL: faster, the last writes may be "
       "lost on power loss (never corrupted)"},
      {"SQLITE_BUSY_TIMEOUT_MS", "5000", "how long a writer waits for the database lock"},
      {"LOG_LEVEL", "info", "debug, info, warn or error"},
      {"LOG_FORMAT", "json",
       "json (one object a line, for machines) or text (key=value, for a terminal)"},
      {"CORS_ORIGINS", kDefaultOrigins, "comma-separated origins allowed by CORS"},
      {"FRONTEND_URL", "", "one more allowed origin"},
      {"CLIENT_URL", "", "one more allowed origin"},
      {"WORKER_THREADS", "128",
       "HTTP worker threads; they run requests that have fully arrived (an open event stream "
       "holds one), never a connection that is idle or still sending"},
      {"MAX_QUEUED_CONNECTIONS", "256",
       "requests that have arrived and wait for a worker; beyond it they get 503"},
      {"MAX_CONNECTIONS", "10000",
       "open client connections (also bounded by the open-file limit, raised at start to its "
       "hard maximum); beyond it new ones get 503"},
      {"READ_TIMEOUT_S", "5",
       "a request must arrive whole (line, headers and body) within this many seconds of its "
       "first byte, else 408"},
      {"WRITE_TIMEOUT_S", "5", "longest wait for a client to take more of a response"},
      {"KEEP_ALIVE_TIMEOUT_S", "5",
       "a connection with no request in progress (a new one too) is closed after this"},
      {"SHUTDOWN_TIMEOUT_S", "10", "longest wait for in-flight requests on SIGTERM"},
      {"DB_POOL_SIZE", "4", "SQLite connections kept open for request handlers"},
      {"REFRESH_REUSE_GRACE_S", "10",
       "a rotated refresh token replayed within this many seconds gets a fresh pair; later it "
       "revokes its session"},
      {"ACCESS_TOKEN_TTL", "15m", "access token lifetime (seconds, or with s, m, h, d)"},
      {"REFRESH_TOKEN_TTL", "30d", "refresh token lifetime (seconds, or with s, m, h, d)"},
      {"ACCESS_COOKIE_NAME", "access_token", "name of the access-token cookie"},
      {"REFRESH_COOKIE_NAME", "refresh_token", "name of the refresh-token cookie"},
      {"COOKIE_SECURE", "0",
       "1: mark cookies Secure (set it when a TLS proxy is in front of Cairn)"},
      {"MAIL_COMMAND", "",
       "command that sends mail read from stdin, e.g. /usr/sbin/sendmail -t; empty: keep mail "
       "in the sandbox mailbox"},
      {"MAIL_FROM", "Cairn <cairn@localhost>", "From header of outgoing mail"},
      {"RATE_LIMIT_ENABLED", "1", "0 turns rate limiting off (local sandboxes, test suites)"},
      {"RATE_LIMIT_ANON", "100/15m", "anonymous /api requests per client IP (count/window)"},
      {"RATE_LIMIT_USER", "60/1m,1000/1h", "requests per signed-in user with role user"},
      {"RATE_LIMIT_MERCHANT", "300/1m,10000/1h", "requests per merchant"},
      {"RATE_LIMIT_AUTH", "10/1m", "register, login, refresh, forgot/reset password per client IP"},
      {"RATE_LIMIT_PAYMENTS", "10/1m", "money-moving POSTs per user"},
      {"RATE_LIMIT_RATES", "120/1m", "exchange-rate reads per client IP"},
      {"RATE_LIMIT_MAX_KEYS", "1000000",
       "clients tracked at most (about 50 bytes each); beyond it new clients share a bucket"},
      {"TRUST_PROXY", "0",
       "0: the socket address is the client; N: trust N proxy hops of X-Forwarded-For; or a "
       "comma list of trusted proxy addresses/CIDRs"},
      {"SANDBOX_SETTLE_SECONDS", "5", "seconds before a sandbox remittance settles"},
      {"SANDBOX_FAIL_CENTS", "13",
       "sandbox payments whose amount ends in these cents fail at settlement (comma list; "
       "empty: none fail)"},
      {"FEATURE_CARDS", "0", "1: serve the cards routes (404 when off)"},
      {"WEBHOOK_ALLOW_PRIVATE", "0",
       "1: let webhooks target loopback, private and link-local addresses (local development "
       "only)"},
      {"WEBHOOK_WORKERS", "4",
       "threads sending webhook deliveries; one endpoint holds at most 2 of them"},
      {"WEBHOOK_TIMEOUT_S", "10", "longest a webhook try may take, connecting included (3 s)"},
      {"WEBHOOK_RETRY_BASE_MS", "60000",
       "wait before a failed webhook delivery's first retry; each later wait is 5 times the "
       "one before (5 retries)"},
      {"WEBHOOK_CA_FILE", "/etc/ssl/certs/ca-certificates.crt",
       "PEM bundle of the CAs that https webhook receivers' certificates must chain to; "
       "read at the first https delivery (until it can be, https deliveries fail)"},
      {"SSE_MAX_CLIENTS", "0",
       "event streams open at once, in total (each holds a worker thread); 0: a quarter of "
       "WORKER_THREADS; must be below WORKER_THREADS"},
      {"SSE_MAX_PER_USER", "5", "event streams one account may hold open at once"},
      {"SSE_HEARTBEAT_S", "15", "seconds between heartbeat comments on an idle event stream"},
      {"METRICS_PORT", "0",
       "port for GET /metrics (Prometheus text format) on its own listener; 0 turns it off"},
      {"METRICS_HOST", "127.0.0.1",
       "address the metrics listener binds; keep it private (loopback or an internal network)"},
      {"CAIRN_CONFIG", "", "optional config file of KEY=VALUE lines (--config)"},
  };
  return kSettings;
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

bool IsValidOrigin(const std::string& origin) {
  size_t sep = origin.find("://");
  if (sep == std::string::npos) return false;
  std::string scheme = origin.substr(0, sep);
  if (scheme != "http" && scheme != "https") return false;
  std::string rest = origin.substr(sep + 3);
  std::string host = rest;
  std::string port;
  if (!rest.empty() && rest[0] == '[') {  // [v6 address]
    size_t close = rest.find(']');
    if (close == std::string::npos || close < 3) return false;
    for (size_t i = 1; i < close; ++i) {
      char c = rest[i];
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.')) return false;
    }
    host = rest.substr(0, close + 1);
    std::string after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return false;
      port = after.substr(1);
      if (port.empty()) return false;
    }
  } else {
    size_t colon = rest.find(':');
    if (colon != std::string::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      if (port.empty()) return false;
    }
    // Lowercase only: browsers send the serialised (lowercase) origin and the
    // CORS check compares exactly. No path, query, userinfo or spaces.
    if (host.empty() || host.front() == '-' || host.front() == '.') return false;
    for (char c : host) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
    }
  }
  if (!port.empty()) {
    int64_t p;
    if (!ParseDecimal(port, 1, 65535, &p)) return false;
  }
  return true;
}

Result<std::map<std::string, std::string>> ParseConfigFile(const std::string& path,
                                                           const std::string& text) {
  std::map<std::string, std::string> out;
  std::stringstream ss(text);
  std::string line;
  int lineno = 0;
  while (std::getline(ss, line)) {
    ++lineno;
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    size_t eq = t.find('=');
    std::string where = path + ":" + std::to_string(lineno);
    if (eq == std::string::npos) {
      return Status::InvalidArgument("CAIRN_CONFIG: " + where + ": expected KEY=VALUE");
    }
    std::string key = Trim(t.substr(0, eq));
    std::string value = Trim(t.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (!IsKnownSetting(key) || key == "CAIRN_CONFIG") {
      return Status::InvalidArgument("CAIRN_CONFIG: " + where + ": unknown setting " + key);
    }
    out[key] = value;
  }
  return out;
}

Result<Config> LoadConfig(const std::map<std::string, std::string>& flags, const EnvLookup& env) {
  std::map<std::string, std::string> file;
  std::optional<std::string> file_path;
  if (auto it = flags.find("CAIRN_CONFIG"); it != flags.end()) {
    file_path = it->second;
  } else {
    file_path = env("CAIRN_CONFIG");
  }
  if (file_path && !file_path->empty()) {
    std::ifstream in(*file_path);
    if (!in) return Bad("CAIRN_CONFIG", *file_path, "cannot be read");
    std::stringstream buf;
    buf << in.rdbuf();
    auto parsed = ParseConfigFile(*file_path, buf.str());
    if (!parsed.ok()) return parsed.status();
    file = std::move(parsed.value());
  }

  Config cfg;
  bool origins_given = false;
  for (const SettingInfo& s : Settings()) {
    std::string name = s.name;
    std::optional<std::string> value;
    if (auto it = flags.find(name); it != flags.end()) {
      value = it->second;
    } else if (auto e = env(name)) {
      value = *e;
    } else if (auto f = file.find(name); f != file.end()) {
      value = f->second;
    }
    if (!value) continue;
    if (name == "CORS_ORIGINS") origins_given = true;
    Status st = Apply(name, *value, &cfg);
    if (!st.ok()) return st;
  }
  if (!origins_given) {
    Status st = Apply("CORS_ORIGINS", kDefaultOrigins, &cfg);
    if (!st.ok()) return st;
  }
  if (cfg.access_cookie_name == cfg.refresh_cookie_name) {
    return Bad("REFRESH_COOKIE_NAME", cfg.refresh_cookie_name,
               "must differ from ACCESS_COOKIE_NAME");
  }
  if (cfg.sse_max_clients == 0) cfg.sse_max_clients = std::max(1, cfg.worker_threads / 4);
  if (cfg.sse_max_clients >= cfg.worker_threads) {
    return Bad("SSE_MAX_CLIENTS", std::to_string(cfg.sse_max_clients),
               "must be below WORKER_THREADS, or streams could take every worker");
  }
  Status st = CheckDatabasePath(cfg.database_path);
  if (!st.ok()) return st;
  return cfg;
}

}  // namespace cairn

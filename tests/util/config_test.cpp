#include "util/config.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "../temp_dir.h"

namespace cairn {
namespace {

using Map = std::map<std::string, std::string>;
using testing::TempDir;
using testing::WriteFile;

const std::vector<std::string> kDefaultOrigins = {"http://localhost:3000", "http://localhost:3001",
                                                  "http://localhost:5173"};

// An environment holding exactly env.
EnvLookup EnvOf(Map env) {
  return [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

Result<Config> Load(const Map& flags, const Map& env = {}) { return LoadConfig(flags, EnvOf(env)); }

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

void CheckSame(const Config& a, const Config& b) {
  CHECK(a.port == b.port);
  CHECK(a.host == b.host);
  CHECK(a.database_path == b.database_path);
  CHECK(a.jwt_secret == b.jwt_secret);
  CHECK(a.max_body_bytes == b.max_body_bytes);
  CHECK(a.sqlite_synchronous_full == b.sqlite_synchronous_full);
  CHECK(a.sqlite_busy_timeout_ms == b.sqlite_busy_timeout_ms);
  CHECK(a.log_level == b.log_level);
  CHECK(a.cors_origins == b.cors_origins);
  CHECK(a.worker_threads == b.worker_threads);
  CHECK(a.max_queued_connections == b.max_queued_connections);
  CHECK(a.read_timeout_s == b.read_timeout_s);
  CHECK(a.write_timeout_s == b.write_timeout_s);
  CHECK(a.keep_alive_timeout_s == b.keep_alive_timeout_s);
  CHECK(a.shutdown_timeout_s == b.shutdown_timeout_s);
  CHECK(a.db_pool_size == b.db_pool_size);
  CHECK(a.webhook_ca_file == b.webhook_ca_file);
}

TEST_CASE("with nothing set every setting has its default") {
  auto cfg = Load({});
  REQUIRE(cfg.ok());
  CHECK(cfg->port == 8080);
  CHECK(cfg->host == "0.0.0.0");
  CHECK(cfg->database_path == "./cairn.db");
  CHECK(cfg->jwt_secret.empty());
  CHECK(cfg->max_body_bytes == 10240);
  CHECK(cfg->sqlite_synchronous_full);
  CHECK(cfg->sqlite_busy_timeout_ms == 5000);
  CHECK(cfg->log_level == log::Level::kInfo);
  CHECK(cfg->cors_origins == kDefaultOrigins);
  CHECK(cfg->worker_threads == 128);
  CHECK(cfg->max_queued_connections == 256);
  CHECK(cfg->read_timeout_s == 5);
  CHECK(cfg->write_timeout_s == 5);
  CHECK(cfg->keep_alive_timeout_s == 5);
  CHECK(cfg->shutdown_timeout_s == 10);
  CHECK(cfg->db_pool_size == 4);
}

TEST_CASE("the documented defaults, given explicitly, change nothing") {
  Map flags;
  for (const SettingInfo& s : Settings()) {
    std::string value = s.default_value;
    if (value.empty() || value == "(generated)") continue;
    flags[s.name] = value;
  }
  CHECK(flags.size() >= 15);
  auto given = Load(flags);
  auto defaults = Load({});
  REQUIRE(given.ok());
  REQUIRE(defaults.ok());
  CheckSame(given.value(), defaults.value());
}

TEST_CASE("a flag beats the environment, which beats the config file") {
  TempDir dir;
  const std::string file = dir.File("cairn.conf");
  WriteFile(file, "PORT=1111\nHOST=file.example\nLOG_LEVEL=warn\n");

  SUBCASE("config file named by a flag") {
    auto cfg = Load({{"CAIRN_CONFIG", file}, {"PORT", "3333"}},
                    {{"PORT", "2222"}, {"HOST", "env.example"}});
    REQUIRE(cfg.ok());
    CHECK(cfg->port == 3333);
    CHECK(cfg->host == "env.example");
    CHECK(cfg->log_level == log::Level::kWarn);
  }
  SUBCASE("config file named by the environment") {
    auto cfg = Load({}, {{"CAIRN_CONFIG", file}, {"PORT", "2222"}});
    REQUIRE(cfg.ok());
    CHECK(cfg->port == 2222);
    CHECK(cfg->host == "file.example");
    CHECK(cfg->log_level == log::Level::kWarn);
  }
  SUBCASE("a config file flag beats one in the environment") {
    const std::string other = dir.File("other.conf");
    WriteFile(other, "PORT=4444\n");
    auto cfg = Load({{"CAIRN_CONFIG", file}}, {{"CAIRN_CONFIG", other}});
    REQUIRE(cfg.ok());
    CHECK(cfg->port == 1111);
  }
  SUBCASE("an empty CAIRN_CONFIG reads no file") {
    auto cfg = Load({{"CAIRN_CONFIG", ""}}, {{"CAIRN_CONFIG", file}});
    REQUIRE(cfg.ok());
    CHECK(cfg->port == 8080);
  }
}

TEST_CASE("a bad value is refused with a message that starts with the setting's name") {
  TempDir dir;
  struct Row {
    std::string name;
    std::string value;
  };
  const std::vector<Row> rows = {
      {"PORT", "abc"},
      {"PORT", "0"},
      {"PORT", "70000"},
      {"PORT", "65536"},
      {"PORT", ""},
      {"PORT", "80 "},
      {"PORT", " 80"},
      {"PORT", "+80"},
      {"PORT", "-1"},
      {"PORT", "8080x"},
      {"PORT", "0x50"},
      {"PORT", "99999999999999999999999"},
      {"HOST", ""},
      {"JWT_SECRET", std::string(31, 'k')},
      {"JWT_SECRET", ""},
      {"SQLITE_SYNCHRONOUS", "OFF"},
      {"SQLITE_SYNCHRONOUS", "full"},
      {"SQLITE_SYNCHRONOUS", ""},
      {"SQLITE_BUSY_TIMEOUT_MS", "600001"},
      {"SQLITE_BUSY_TIMEOUT_MS", "-1"},
      {"LOG_LEVEL", "loud"},
      {"LOG_LEVEL", ""},
      {"LOG_FORMAT", "logfmt"},
      {"LOG_FORMAT", "JSON"},
      {"LOG_FORMAT", ""},
      {"CORS_ORIGINS", "ftp://x"},
      {"CORS_ORIGINS", "http://a.com/path"},
      {"CORS_ORIGINS", "http://a.com,ftp://b.com"},
      {"CORS_ORIGINS", "*"},
      {"CORS_ORIGINS", "null"},
      {"FRONTEND_URL", "app.example.com"},
      {"CLIENT_URL", "https://app.example.com/login"},
      {"WORKER_THREADS", "1"},
      {"WORKER_THREADS", "1025"},
      {"MAX_QUEUED_CONNECTIONS", "0"},
      {"MAX_CONNECTIONS", "0"},
      {"MAX_CONNECTIONS", "1000001"},
      {"READ_TIMEOUT_S", "0"},
      {"WRITE_TIMEOUT_S", "301"},
      {"KEEP_ALIVE_TIMEOUT_S", "x"},
      {"SHUTDOWN_TIMEOUT_S", "601"},
      {"DB_POOL_SIZE", "0"},
      {"DB_POOL_SIZE", "65"},
      {"MAX_BODY_BYTES", "abc"},
      {"MAX_BODY_BYTES", "63"},
      {"MAX_BODY_BYTES", "16777217"},
      {"DATABASE_PATH", ""},
      {"DATABASE_PATH", dir.File("missing/cairn.db")},
      {"DATABASE_PATH", dir.path()},  // a directory, not a file
      {"WEBHOOK_CA_FILE", ""},
      {"WEBHOOK_CA_FILE", "/etc/ssl/a.pem\n/etc/ssl/b.pem"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    CAPTURE(r.value);
    for (bool as_flag : {true, false}) {
      CAPTURE(as_flag);
      auto cfg = as_flag ? Load({{r.name, r.value}}) : Load({}, {{r.name, r.value}});
      REQUIRE_FALSE(cfg.ok());
      CHECK(cfg.status().code() == Code::kInvalidArgument);
      CHECK(StartsWith(cfg.status().message(), r.name + ": "));
    }
  }
}

TEST_CASE("values at the edges of their ranges are accepted") {
  struct Row {
    Map flags;
    std::function<bool(const Config&)> holds;
  };
  const std::vector<Row> rows = {
      {{{"PORT", "1"}}, [](const Config& c) { return c.port == 1; }},
      {{{"PORT", "65535"}}, [](const Config& c) { return c.port == 65535; }},
      {{{"JWT_SECRET", std::string(32, 'k')}},
       [](const Config& c) { return c.jwt_secret == std::string(32, 'k'); }},
      {{{"SQLITE_SYNCHRONOUS", "NORMAL"}},
       [](const Config& c) { return !c.sqlite_synchronous_full; }},
      {{{"SQLITE_BUSY_TIMEOUT_MS", "0"}},
       [](const Config& c) { return c.sqlite_busy_timeout_ms == 0; }},
      {{{"LOG_LEVEL", "debug"}}, [](const Config& c) { return c.log_level == log::Level::kDebug; }},
      {{{"LOG_LEVEL", "error"}}, [](const Config& c) { return c.log_level == log::Level::kError; }},
      {{{"LOG_FORMAT", "text"}}, [](const Config& c) { return c.log_format == log::Format::kText; }},
      {{{"LOG_FORMAT", "json"}}, [](const Config& c) { return c.log_format == log::Format::kJson; }},
      {{{"WORKER_THREADS", "2"}}, [](const Config& c) { return c.worker_threads == 2; }},
      {{{"WORKER_THREADS", "1024"}}, [](const Config& c) { return c.worker_threads == 1024; }},
      {{{"MAX_CONNECTIONS", "1"}}, [](const Config& c) { return c.max_connections == 1; }},
      {{{"MAX_CONNECTIONS", "1000000"}}, [](const Config& c) { return c.max_connections == 1000000; }},
      {{{"MAX_BODY_BYTES", "64"}}, [](const Config& c) { return c.max_body_bytes == 64; }},
      {{{"MAX_BODY_BYTES", "16777216"}},
       [](const Config& c) { return c.max_body_bytes == 16777216; }},
      {{{"DB_POOL_SIZE", "1"}}, [](const Config& c) { return c.db_pool_size == 1; }},
      {{{"DB_POOL_SIZE", "64"}}, [](const Config& c) { return c.db_pool_size == 64; }},
      {{{"SHUTDOWN_TIMEOUT_S", "600"}},
       [](const Config& c) { return c.shutdown_timeout_s == 600; }},
      {{{"HOST", "127.0.0.1"}}, [](const Config& c) { return c.host == "127.0.0.1"; }},
      // Need not exist yet: https deliveries fail until it does.
      {{{"WEBHOOK_CA_FILE", "/nonexistent/ca.pem"}},
       [](const Config& c) { return c.webhook_ca_file == "/nonexistent/ca.pem"; }},
  };
  for (const Row& r : rows) {
    CAPTURE(r.flags.begin()->first);
    CAPTURE(r.flags.begin()->second);
    auto cfg = Load(r.flags);
    REQUIRE(cfg.ok());
    CHECK(r.holds(cfg.value()));
  }
}

TEST_CASE("a database path in an existing directory is taken") {
  TempDir dir;
  auto cfg = Load({{"DATABASE_PATH", dir.File("cairn.db")}});
  REQUIRE(cfg.ok());
  CHECK(cfg->database_path == dir.File("cairn.db"));
  CHECK_FALSE(testing::FileExists(dir.File("cairn.db")));  // checking creates nothing
}

TEST_CASE("FRONTEND_URL and CLIENT_URL add to the allowed origins without a trailing slash") {
  SUBCASE("added to the default list") {
    auto cfg = Load({}, {{"FRONTEND_URL", "https://app.example.com/"},
                         {"CLIENT_URL", "https://client.example.com:8443"}});
    REQUIRE(cfg.ok());
    std::vector<std::string> want = {"https://app.example.com", "https://client.example.com:8443"};
    want.insert(want.end(), kDefaultOrigins.begin(), kDefaultOrigins.end());
    std::vector<std::string> got = cfg->cors_origins;
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    CHECK(got == want);
  }
  SUBCASE("added to an explicit list") {
    auto cfg = Load({{"CORS_ORIGINS", " https://a.com , https://b.com/ ,"}},
                    {{"CLIENT_URL", "http://localhost:4000"}});
    REQUIRE(cfg.ok());
    CHECK(cfg->cors_origins ==
          std::vector<std::string>{"https://a.com", "https://b.com", "http://localhost:4000"});
  }
  SUBCASE("an empty CORS_ORIGINS allows no origin") {
    auto cfg = Load({{"CORS_ORIGINS", ""}});
    REQUIRE(cfg.ok());
    CHECK(cfg->cors_origins.empty());
  }
}

TEST_CASE("the config file skips comments and blank lines and unquotes values") {
  auto parsed = ParseConfigFile("cairn.conf",
                                "# a comment\n"
                                "\n"
                                "   \t\n"
                                "  PORT = 9090  \n"
                                "HOST=\"127.0.0.1\"\n"
                                "LOG_LEVEL='debug'\r\n"
                                "JWT_SECRET=\"a=b=c\"\n"
                                "FRONTEND_URL=\"https://x.com'\n"
                                "CLIENT_URL=\"\n");
  REQUIRE(parsed.ok());
  const Map want = {
      {"PORT", "9090"},
      {"HOST", "127.0.0.1"},
      {"LOG_LEVEL", "debug"},
      {"JWT_SECRET", "a=b=c"},
      {"FRONTEND_URL", "\"https://x.com'"},  // mismatched quotes are kept
      {"CLIENT_URL", "\""},
  };
  CHECK(parsed.value() == want);
}

TEST_CASE("config file syntax errors name the file and line") {
  struct Row {
    std::string text;
    std::string where;
  };
  const std::vector<Row> rows = {
      {"PORT=1\nHOST\n", "f.conf:2"},
      {"# c\n\nPORT 8080\n", "f.conf:3"},
      {"NOT_A_SETTING=1\n", "f.conf:1"},
      {"PORT=1\nport=2\n", "f.conf:2"},
      {"CAIRN_CONFIG=/etc/other.conf\n", "f.conf:1"},
      {"=8080\n", "f.conf:1"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.text);
    auto parsed = ParseConfigFile("f.conf", r.text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == Code::kInvalidArgument);
    CHECK(StartsWith(parsed.status().message(), "CAIRN_CONFIG: " + r.where + ": "));
  }
}

TEST_CASE("a config file that is bad or missing stops loading") {
  TempDir dir;
  SUBCASE("an unknown setting") {
    WriteFile(dir.File("c.conf"), "PORT=9000\nPROT=9001\n");
    auto cfg = Load({{"CAIRN_CONFIG", dir.File("c.conf")}});
    REQUIRE_FALSE(cfg.ok());
    CHECK(StartsWith(cfg.status().message(), "CAIRN_CONFIG: " + dir.File("c.conf") + ":2: "));
  }
  SUBCASE("a bad value names the setting") {
    WriteFile(dir.File("c.conf"), "PORT=\"99999\"\n");
    auto cfg = Load({}, {{"CAIRN_CONFIG", dir.File("c.conf")}});
    REQUIRE_FALSE(cfg.ok());
    CHECK(StartsWith(cfg.status().message(), "PORT: "));
  }
  SUBCASE("a bad value in the file is not reached when a flag overrides it") {
    WriteFile(dir.File("c.conf"), "PORT=abc\n");
    CHECK(Load({{"CAIRN_CONFIG", dir.File("c.conf")}, {"PORT", "9000"}}).ok());
  }
  SUBCASE("a missing file") {
    auto cfg = Load({{"CAIRN_CONFIG", dir.File("absent.conf")}});
    REQUIRE_FALSE(cfg.ok());
    CHECK(cfg.status().code() == Code::kInvalidArgument);
    CHECK(StartsWith(cfg.status().message(), "CAIRN_CONFIG: "));
  }
}

TEST_CASE("origins are scheme, host and optional port, and nothing else") {
  const std::vector<std::string> good = {
      "http://localhost:3000", "https://app.example.com",   "http://127.0.0.1:8080",
      "http://[::1]:3000",     "https://a-b.example.co.uk",
  };
  for (const std::string& o : good) {
    CAPTURE(o);
    CHECK(IsValidOrigin(o));
  }
  const std::vector<std::string> bad = {
      "",
      "localhost:3000",
      "ftp://x",
      "ws://a.com",
      "HTTP://a.com",
      "http://",
      "http:/a.com",
      "https//a.com",
      "https://a.com/",
      "http://a.com/path",
      "http://a.com?x=1",
      "http://a.com#f",
      "http://user@a.com",
      "http://a .com",
      "http://a.com\r\n",
      "*",
      "null",
  };
  for (const std::string& o : bad) {
    CAPTURE(o);
    CHECK_FALSE(IsValidOrigin(o));
  }
}

TEST_CASE("every setting has a name, a help text and a distinct name") {
  std::set<std::string> names;
  for (const SettingInfo& s : Settings()) {
    CAPTURE(s.name);
    CHECK(std::string(s.help).size() > 0);
    CHECK(names.insert(s.name).second);
  }
}

}  // namespace
}  // namespace cairn

namespace cairn {
namespace {

TEST_CASE("an in-memory database is refused: each pooled connection would see its own") {
  for (const char* path : {":memory:", "file::memory:?cache=shared", "file:x.db"}) {
    CAPTURE(path);
    Result<Config> r = Load({{"DATABASE_PATH", path}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().rfind("DATABASE_PATH:", 0) == 0);
  }
}

TEST_CASE("origins with an empty host, an empty or impossible port, or uppercase are refused") {
  for (const char* o : {"http://:80", "http://a.com:", "http://a.com:99999", "http://a.com:0",
                        "http://-", "http://.a.com", "https://App.Example.com", "http://[::1",
                        "http://[zz]:1", "http://a.com:8o"}) {
    CAPTURE(o);
    CHECK_FALSE(IsValidOrigin(o));
  }
}

TEST_CASE("configured origins are lowercased, as browsers send them") {
  Result<Config> r = Load({{"CORS_ORIGINS", "https://App.Example.com, HTTP://LOCALHOST:3000"}});
  REQUIRE(r.ok());
  CHECK(r->cors_origins ==
        std::vector<std::string>{"https://app.example.com", "http://localhost:3000"});
}

TEST_CASE("a refused MAX_BODY_BYTES leaves the setting as it was") {
  Result<Config> r = Load({{"MAX_BODY_BYTES", "abc"}});
  CHECK_FALSE(r.ok());
  Config cfg;
  CHECK(cfg.max_body_bytes == 10240);
}

TEST_CASE("token lifetimes take seconds or a unit, within bounds") {
  auto cfg = Load({}, {{"ACCESS_TOKEN_TTL", "10m"}, {"REFRESH_TOKEN_TTL", "7d"}});
  REQUIRE(cfg.ok());
  CHECK(cfg->access_token_ttl_s == 600);
  CHECK(cfg->refresh_token_ttl_s == 7 * 86400);
  CHECK(Load({}, {{"ACCESS_TOKEN_TTL", "900"}})->access_token_ttl_s == 900);
  for (const char* bad : {"0", "59", "2d", "15x", "m", "", "-5m", "1e3"}) {
    INFO(bad);
    auto r = Load({}, {{"ACCESS_TOKEN_TTL", bad}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().rfind("ACCESS_TOKEN_TTL: ", 0) == 0);
  }
}

TEST_CASE("cookie names are tokens and must differ; COOKIE_SECURE is 0 or 1") {
  auto cfg = Load(
      {},
      {{"ACCESS_COOKIE_NAME", "a_tok"}, {"REFRESH_COOKIE_NAME", "r.tok"}, {"COOKIE_SECURE", "1"}});
  REQUIRE(cfg.ok());
  CHECK(cfg->access_cookie_name == "a_tok");
  CHECK(cfg->refresh_cookie_name == "r.tok");
  CHECK(cfg->cookie_secure);
  // Swapping the two defaults is fine; only equal names are not.
  CHECK(Load({}, {{"ACCESS_COOKIE_NAME", "refresh_token"}, {"REFRESH_COOKIE_NAME", "x"}}).ok());
  CHECK_FALSE(Load({}, {{"ACCESS_COOKIE_NAME", "same"}, {"REFRESH_COOKIE_NAME", "same"}}).ok());
  for (const char* bad : {"", "a b", "a;b", "a=b", "t\r\nSet-Cookie: x"}) {
    INFO(bad);
    CHECK_FALSE(Load({}, {{"ACCESS_COOKIE_NAME", bad}}).ok());
  }
  CHECK_FALSE(Load({}, {{"COOKIE_SECURE", "yes"}}).ok());
}

TEST_CASE("MAIL_FROM is one line; FRONTEND_URL is kept for links and allowed as an origin") {
  CHECK_FALSE(Load({}, {{"MAIL_FROM", "a\r\nBcc: x@example.com"}}).ok());
  auto cfg = Load({}, {{"FRONTEND_URL", "https://app.example.com/"}});
  REQUIRE(cfg.ok());
  CHECK(cfg->frontend_url == "https://app.example.com");
  CHECK(std::find(cfg->cors_origins.begin(), cfg->cors_origins.end(), "https://app.example.com") !=
        cfg->cors_origins.end());
}

}  // namespace
}  // namespace cairn

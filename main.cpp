// cairn: the command line. Each subcommand is a row in kCommands; `cairn`
// alone serves. Exit status 0 on success; 1 with one line on stderr when the
// command fails; 2 with usage for an unknown command or flag.

#include <signal.h>
#include <sodium.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "auth/accounts.h"
#include "auth/password.h"
#include "auth/sessions.h"
#include "auth/signing_secret.h"
#include "http/server.h"
#include "store/database.h"
#include "store/maintenance.h"
#include "store/migrations.h"
#include "util/config.h"
#include "util/embedded.h"
#include "util/log.h"
#include "util/version.h"

namespace {

using cairn::Config;
using cairn::Result;
using cairn::Status;

struct Args {
  std::map<std::string, std::string> settings;  // from --port, --host, --db, --config
  std::string out;                              // --out (backup)
};

struct Command {
  const char* name;
  const char* usage;
  std::vector<const char*> flags;  // accepted flags, each taking a value
  int (*run)(const Args&);
};

int Fail(const std::string& line) {
  std::fprintf(stderr, "cairn: %s\n", line.c_str());
  return 1;
}

Result<Config> LoadConfig(const Args& args) {
  auto cfg = cairn::LoadConfig(args.settings, cairn::ProcessEnv());
  if (cfg.ok()) cairn::log::SetThreshold(cfg->log_level);
  return cfg;
}

cairn::store::DatabaseOptions DbOptions(const Config& cfg, int pool_size) {
  return {cfg.database_path, cfg.sqlite_synchronous_full, cfg.sqlite_busy_timeout_ms, pool_size};
}

Result<std::vector<cairn::store::Migration>> Migrations() {
  return cairn::store::ParseMigrations(cairn::embedded::Migrations());
}

// Opens the database and brings its schema up to date.
Status OpenAndMigrate(const Config& cfg) {
  auto migrations = Migrations();
  if (!migrations.ok()) return migrations.status();
  auto conn = cairn::store::OpenConnection(DbOptions(cfg, 1));
  if (!conn.ok()) return conn.status();
  auto report = cairn::store::Migrate(*conn.value(), migrations.value());
  if (!report.ok()) return report.status();
  return Status::Ok();
}

// For commands that inspect an existing database: they must not create an
// empty one where the path is wrong.
Result<std::unique_ptr<SQLite::Database>> OpenExisting(const Config& cfg) {
  struct stat st {};
  if (::stat(cfg.database_path.c_str(), &st) != 0) {
    return Status::NotFound("no database at " + cfg.database_path);
  }
  return cairn::store::OpenConnection(DbOptions(cfg, 1));
}

int Serve(const Args& args) {
  auto cfg = LoadConfig(args);
  if (!cfg.ok()) return Fail(cfg.status().message());

  // Signals are taken by a dedicated thread (below) with sigwait, so they
  // must be blocked before any other thread starts and inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that hangs up mid-write must not kill the process.
  signal(SIGPIPE, SIG_IGN);
  // One write(2) per batch of request lines instead of one per request; see
  // log.h for what a crash can lose. Flushed when this scope ends.
  std::optional<cairn::log::Buffering> log_buffering;
  log_buffering.emplace(std::chrono::milliseconds(100));

  Status st = OpenAndMigrate(cfg.value());
  if (!st.ok()) return Fail("DATABASE_PATH: " + st.message());
  if (cfg->jwt_secret.empty()) {
    auto secret = cairn::auth::LoadOrCreateSecret(cairn::auth::SecretPathFor(cfg->database_path));
    if (!secret.ok()) return Fail("JWT_SECRET: " + secret.status().message());
    cfg->jwt_secret = std::move(secret.value());
  }

  auto db = cairn::store::Database::Open(DbOptions(cfg.value(), cfg->db_pool_size));
  if (!db.ok()) return Fail("DATABASE_PATH: " + db.status().message());

  cairn::auth::PasswordHasher hasher;
  cairn::auth::AuthOptions auth_options;
  auth_options.signing_key = cfg->jwt_secret;
  auth_options.refresh_reuse_grace_s = cfg->refresh_reuse_grace_s;
  cairn::auth::Sessions sessions(*db.value(), cairn::SystemClock::Get(), auth_options);
  st = sessions.LoadRevocations();
  if (!st.ok()) return Fail("DATABASE_PATH: " + st.message());
  cairn::auth::Accounts accounts(*db.value(), hasher, sessions, cairn::SystemClock::Get());

  cairn::http::AppDeps deps;
  deps.db = db.value().get();
  deps.auth.accounts = &accounts;
  deps.auth.sessions = &sessions;
  cairn::http::Server server(cfg.value(), deps);
  st = server.Bind();
  if (!st.ok()) return Fail(st.message());

  std::atomic<bool> finished{false};
  std::thread signal_thread([&server, &stop_signals, &finished, timeout = cfg->shutdown_timeout_s] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (finished.load()) return;  // woken by main after the server ended by itself
    cairn::log::Info("shutdown_started").Str("signal", sig == SIGINT ? "SIGINT" : "SIGTERM").Emit();
    // In-flight requests get SHUTDOWN_TIMEOUT_S; past it the process leaves
    // without them (SQLite's WAL keeps every committed write).
    std::thread([timeout] {
      std::this_thread::sleep_for(std::chrono::seconds(timeout));
      cairn::log::Error("shutdown_timeout").Int("seconds", timeout).Emit();
      cairn::log::Flush();
      std::_Exit(1);
    }).detach();
    server.Stop();
  });
  server.Run();
  finished.store(true);
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  db.value().reset();  // closes every connection, checkpointing the WAL
  log_buffering.reset();
  cairn::log::Info("shutdown_complete").Emit();
  return 0;
}

int Migrate(const Args& args) {
  auto cfg = LoadConfig(args);
  if (!cfg.ok()) return Fail(cfg.status().message());
  auto migrations = Migrations();
  if (!migrations.ok()) return Fail(migrations.status().message());
  auto conn = cairn::store::OpenConnection(DbOptions(cfg.value(), 1));
  if (!conn.ok()) return Fail(conn.status().message());
  auto report = cairn::store::Migrate(*conn.value(), migrations.value());
  if (!report.ok()) return Fail(report.status().message());
  std::printf("applied %d migration(s); schema version %d\n", report->applied,
              report->current_version);
  return 0;
}

int Check(const Args& args) {
  auto cfg = LoadConfig(args);
  if (!cfg.ok()) return Fail(cfg.status().message());
  auto conn = OpenExisting(cfg.value());
  if (!conn.ok()) return Fail(conn.status().message());
  auto problems = cairn::store::CheckIntegrity(*conn.value());
  if (!problems.ok()) return Fail(problems.status().message());
  for (const std::string& p : problems.value()) std::printf("problem: %s\n", p.c_str());
  if (!problems->empty()) return Fail("the database is damaged (" + cfg->database_path + ")");

  auto migrations = Migrations();
  if (!migrations.ok()) return Fail(migrations.status().message());
  int pending = 0;
  Status st = cairn::store::Verify(*conn.value(), migrations.value(), &pending);
  if (!st.ok()) return Fail(st.message());
  auto instance = cairn::store::ReadInstance(*conn.value());
  std::printf("ok: %s integrity ok, %d migration(s) pending", cfg->database_path.c_str(), pending);
  if (instance.ok()) {
    std::printf(", instance %s created %s", instance->instance_id.c_str(),
                instance->created_at.c_str());
  }
  std::printf("\n");
  return 0;
}

int Backup(const Args& args) {
  if (args.out.empty()) return Fail("backup needs --out FILE");
  auto cfg = LoadConfig(args);
  if (!cfg.ok()) return Fail(cfg.status().message());
  auto conn = OpenExisting(cfg.value());
  if (!conn.ok()) return Fail(conn.status().message());
  Status st = cairn::store::Backup(*conn.value(), args.out);
  if (!st.ok()) return Fail(st.message());
  std::printf("backup written to %s\n", args.out.c_str());
  return 0;
}

int OpenApi(const Args&) {
  cairn::http::Router router;
  cairn::http::SystemDeps system;
  cairn::http::AppDeps app;
  cairn::http::BuildRoutes(router, system, app);
  std::printf("%s\n", system.openapi_json.c_str());
  return 0;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"serve", "serve [--port N] [--host H] [--db PATH] [--config FILE]   run the server",
       {"--port", "--host", "--db", "--config"}, Serve},
      {"migrate", "migrate [--db PATH]                    apply pending migrations and exit",
       {"--db", "--config"}, Migrate},
      {"check", "check [--db PATH]                      integrity check; non-zero when damaged",
       {"--db", "--config"}, Check},
      {"backup", "backup --out FILE [--db PATH]          online, consistent copy of the database",
       {"--db", "--config", "--out"}, Backup},
      {"openapi", "openapi                                print the OpenAPI document", {}, OpenApi},
  };
  return kCommands;
}

void PrintUsage(FILE* to) {
  std::fprintf(to, "cairn %s: a JSON REST API server in one binary over one SQLite file\n\n",
               cairn::kVersion);
  std::fprintf(to, "usage: cairn [command] [flags]   (no command: serve)\n\ncommands:\n");
  for (const Command& c : Commands()) std::fprintf(to, "  %s\n", c.usage);
  std::fprintf(to, "  --version                              print the version\n");
  std::fprintf(to, "  --help                                 this text\n\nsettings (flag > "
                   "environment > config file > default):\n");
  for (const cairn::SettingInfo& s : cairn::Settings()) {
    std::fprintf(to, "  %-24s %s [default: %s]\n", s.name, s.help,
                 *s.default_value ? s.default_value : "unset");
  }
}

int Usage(const std::string& complaint) {
  std::fprintf(stderr, "cairn: %s\n\n", complaint.c_str());
  PrintUsage(stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> argsv(argv + 1, argv + argc);
  if (!argsv.empty() && (argsv[0] == "--version" || argsv[0] == "version")) {
    std::printf("cairn %s\n", cairn::kVersion);
    return 0;
  }
  if (!argsv.empty() && (argsv[0] == "--help" || argsv[0] == "-h" || argsv[0] == "help")) {
    PrintUsage(stdout);
    return 0;
  }

  const Command* cmd = &Commands()[0];
  size_t i = 0;
  if (!argsv.empty() && argsv[0].rfind("--", 0) != 0) {
    cmd = nullptr;
    for (const Command& c : Commands()) {
      if (argsv[0] == c.name) cmd = &c;
    }
    if (cmd == nullptr) return Usage("unknown command '" + argsv[0] + "'");
    i = 1;
  }

  static const std::map<std::string, std::string> kFlagSetting = {
      {"--port", "PORT"}, {"--host", "HOST"}, {"--db", "DATABASE_PATH"},
      {"--config", "CAIRN_CONFIG"}};
  Args args;
  for (; i < argsv.size(); ++i) {
    std::string flag = argsv[i];
    std::string value;
    bool has_value = false;
    if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    bool known = false;
    for (const char* f : cmd->flags) known = known || flag == f;
    if (!known) return Usage("unknown flag '" + flag + "' for " + cmd->name);
    if (!has_value) {
      if (i + 1 >= argsv.size()) return Usage(flag + " needs a value");
      value = argsv[++i];
    }
    if (flag == "--out") {
      args.out = value;
    } else {
      args.settings[kFlagSetting.at(flag)] = value;
    }
  }

  if (sodium_init() < 0) return Fail("libsodium could not be initialised");
  // The database, its WAL and backups hold credentials: owner-only files.
  ::umask(077);
  return cmd->run(args);
}

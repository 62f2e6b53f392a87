// cairn: the command line. Each subcommand is a row in kCommands; `cairn`
// alone serves. Exit status 0 on success; 1 with one line on stderr when the
// command fails; 2 with usage for an unknown command or flag.

#include <signal.h>
#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "auth/accounts.h"
#include "auth/admin.h"
#include "auth/api_keys.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "auth/password_reset.h"
#include "auth/sessions.h"
#include "auth/signing_secret.h"
#include "events/dispatcher.h"
#include "events/streams.h"
#include "events/webhook_delivery.h"
#include "events/webhooks.h"
#include "http/client_ip.h"
#include "http/metrics_server.h"
#include "http/server.h"
#include "http/webhook_client.h"
#include "mail/mailer.h"
#include "payments/bank_accounts.h"
#include "payments/cards.h"
#include "payments/compliance.h"
#include "payments/merchants.h"
#include "payments/notifications.h"
#include "payments/recipients.h"
#include "payments/sandbox_bank.h"
#include "payments/transactions.h"
#include "ratelimit/limiter.h"
#include "ratelimit/rules.h"
#include "store/database.h"
#include "store/mail.h"
#include "store/maintenance.h"
#include "store/migrations.h"
#include "util/config.h"
#include "util/embedded.h"
#include "util/log.h"
#include "util/version.h"
#include "util/worker.h"

namespace {

using cairn::Config;
using cairn::Result;
using cairn::Status;

struct Args {
  std::map<std::string, std::string> settings;  // from --port, --host, --db, --config
  std::map<std::string, std::string> values;    // every other flag, e.g. "--out"
  std::string Value(const char* flag) const {
    auto it = values.find(flag);
    return it == values.end() ? std::string() : it->second;
  }
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
  if (cfg.ok()) {
    cairn::log::SetThreshold(cfg->log_level);
    cairn::log::SetFormat(cfg->log_format);
  }
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

cairn::auth::AuthOptions AuthOptionsFrom(const Config& cfg) {
  cairn::auth::AuthOptions o;
  o.signing_key = cfg.jwt_secret;
  o.access_ttl_s = cfg.access_token_ttl_s;
  o.refresh_ttl_s = cfg.refresh_token_ttl_s;
  o.refresh_reuse_grace_s = cfg.refresh_reuse_grace_s;
  return o;
}

// The identity services, built in dependency order over one database; the
// server and the account commands share them.
struct Identity {
  Identity(const Config& cfg, cairn::store::Database& db)
      : audit(db, clock),
        sessions(db, clock, audit, AuthOptionsFrom(cfg)),
        accounts(db, hasher, sessions, audit, clock),
        api_keys(db, clock, audit),
        admin(db, sessions, audit, clock),
        mailer(cairn::mail::MakeMailer(cfg.mail_command, cfg.mail_from, db, clock)),
        resets(db, hasher, sessions, audit, *mailer, clock, cfg.frontend_url) {}

  const cairn::Clock& clock = cairn::SystemClock::Get();
  cairn::auth::PasswordHasher hasher;
  cairn::auth::AuditLog audit;
  cairn::auth::Sessions sessions;
  cairn::auth::Accounts accounts;
  cairn::auth::ApiKeys api_keys;
  cairn::auth::Admin admin;
  std::unique_ptr<cairn::mail::Mailer> mailer;
  cairn::auth::PasswordResets resets;  // last: its worker uses the others
};

// The payments domain over the same database: the sandbox bank behind both
// provider interfaces, and the services that use it.
struct Payments {
  Payments(const Config& cfg, cairn::store::Database& db, cairn::auth::Sessions& sessions,
           cairn::auth::PasswordHasher& hasher)
      : bank(cairn::payments::SandboxOptions{cfg.sandbox_settle_seconds, cfg.sandbox_fail_cents}),
        bank_accounts(db, clock, bank),
        recipients(db, clock),
        transactions(db, clock, bank),
        merchants(db, clock),
        notifications(db, clock),
        compliance(db, clock, sessions),
        cards(db, clock, hasher),
        settlement("settlement", std::chrono::milliseconds(500), kBatch,
                   [this] { return transactions.SettleDue(kBatch); }),
        // One DELETE of whatever expired: never a backlog (batch: no limit).
        purge("idempotency_purge", std::chrono::minutes(10), std::numeric_limits<int>::max(),
              [this, &db] { return cairn::payments::PurgeExpiredKeys(db, clock); }) {}

  // Payments settled per pass at most: a backlog drains over several
  // passes without holding the write lock for long.
  static constexpr int kBatch = 100;

  const cairn::Clock& clock = cairn::SystemClock::Get();
  cairn::payments::SandboxBank bank;
  cairn::payments::BankAccounts bank_accounts;
  cairn::payments::Recipients recipients;
  cairn::payments::Transactions transactions;
  cairn::payments::Merchants merchants;
  cairn::payments::Notifications notifications;
  cairn::payments::Compliance compliance;
  cairn::payments::Cards cards;
  // Last: their threads use the others, and stop first.
  cairn::Worker settlement;
  cairn::Worker purge;
};

cairn::events::DeliveryOptions DeliveryOptionsFrom(const Config& cfg) {
  cairn::events::DeliveryOptions o;
  o.workers = cfg.webhook_workers;
  o.total_timeout = std::chrono::seconds(cfg.webhook_timeout_s);
  o.connect_timeout = std::min(o.connect_timeout, o.total_timeout);
  o.retry_base = std::chrono::milliseconds(cfg.webhook_retry_base_ms);
  // Retries fall due without anything waking the deliverer: look as often
  // as the shortest wait, and at least every second.
  o.poll = std::min(o.poll, o.retry_base);
  o.allow_private = cfg.webhook_allow_private;
  return o;
}

// Rate limiting as configured: the rules, the trusted proxies, and the
// limiter (null when RATE_LIMIT_ENABLED=0), which must outlive `rate`.
struct RateSetup {
  std::unique_ptr<cairn::ratelimit::Limiter> limiter;
  cairn::http::RateLimiting rate;
};

Result<RateSetup> RateSetupFrom(const Config& cfg) {
  auto rules = cairn::ratelimit::RuleTableFrom(cfg);
  if (!rules.ok()) return rules.status();
  auto proxies = cairn::http::ProxyTrust::Parse(cfg.trust_proxy);
  if (!proxies.ok()) return Status::InvalidArgument("TRUST_PROXY: " + proxies.status().message());
  RateSetup out;
  if (cfg.rate_limit_enabled) {
    cairn::ratelimit::Limiter::Options opts;
    opts.max_keys = static_cast<size_t>(cfg.rate_limit_max_keys);
    out.limiter = std::make_unique<cairn::ratelimit::Limiter>(opts, cairn::SystemClock::Get());
    out.rate.limiter = out.limiter.get();
  }
  out.rate.rules = std::move(rules.value());
  out.rate.proxies = std::move(proxies.value());
  return out;
}

// The outbox's consumers: the dispatcher hands each event to notifications
// and to webhook endpoints, then wakes the deliverer and the streams.
struct Integration {
  Integration(const Config& cfg, cairn::store::Database& db,
              cairn::payments::Notifications& notifications)
      : sender(cfg.webhook_ca_file),
        webhooks(db, clock, cairn::events::SystemResolver(), cfg.webhook_allow_private),
        streams({cfg.sse_max_clients, cfg.sse_max_per_user}),
        deliverer(db, clock, sender, cairn::events::SystemResolver(), DeliveryOptionsFrom(cfg)),
        dispatcher(db, clock, {&notifications, &webhooks},
                   [this](const std::vector<cairn::store::EventRow>& batch) {
                     deliverer.Wake();
                     std::vector<std::string> users;
                     for (const cairn::store::EventRow& e : batch) users.push_back(e.user_id);
                     streams.Publish(users);
                   }),
        // Woken by every commit that writes an event (SetEventListener
        // below); the 10 ms gather makes one pass of a burst, so the
        // dispatcher's own commits stay few under load.
        dispatch("dispatch", std::chrono::milliseconds(250), kBatch,
                 [this] { return dispatcher.DispatchPending(kBatch); },
                 std::chrono::milliseconds(10)) {}

  // Events dispatched per pass at most: a backlog drains over several passes
  // without holding the write lock for long.
  static constexpr int kBatch = 100;

  const cairn::Clock& clock = cairn::SystemClock::Get();
  cairn::http::HttpWebhookSender sender;
  cairn::events::Webhooks webhooks;
  cairn::events::EventStreams streams;
  cairn::events::WebhookDeliverer deliverer;
  cairn::events::Dispatcher dispatcher;
  cairn::Worker dispatch;  // last: its thread uses the others, and stops first
};

int Serve(const Args& args) {
  const int64_t started_unix = cairn::UnixSeconds(cairn::SystemClock::Get().Now());
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

  auto identity = std::make_unique<Identity>(cfg.value(), *db.value());
  st = identity->sessions.LoadRevocations();
  if (!st.ok()) return Fail("DATABASE_PATH: " + st.message());

  cairn::http::AppDeps deps;
  deps.db = db.value().get();
  deps.auth.accounts = &identity->accounts;
  deps.auth.sessions = &identity->sessions;
  deps.auth.resets = &identity->resets;
  deps.auth.api_keys = &identity->api_keys;
  deps.auth.admin = &identity->admin;
  deps.auth.cookies.access_name = cfg->access_cookie_name;
  deps.auth.cookies.refresh_name = cfg->refresh_cookie_name;
  deps.auth.cookies.secure = cfg->cookie_secure;
  auto payments = std::make_unique<Payments>(cfg.value(), *db.value(), identity->sessions,
                                             identity->hasher);
  deps.payments.bank_accounts = &payments->bank_accounts;
  deps.payments.recipients = &payments->recipients;
  deps.payments.transactions = &payments->transactions;
  deps.payments.merchants = &payments->merchants;
  deps.payments.notifications = &payments->notifications;
  deps.payments.compliance = &payments->compliance;
  deps.payments.cards = &payments->cards;
  deps.payments.cards_enabled = cfg->feature_cards;
  deps.payments.rates_updated_at = cairn::UnixSeconds(cairn::SystemClock::Get().Now());
  auto integration =
      std::make_unique<Integration>(cfg.value(), *db.value(), payments->notifications);
  deps.events.db = db.value().get();
  deps.events.webhooks = &integration->webhooks;
  deps.events.streams = &integration->streams;
  deps.events.heartbeat = std::chrono::seconds(cfg->sse_heartbeat_s);
  db.value()->SetEventListener([w = &integration->dispatch] { w->Wake(); });
  auto rate = RateSetupFrom(cfg.value());
  if (!rate.ok()) return Fail(rate.status().message());
  deps.rate = rate->rate;
  cairn::http::Server server(cfg.value(), deps);
  st = server.Bind();
  if (!st.ok()) return Fail(st.message());
  std::unique_ptr<cairn::http::MetricsServer> metrics;
  if (cfg->metrics_port != 0) {
    cairn::http::MetricsSources sources;
    sources.requests = &server.request_metrics();
    sources.connections = [&server] { return server.connection_stats(); };
    sources.audit = &identity->audit;
    sources.dispatcher = &integration->dispatcher;
    sources.deliverer = &integration->deliverer;
    sources.streams = &integration->streams;
    sources.db = db.value().get();
    sources.started_unix = started_unix;
    metrics = std::make_unique<cairn::http::MetricsServer>(sources);
    st = metrics->Bind(cfg->metrics_host, cfg->metrics_port);
    if (!st.ok()) return Fail(st.message());
    metrics->Start();
  }

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
  metrics.reset();  // reads what is torn down below
  db.value()->SetEventListener(nullptr);  // the settlement worker still commits
  integration.reset();  // finishes webhook tries in progress (each bounded)
  payments.reset();
  identity.reset();    // sends the queued reset mails, then stops its worker
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
  if (args.Value("--out").empty()) return Fail("backup needs --out FILE");
  auto cfg = LoadConfig(args);
  if (!cfg.ok()) return Fail(cfg.status().message());
  auto conn = OpenExisting(cfg.value());
  if (!conn.ok()) return Fail(conn.status().message());
  Status st = cairn::store::Backup(*conn.value(), args.Value("--out"));
  if (!st.ok()) return Fail(st.message());
  std::printf("backup written to %s\n", args.Value("--out").c_str());
  return 0;
}

// Opens (and migrates) the database for a command that changes accounts.
Result<std::unique_ptr<cairn::store::Database>> OpenForCommand(const Config& cfg) {
  Status st = OpenAndMigrate(cfg);
  if (!st.ok()) return st;
  return cairn::store::Database::Open(DbOptions(cfg, 1));
}

// cairn user create: the first admin, or any account, validated like POST
// /api/v1/users. An operator account is not a person, so the names and date
// of birth default to fixed values unless given.
int UserCreate(const Args& args) {
  auto cfg = LoadConfig(args);
  if (!cfg.ok()) return Fail(cfg.status().message());
  std::string password = args.Value("--password");
  if (password == "-") {
    // Keeps the password out of the process list and shell history.
    if (!std::getline(std::cin, password)) return Fail("--password -: nothing on stdin");
  }
  std::string role_name = args.values.count("--role") ? args.Value("--role") : "user";
  std::optional<cairn::auth::Role> role = cairn::auth::ParseRole(role_name);
  if (!role) return Fail("--role: must be user, merchant or admin");
  auto field = [&args](const char* flag, const char* fallback) {
    return args.values.count(flag) ? picojson::value(args.Value(flag)) : picojson::value(fallback);
  };
  picojson::object body;
  body["email"] = picojson::value(args.Value("--email"));
  body["password"] = picojson::value(password);
  body["firstName"] = field("--first-name", "Cairn");
  body["lastName"] = field("--last-name", role == cairn::auth::Role::kAdmin ? "Admin" : "User");
  body["dateOfBirth"] = field("--date-of-birth", "1970-01-01");
  auto account = cairn::auth::ReadNewAccount(body, cairn::SystemClock::Get().Now());
  if (!account.ok()) {
    const auto& d = account.status().details();
    return Fail(d.empty() ? account.status().message() : d[0].field + ": " + d[0].message);
  }
  auto db = OpenForCommand(cfg.value());
  if (!db.ok()) return Fail("DATABASE_PATH: " + db.status().message());
  Identity identity(cfg.value(), *db.value());
  auto user = identity.accounts.Create(account.value(), *role, "");
  if (!user.ok()) return Fail(user.status().message());
  std::printf("created %s %s (%s)\n", user->role.c_str(), user->id.c_str(), user->email.c_str());
  return 0;
}

// cairn mail: the sandbox mailbox, newest first.
int Mail(const Args& args) {
  auto cfg = LoadConfig(args);
  if (!cfg.ok()) return Fail(cfg.status().message());
  auto conn = OpenExisting(cfg.value());
  if (!conn.ok()) return Fail(conn.status().message());
  cairn::store::ListSpec spec;
  spec.order = {{"created_at", true}};
  spec.id_desc = true;
  spec.limit = 20;
  cairn::store::ListResult result;
  auto mail = cairn::store::ListMail(*conn.value(), args.Value("--to"), spec, &result);
  if (!mail.ok()) return Fail(mail.status().message());
  if (mail->empty()) std::printf("the sandbox mailbox is empty\n");
  for (const auto& m : mail.value()) {
    std::printf("From: %s\nTo: %s\nDate: %s\nSubject: %s\n\n%s\n----\n", cfg->mail_from.c_str(),
                m.recipient.c_str(),
                cairn::FormatIso8601(cairn::TimePoint(std::chrono::seconds(m.created_at))).c_str(),
                m.subject.c_str(), m.body.c_str());
  }
  if (result.more)
    std::printf("(%lld more; newest 20 shown)\n", static_cast<long long>(result.total - 20));
  return 0;
}

// The document the server would serve with the same settings: FEATURE_CARDS
// decides whether the card routes exist, and the RATE_LIMIT_* settings what
// `x-rate-limits` says.
int OpenApi(const Args& args) {
  auto cfg = LoadConfig(args);
  if (!cfg.ok()) return Fail(cfg.status().message());
  auto rate = RateSetupFrom(cfg.value());
  if (!rate.ok()) return Fail(rate.status().message());
  cairn::http::Router router;
  cairn::http::SystemDeps system;
  cairn::http::AppDeps app;
  app.payments.cards_enabled = cfg->feature_cards;
  app.rate = rate->rate;
  cairn::http::BuildRoutes(router, system, app);
  std::printf("%s\n", system.openapi_json.c_str());
  return 0;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"serve",
       "serve [--port N] [--host H] [--db PATH] [--config FILE]   run the server",
       {"--port", "--host", "--db", "--config"},
       Serve},
      {"migrate",
       "migrate [--db PATH]                    apply pending migrations and exit",
       {"--db", "--config"},
       Migrate},
      {"check",
       "check [--db PATH]                      integrity check; non-zero when damaged",
       {"--db", "--config"},
       Check},
      {"backup",
       "backup --out FILE [--db PATH]          online, consistent copy of the database",
       {"--db", "--config", "--out"},
       Backup},
      {"user create",
       "user create --email E --password P|- [--role user|merchant|admin] [--first-name F] "
       "[--last-name L] [--date-of-birth YYYY-MM-DD] [--db PATH]\n"
       "                                         create an account (the first admin); - reads "
       "the password from stdin",
       {"--db", "--config", "--email", "--password", "--role", "--first-name", "--last-name",
        "--date-of-birth"},
       UserCreate},
      {"mail",
       "mail [--to EMAIL] [--db PATH]          print the sandbox mailbox, newest first",
       {"--db", "--config", "--to"},
       Mail},
      {"openapi",
       "openapi                                print the OpenAPI document the server serves",
       {"--config"},
       OpenApi},
  };
  return kCommands;
}

void PrintUsage(FILE* to) {
  std::fprintf(to, "cairn %s: a JSON REST API server in one binary over one SQLite file\n\n",
               cairn::kVersion);
  std::fprintf(to, "usage: cairn [command] [flags]   (no command: serve)\n\ncommands:\n");
  for (const Command& c : Commands()) std::fprintf(to, "  %s\n", c.usage);
  std::fprintf(to, "  --version                              print the version\n");
  std::fprintf(to,
               "  --help                                 this text\n\nsettings (flag > "
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
    // A command is one word ("check") or two ("user create").
    cmd = nullptr;
    std::string two = argsv.size() > 1 ? argsv[0] + " " + argsv[1] : "";
    for (const Command& c : Commands()) {
      if (argsv[0] == c.name) {
        cmd = &c;
        i = 1;
      } else if (two == c.name) {
        cmd = &c;
        i = 2;
      }
    }
    if (cmd == nullptr) return Usage("unknown command '" + argsv[0] + "'");
  }

  static const std::map<std::string, std::string> kFlagSetting = {{"--port", "PORT"},
                                                                  {"--host", "HOST"},
                                                                  {"--db", "DATABASE_PATH"},
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
    if (auto setting = kFlagSetting.find(flag); setting != kFlagSetting.end()) {
      args.settings[setting->second] = value;
    } else {
      args.values[flag] = value;
    }
  }

  if (sodium_init() < 0) return Fail("libsodium could not be initialised");
  // The database, its WAL and backups hold credentials: owner-only files.
  ::umask(077);
  return cmd->run(args);
}

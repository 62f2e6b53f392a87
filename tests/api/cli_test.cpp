// The command line and operation (API.md §11-12): subcommands, settings and
// their failures, the signing secret, migrations at start, backup, check and
// graceful shutdown, all by running the real binary.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "harness.h"
#include "util/embedded.h"

using namespace cairn::test;

namespace {

int CountLines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

std::string MigrationRows(const std::string& db_path) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT version, name, checksum FROM schema_migrations ORDER BY 1");
  std::string out;
  while (q.executeStep()) {
    out += q.getColumn(0).getString() + "|" + q.getColumn(1).getString() + "|" +
           q.getColumn(2).getString() + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("--version and --help exit 0; an unknown command or flag prints usage and exits 2") {
  CliResult v = RunCli({"--version"});
  CHECK(v.exit_code == 0);
  CHECK(v.out == "cairn 0.1.0\n");
  CliResult h = RunCli({"--help"});
  CHECK(h.exit_code == 0);
  CHECK(h.out.find("usage: cairn") != std::string::npos);
  CHECK(h.out.find("DATABASE_PATH") != std::string::npos);

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"frobnicate"}, {"serve", "--bogus", "1"}, {"migrate", "--port", "1"},
           {"serve", "--port"}, {"--nope"}}) {
    CliResult r = RunCli(args);
    CAPTURE(args[0]);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("usage: cairn") != std::string::npos);
  }
}

TEST_CASE("a bad setting stops the program before it serves, naming the setting in one line") {
  TempDir dir;
  std::string db = dir.File("c.db");
  struct Case {
    std::map<std::string, std::string> env;
    std::vector<std::string> args;
    std::string name;
  };
  const Case cases[] = {
      {{{"PORT", "abc"}}, {}, "PORT"},
      {{{"PORT", "70000"}}, {}, "PORT"},
      {{}, {"--port", "-1"}, "PORT"},
      {{{"JWT_SECRET", "too-short"}}, {}, "JWT_SECRET"},
      {{{"MAX_BODY_BYTES", "lots"}}, {}, "MAX_BODY_BYTES"},
      {{{"SQLITE_SYNCHRONOUS", "OFF"}}, {}, "SQLITE_SYNCHRONOUS"},
      {{{"LOG_LEVEL", "chatty"}}, {}, "LOG_LEVEL"},
      {{{"CORS_ORIGINS", "not a url"}}, {}, "CORS_ORIGINS"},
      {{}, {"--db", "/nonexistent-dir/cairn.db"}, "DATABASE_PATH"},
      {{}, {"--db", "/proc/cairn.db"}, "DATABASE_PATH"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::vector<std::string> args = {"serve", "--host", "127.0.0.1"};
    bool has_db = false;
    for (const auto& a : c.args) has_db = has_db || a == "--db";
    if (!has_db) {
      args.push_back("--db");
      args.push_back(db);
    }
    args.insert(args.end(), c.args.begin(), c.args.end());
    CliResult r = RunCli(args, c.env);
    CHECK(r.exit_code == 1);
    CHECK(r.err.rfind("cairn: " + c.name + ":", 0) == 0);
    CHECK(CountLines(r.err) == 1);
    CHECK(r.out.find("server_listening") == std::string::npos);
  }
  CHECK(!FileExists(db));  // nothing was created by a refused start
}

TEST_CASE("flags beat the environment, which beats the config file") {
  TempDir dir;
  int file_port = FreePort();
  {
    std::ofstream f(dir.File("cairn.conf"));
    f << "# comment\nPORT=" << file_port << "\nLOG_LEVEL = \"warn\"\n";
  }
  // Only the file: the server listens on the file's port, and warn level
  // drops the per-request info lines.
  {
    ServerProcess::Options opts;
    opts.env["CAIRN_CONFIG"] = dir.File("cairn.conf");
    opts.wait_ready = false;
    ServerProcess server(opts);
    // ServerProcess passes --port, which must win over the file.
    httplib::Client probe("127.0.0.1", server.port());
    bool up = false;
    for (int i = 0; i < 500 && !up; ++i) {
      auto res = probe.Get("/health");
      up = res && res->status == 200;
      if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(up);
    httplib::Client file_client("127.0.0.1", file_port);
    file_client.set_connection_timeout(0, 200000);
    CHECK(!file_client.Get("/health"));
    REQUIRE(server.Stop() == 0);
    CHECK(server.Stdout().find("\"event\":\"request\"") == std::string::npos);
  }
  // Environment over the file: LOG_LEVEL=info brings the request lines back.
  {
    ServerProcess::Options opts;
    opts.env["CAIRN_CONFIG"] = dir.File("cairn.conf");
    opts.env["LOG_LEVEL"] = "info";
    ServerProcess server(opts);
    REQUIRE(server.Stop() == 0);
    CHECK(server.Stdout().find("\"event\":\"request\"") != std::string::npos);
  }
  // A config file with an unknown setting is refused with file and line.
  {
    std::ofstream f(dir.File("bad.conf"));
    f << "PORT=8080\nPROT=9090\n";
  }
  CliResult r = RunCli({"serve", "--db", dir.File("x.db"), "--config", dir.File("bad.conf")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("bad.conf:2") != std::string::npos);
  CHECK(r.err.find("PROT") != std::string::npos);
}

TEST_CASE("the signing secret is generated once, mode 0600, and kept across restarts") {
  TempDir dir;
  ServerProcess::Options opts;
  opts.db_path = dir.File("cairn.db");
  std::string secret_path = dir.File("cairn.db.secret");
  std::string first;
  {
    ServerProcess server(opts);
    REQUIRE(server.Stop() == 0);
    REQUIRE(FileExists(secret_path));
    struct stat st {};
    REQUIRE(stat(secret_path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    first = ReadFile(secret_path);
    CHECK(first.size() >= 65);
  }
  {
    ServerProcess server(opts);
    REQUIRE(server.Stop() == 0);
    CHECK(ReadFile(secret_path) == first);
  }
  // A secret file others can read is refused, not used.
  chmod(secret_path.c_str(), 0644);
  CliResult r = RunCli({"serve", "--db", opts.db_path});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("JWT_SECRET") != std::string::npos);
  CHECK(r.err.find("chmod 600") != std::string::npos);
}

TEST_CASE("JWT_SECRET from the environment means no secret file is written") {
  TempDir dir;
  ServerProcess::Options opts;
  opts.db_path = dir.File("cairn.db");
  opts.env["JWT_SECRET"] = std::string(32, 'k');
  ServerProcess server(opts);
  REQUIRE(server.Stop() == 0);
  CHECK(!FileExists(dir.File("cairn.db.secret")));
}

TEST_CASE("the database is created in WAL mode with every migration recorded, files 0600") {
  ServerProcess server;
  REQUIRE(server.Stop() == 0);
  // A clean shutdown checkpoints and removes the WAL.
  CHECK(!FileExists(server.db_path() + "-wal"));
  SQLite::Database db(server.db_path(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
  std::string rows = MigrationRows(server.db_path());
  CHECK(rows.find("1|0001_init.sql|") == 0);
  struct stat st {};
  REQUIRE(stat(server.db_path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("cairn migrate applies pending migrations once") {
  TempDir dir;
  std::string db = dir.File("m.db");
  CliResult first = RunCli({"migrate", "--db", db});
  CHECK(first.exit_code == 0);
  CHECK(first.out.find("applied " + std::to_string(cairn::embedded::Migrations().size()) +
                       " migration(s)") != std::string::npos);
  CliResult again = RunCli({"migrate", "--db", db});
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("applied 0 migration(s)") != std::string::npos);
}

TEST_CASE("a database newer than the binary is refused and left untouched") {
  TempDir dir;
  std::string db = dir.File("n.db");
  REQUIRE(RunCli({"migrate", "--db", db}).exit_code == 0);
  {
    SQLite::Database conn(db, SQLite::OPEN_READWRITE);
    conn.exec(
        "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'abc', "
        "'2030-01-01T00:00:00Z')");
    conn.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  std::string before = ReadFile(db);
  CliResult r = RunCli({"serve", "--db", db, "--port", std::to_string(FreePort())});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("newer than this binary") != std::string::npos);
  CHECK(r.err.find("9999_future.sql") != std::string::npos);
  CHECK(ReadFile(db) == before);
  CHECK(RunCli({"migrate", "--db", db}).exit_code == 1);
  CHECK(ReadFile(db) == before);
}

TEST_CASE("an applied migration whose checksum changed stops the server with a clear message") {
  TempDir dir;
  std::string db = dir.File("c.db");
  REQUIRE(RunCli({"migrate", "--db", db}).exit_code == 0);
  {
    SQLite::Database conn(db, SQLite::OPEN_READWRITE);
    conn.exec("UPDATE schema_migrations SET checksum = 'deadbeef' WHERE version = 1");
  }
  std::string rows = MigrationRows(db);
  CliResult r = RunCli({"serve", "--db", db, "--port", std::to_string(FreePort())});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("0001_init.sql was changed after it was applied") != std::string::npos);
  CHECK(CountLines(r.err) == 1);
  CHECK(MigrationRows(db) == rows);
  CliResult check = RunCli({"check", "--db", db});
  CHECK(check.exit_code == 1);
}

TEST_CASE("cairn check passes a sound database and fails a damaged or missing one") {
  TempDir dir;
  std::string db = dir.File("k.db");
  CliResult missing = RunCli({"check", "--db", db});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no database at") != std::string::npos);
  CHECK(!FileExists(db));  // check never creates one

  REQUIRE(RunCli({"migrate", "--db", db}).exit_code == 0);
  {
    // Enough rows to span many pages, so damage lands inside a b-tree.
    SQLite::Database conn(db, SQLite::OPEN_READWRITE);
    conn.exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, v TEXT)");
    conn.exec(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
        "INSERT INTO filler SELECT i, printf('%0100d', i) FROM n");
    conn.exec("CREATE INDEX filler_v ON filler(v)");
    conn.exec("PRAGMA journal_mode=DELETE");
  }
  CliResult ok = RunCli({"check", "--db", db});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("integrity ok") != std::string::npos);

  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 * 10);
    std::string junk(4096 * 4, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  CliResult bad = RunCli({"check", "--db", db});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("damaged") != std::string::npos);
}

TEST_CASE("cairn backup makes a consistent copy while the server runs, never overwriting") {
  ServerProcess server;
  auto cli = server.Client();
  std::string out = server.dir().File("backup.db");
  // Another process keeps writing while the backup runs.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    SQLite::Database db(server.db_path(), SQLite::OPEN_READWRITE);
    db.setBusyTimeout(5000);
    db.exec("CREATE TABLE IF NOT EXISTS churn (id INTEGER PRIMARY KEY, v BLOB)");
    while (!stop.load()) db.exec("INSERT INTO churn (v) VALUES (randomblob(512))");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CliResult r = RunCli({"backup", "--db", server.db_path(), "--out", out});
  stop.store(true);
  writer.join();
  CHECK(r.exit_code == 0);
  REQUIRE(FileExists(out));
  struct stat st {};
  REQUIRE(stat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(RunCli({"check", "--db", out}).exit_code == 0);
  {
    SQLite::Database copy(out, SQLite::OPEN_READONLY);
    CHECK(copy.execAndGet("SELECT count(*) FROM schema_migrations").getInt() >= 1);
    CHECK(copy.execAndGet("SELECT count(*) FROM churn").getInt() > 0);
  }
  std::string before = ReadFile(out);
  CliResult again = RunCli({"backup", "--db", server.db_path(), "--out", out});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("already exists") != std::string::npos);
  CHECK(ReadFile(out) == before);
  CHECK(RunCli({"backup", "--db", server.db_path()}).exit_code == 1);  // --out is required

  auto res = cli.Get("/api/v1/health");
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("SIGTERM lets an in-flight request finish, then exits 0 and closes the database") {
  ServerProcess server;
  // A request whose body has only half arrived is in flight when the signal
  // lands; the rest of the body follows 300 ms later.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(server.port()));
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string head =
      "POST /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 9\r\nConnection: close\r\n\r\n{\"a\":";
  send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::thread rest([fd] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    send(fd, "123}", 4, MSG_NOSIGNAL);
  });
  int code = server.Stop();  // SIGTERM, then wait for the exit
  rest.join();
  std::string reply;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) reply.append(buf, static_cast<size_t>(n));
  close(fd);
  CHECK(code == 0);
  CHECK(RawStatus(reply) == 405);  // the request completed normally
  std::string log = server.Stdout();
  CHECK(log.find("\"event\":\"shutdown_started\"") != std::string::npos);
  CHECK(log.find("\"event\":\"shutdown_complete\"") != std::string::npos);
  CHECK(!FileExists(server.db_path() + "-wal"));
}

TEST_CASE("the port in use is reported on stderr and the exit is non-zero") {
  ServerProcess first;
  CliResult r = RunCli({"serve", "--host", "127.0.0.1", "--port", std::to_string(first.port()),
                        "--db", first.dir().File("other.db")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())) !=
        std::string::npos);
}

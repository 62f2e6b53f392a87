// The .deb and what ships with it (packaging/, docs/operations.md): the
// package's contents and modes, an install into a scratch root checked by
// systemd-analyze and removed again, the backup and restore scripts against
// the real binary, the default settings file, and the nginx sample. The
// tools come from `scripts/deps.sh test` (dpkg, systemd, nginx-light).

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "accounts.h"
#include "harness.h"
#include "test_certs.h"

using namespace cairn::test;
namespace fs = std::filesystem;

namespace {

// The environment the packaging scripts get: the binary under test in
// place of /usr/bin/cairn.
std::map<std::string, std::string> ScriptEnv(const std::string& db) {
  return {{"CAIRN", BinaryPath()}, {"DATABASE_PATH", db}};
}

CliResult Run(const std::string& program, const std::vector<std::string>& args,
              const std::map<std::string, std::string>& env = {}) {
  CliResult r = RunProgram(program, args, env);
  INFO(program << " stdout: " << r.out);
  INFO(program << " stderr: " << r.err);
  return r;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Builds the .deb for the binary under test into dir; returns its path.
std::string BuildDeb(const TempDir& dir, const std::string& arch = "") {
  std::vector<std::string> args = {"--binary", BinaryPath(), "--out", dir.path()};
  if (!arch.empty()) args.insert(args.end(), {"--arch", arch});
  CliResult r = Run("packaging/deb.sh", args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string deb = Lines(r.out).back();
  REQUIRE(FileExists(deb));
  return deb;
}

// `cairn --version` is "cairn X.Y.Z".
std::string Version() {
  CliResult r = RunCli({"--version"});
  REQUIRE(r.exit_code == 0);
  std::string v = Lines(r.out).at(0);
  return v.substr(v.find(' ') + 1);
}

// path -> "mode owner" from `dpkg-deb -c`, e.g. "./usr/bin/cairn" ->
// "-rwxr-xr-x root/root".
std::map<std::string, std::string> Contents(const std::string& deb) {
  CliResult r = Run("dpkg-deb", {"-c", deb});
  REQUIRE(r.exit_code == 0);
  std::map<std::string, std::string> out;
  for (const std::string& line : Lines(r.out)) {
    std::istringstream in(line);
    std::string mode, owner, size, date, time, path;
    in >> mode >> owner >> size >> date >> time >> path;
    out[path] = mode + " " + owner;
  }
  return out;
}

// A cairn.db with two accounts, one of them with a changed profile.
void WriteSomeData(ServerProcess& server) {
  httplib::Client cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  RegisterAndLogin(cli, "bob@example.com");
  auto res = PatchJson(cli, "/api/v1/users/me", R"({"firstName":"Augusta"})", Bearer(ada.access));
  REQUIRE(res);
  REQUIRE(res->status == 200);
}

}  // namespace

TEST_CASE("a database restored by cairn-restore from a cairn-backup copy serves what it held") {
  TempDir data;
  std::string db = data.File("cairn.db");
  ServerProcess::Options opts;
  opts.db_path = db;
  auto server = std::make_unique<ServerProcess>(opts);
  WriteSomeData(*server);

  std::string backups = data.File("backups");
  auto env = ScriptEnv(db);
  env["CAIRN_BACKUP_DIR"] = backups;
  CliResult backup = Run("packaging/cairn-backup", {}, env);
  REQUIRE(backup.exit_code == 0);
  std::vector<std::string> copies = Names(backups);
  REQUIRE(copies.size() == 1);
  std::string copy = backups + "/" + copies[0];

  // A write after the backup, then a crash: the WAL beside the database
  // holds it, and the database file itself is then wrecked.
  httplib::Client cli = server->Client();
  RegisterAndLogin(cli, "carol@example.com");
  server->Kill();
  REQUIRE(FileExists(db + "-wal"));
  {
    FILE* f = std::fopen(db.c_str(), "r+b");
    REQUIRE(f != nullptr);
    std::string junk(4096, 'x');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  // The damage is real. Checked on a copy: opening the wrecked file itself
  // would let SQLite deal with its WAL, and the WAL must stay for this test.
  std::string probe = data.File("probe.db");
  fs::copy_file(db, probe);
  CHECK(RunCli({"check", "--db", probe}).exit_code == 1);
  fs::remove(probe);
  REQUIRE(FileExists(db + "-wal"));

  CliResult restore = Run("packaging/cairn-restore", {copy, "--db", db}, ScriptEnv(db));
  REQUIRE(restore.exit_code == 0);
  CHECK(fs::status(db).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
  // The wrecked file and its WAL were moved aside together, not replayed.
  CHECK_FALSE(FileExists(db + "-wal"));
  std::vector<std::string> aside;
  for (const std::string& name : Names(data.path())) {
    if (name.rfind("replaced-", 0) == 0) aside = Names(data.File(name));
  }
  std::string listed;
  for (const std::string& name : aside) listed += name + " ";
  INFO("moved aside: " << listed);
  CHECK(aside == std::vector<std::string>{"cairn.db", "cairn.db-shm", "cairn.db-wal"});
  CHECK(RunCli({"check", "--db", db}).exit_code == 0);

  server = std::make_unique<ServerProcess>(opts);
  httplib::Client after = server->Client();
  Account ada = Login(after, "ada@example.com");
  Login(after, "bob@example.com");
  auto me = after.Get("/api/v1/users/me", Bearer(ada.access));
  CHECK(GetStr(DataOf(me, 200), "firstName") == "Augusta");
  // carol registered after the copy was taken: the restored database is the
  // copy, not the copy plus the old WAL.
  auto carol = PostJson(after, "/api/v1/auth/login",
                        R"({"email":"carol@example.com","password":")" +
                            std::string(kPassword) + R"("})");
  REQUIRE(carol);
  CHECK(carol->status == 401);
}

TEST_CASE("cairn-restore refuses a copy that fails its check and changes nothing") {
  TempDir data;
  std::string db = data.File("cairn.db");
  {
    ServerProcess::Options opts;
    opts.db_path = db;
    ServerProcess server(opts);
    WriteSomeData(server);
    REQUIRE(server.Stop() == 0);
  }
  std::string before = ReadFile(db);
  std::string bad = data.File("bad.db");
  {
    FILE* f = std::fopen(bad.c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fputs("this is not a database", f);
    std::fclose(f);
  }
  CliResult r = Run("packaging/cairn-restore", {bad, "--db", db}, ScriptEnv(db));
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("failed its check") != std::string::npos);
  CHECK(ReadFile(db) == before);
  CHECK(Names(data.path()) == std::vector<std::string>{"bad.db", "cairn.db", "cairn.db.secret"});

  CHECK(Run("packaging/cairn-restore", {data.File("missing.db"), "--db", db}, ScriptEnv(db))
            .exit_code == 1);
  CHECK(Run("packaging/cairn-restore", {}, ScriptEnv(db)).exit_code == 2);
}

TEST_CASE("cairn-backup keeps the newest CAIRN_BACKUP_KEEP copies and nothing else of its own") {
  TempDir data;
  std::string db = data.File("cairn.db");
  REQUIRE(RunCli({"migrate", "--db", db}).exit_code == 0);
  std::string backups = data.File("backups");
  fs::create_directory(backups);
  for (const char* name : {"cairn-20200101T000000Z.db", "cairn-20200102T000000Z.db",
                           "cairn-20200103T000000Z.db", "notes.txt"}) {
    std::FILE* f = std::fopen((backups + "/" + name).c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fclose(f);
  }
  auto env = ScriptEnv(db);
  env["CAIRN_BACKUP_DIR"] = backups;
  env["CAIRN_BACKUP_KEEP"] = "2";
  REQUIRE(Run("packaging/cairn-backup", {}, env).exit_code == 0);

  std::vector<std::string> left = Names(backups);
  REQUIRE(left.size() == 3);
  CHECK(left[0] == "cairn-20200103T000000Z.db");
  CHECK(left[1].rfind("cairn-20", 0) == 0);
  CHECK(left[1] != left[0]);
  CHECK(left[2] == "notes.txt");
  std::string fresh = backups + "/" + left[1];
  CHECK(fs::status(fresh).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(RunCli({"check", "--db", fresh}).exit_code == 0);

  env["CAIRN_BACKUP_KEEP"] = "0";
  CHECK(Run("packaging/cairn-backup", {}, env).exit_code == 1);
  CHECK(Names(backups).size() == 3);
}

TEST_CASE("the .deb holds the binary, the units and the settings file with their modes") {
  TempDir out;
  std::string deb = BuildDeb(out);
  std::string arch = Lines(Run("dpkg", {"--print-architecture"}).out).at(0);
  CHECK(fs::path(deb).filename() == "cairn_" + Version() + "_" + arch + ".deb");

  std::map<std::string, std::string> files = Contents(deb);
  const std::map<std::string, std::string> expected = {
      {"./", "drwxr-xr-x root/root"},
      {"./usr/bin/cairn", "-rwxr-xr-x root/root"},
      {"./usr/libexec/cairn/cairn-backup", "-rwxr-xr-x root/root"},
      {"./usr/sbin/cairn-restore", "-rwxr-xr-x root/root"},
      {"./lib/systemd/system/cairn.service", "-rw-r--r-- root/root"},
      {"./lib/systemd/system/cairn-backup.service", "-rw-r--r-- root/root"},
      {"./lib/systemd/system/cairn-backup.timer", "-rw-r--r-- root/root"},
      {"./etc/default/cairn", "-rw------- root/root"},
      {"./usr/share/doc/cairn/examples/nginx-cairn.conf", "-rw-r--r-- root/root"},
      {"./usr/share/doc/cairn/operations.md", "-rw-r--r-- root/root"},
      {"./usr/share/doc/cairn/scaling.md", "-rw-r--r-- root/root"},
  };
  for (const auto& [path, mode] : expected) {
    INFO(path);
    CHECK(files[path] == mode);
  }
  for (const auto& [path, mode] : files) {
    INFO(path);
    CHECK(mode.substr(mode.find(' ') + 1) == "root/root");
  }

  CHECK(Run("dpkg-deb", {"-f", deb, "Package"}).out == "cairn\n");
  CHECK(Run("dpkg-deb", {"-f", deb, "Version"}).out == Version() + "\n");
  CHECK(Run("dpkg-deb", {"-f", deb, "Architecture"}).out == arch + "\n");
  CHECK(Run("dpkg-deb", {"-I", deb, "conffiles"}).out == "/etc/default/cairn\n");

  // A binary for another architecture is packaged under that name.
  TempDir other;
  std::string arm = BuildDeb(other, "arm64");
  CHECK(fs::path(arm).filename() == "cairn_" + Version() + "_arm64.deb");
  CHECK(Run("dpkg-deb", {"-f", arm, "Architecture"}).out == "arm64\n");
}

TEST_CASE("the .deb installs into a scratch root, passes systemd-analyze there, and goes away") {
  TempDir out;
  std::string deb = BuildDeb(out);
  TempDir root;
  const std::string r = root.path();
  fs::create_directories(r + "/var/lib/dpkg/info");
  fs::create_directories(r + "/var/lib/dpkg/updates");
  std::fclose(std::fopen((r + "/var/lib/dpkg/status").c_str(), "wb"));
  // Maintainer scripts run outside the root (no shell inside it) and see
  // DPKG_ROOT; they enable the units offline within the root.
  const std::vector<std::string> dpkg = {"--root=" + r, "--force-script-chrootless",
                                         "--force-not-root", "--log=/dev/null"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> args = dpkg;
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };

  REQUIRE(Run("dpkg", with({"-i", deb})).exit_code == 0);
  CHECK(ReadFile(r + "/usr/bin/cairn") == ReadFile(BinaryPath()));
  CHECK(Run(r + "/usr/bin/cairn", {"--version"}).out == "cairn " + Version() + "\n");
  const std::string wants = r + "/etc/systemd/system/";
  CHECK(fs::is_symlink(wants + "multi-user.target.wants/cairn.service"));
  CHECK(fs::is_symlink(wants + "timers.target.wants/cairn-backup.timer"));

  // The units name targets and the host's units: give the root the host's
  // systemd units, so verify resolves them while checking ours, ExecStart=
  // included, inside the root.
  fs::create_directories(r + "/usr/lib/systemd");
  REQUIRE(Run("cp", {"-a", "/lib/systemd/system", r + "/usr/lib/systemd/"}).exit_code == 0);
  const std::vector<std::string> units = {r + "/lib/systemd/system/cairn.service",
                                          r + "/lib/systemd/system/cairn-backup.service",
                                          r + "/lib/systemd/system/cairn-backup.timer"};
  std::vector<std::string> verify = {"verify", "--root=" + r, "--man=no"};
  verify.insert(verify.end(), units.begin(), units.end());
  CliResult v = Run("systemd-analyze", verify);
  CHECK(v.exit_code == 0);
  // Unknown or misspelt settings are only warnings: none may be printed.
  CHECK(v.err == "");

  // The exposure scores measured when the units were written (1.1 and 0.4
  // of 10 with Debian 12's systemd 252; --threshold is in tenths): a
  // hardening setting dropped raises them past it.
  CHECK(Run("systemd-analyze", {"security", "--offline=yes", "--root=" + r, "--threshold=11",
                                "cairn.service"})
            .exit_code == 0);
  CHECK(Run("systemd-analyze", {"security", "--offline=yes", "--root=" + r, "--threshold=4",
                                "cairn-backup.service"})
            .exit_code == 0);

  // Removal keeps the settings file (a conffile) and disables the units;
  // purge removes the settings file too.
  REQUIRE(Run("dpkg", with({"-r", "cairn"})).exit_code == 0);
  CHECK_FALSE(FileExists(r + "/usr/bin/cairn"));
  CHECK_FALSE(FileExists(r + "/lib/systemd/system/cairn.service"));
  CHECK_FALSE(fs::is_symlink(wants + "multi-user.target.wants/cairn.service"));
  CHECK_FALSE(fs::is_symlink(wants + "timers.target.wants/cairn-backup.timer"));
  CHECK(FileExists(r + "/etc/default/cairn"));
  REQUIRE(Run("dpkg", with({"--purge", "cairn"})).exit_code == 0);
  CHECK_FALSE(FileExists(r + "/etc/default/cairn"));
}

TEST_CASE("the default settings file serves behind a local proxy with Secure cookies") {
  // KEY=VALUE lines as systemd's EnvironmentFile= reads them.
  std::map<std::string, std::string> env;
  for (const std::string& line : Lines(ReadFile("packaging/cairn.env"))) {
    if (line[0] == '#') continue;
    size_t eq = line.find('=');
    REQUIRE(eq != std::string::npos);
    env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  REQUIRE(env.count("TRUST_PROXY") == 1);
  CHECK(env["HOST"] == "127.0.0.1");
  // The harness chooses the port; everything else is the file's.
  env.erase("PORT");
  ServerProcess::Options opts;
  opts.env = env;
  ServerProcess server(opts);
  httplib::Client cli = server.Client();
  // What nginx adds to every request it passes on.
  cli.set_default_headers({{"X-Forwarded-For", "203.0.113.7"}});

  auto reg = PostJson(cli, "/api/v1/auth/register",
                      NewUserBody("eve@example.com", "Eve", "Example", ""));
  REQUIRE(reg);
  REQUIRE(reg->status == 201);
  auto login = PostJson(cli, "/api/v1/auth/login",
                        R"({"email":"eve@example.com","password":"Passw0rd1"})");
  REQUIRE(login);
  REQUIRE(login->status == 200);
  REQUIRE(login->has_header("Set-Cookie"));
  for (size_t i = 0; i < login->get_header_value_count("Set-Cookie"); ++i) {
    std::string cookie = login->get_header_value("Set-Cookie", "", i);
    INFO(cookie);
    CHECK(cookie.find("; Secure") != std::string::npos);
  }
  REQUIRE(server.Stop() == 0);
  // The peer is 127.0.0.1, a trusted proxy: the client is the address in
  // X-Forwarded-For. (The harness's own readiness probe came without one.)
  int seen = 0;
  for (const std::string& line : Lines(server.Stdout())) {
    if (line.find(R"("path":"/api/v1/auth/)") == std::string::npos) continue;
    INFO(line);
    CHECK(line.find(R"("ip":"203.0.113.7")") != std::string::npos);
    ++seen;
  }
  CHECK(seen == 2);
}

TEST_CASE("the nginx sample passes nginx -t once its certificate paths are filled in") {
  TempDir dir;
  TlsIdentity id = SelfSigned("DNS:cairn.example.com");
  std::FILE* cert = std::fopen(dir.File("cert.pem").c_str(), "w");
  std::FILE* key = std::fopen(dir.File("key.pem").c_str(), "w");
  REQUIRE(cert != nullptr);
  REQUIRE(key != nullptr);
  CHECK(PEM_write_X509(cert, id.cert.get()) == 1);
  CHECK(PEM_write_PrivateKey(key, id.key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
  std::fclose(cert);
  std::fclose(key);

  std::string site = ReadFile("packaging/nginx/cairn.conf");
  const std::map<std::string, std::string> placeholders = {
      {"/etc/ssl/certs/cairn.example.com.pem", dir.File("cert.pem")},
      {"/etc/ssl/private/cairn.example.com.key", dir.File("key.pem")},
  };
  for (const auto& [from, to] : placeholders) {
    size_t at = site.find(from);
    REQUIRE(at != std::string::npos);
    site.replace(at, from.size(), to);
  }
  // The SSE location keeps the settings docs/operations.md explains.
  size_t events = site.find("location = /api/v1/events {");
  REQUIRE(events != std::string::npos);
  std::string block = site.substr(events, site.find('}', events) - events);
  CHECK(block.find("proxy_buffering off;") != std::string::npos);
  CHECK(block.find("proxy_cache off;") != std::string::npos);
  CHECK(block.find("proxy_read_timeout 1h;") != std::string::npos);

  std::FILE* f = std::fopen(dir.File("site.conf").c_str(), "w");
  REQUIRE(f != nullptr);
  std::fputs(site.c_str(), f);
  std::fclose(f);
  // The sample is a site file (sites-enabled/); nginx.conf around it, as
  // Debian's includes it inside http {}.
  f = std::fopen(dir.File("nginx.conf").c_str(), "w");
  REQUIRE(f != nullptr);
  std::fprintf(f, "pid %s;\nerror_log %s;\nevents {}\nhttp {\n    include %s;\n}\n",
               dir.File("nginx.pid").c_str(), dir.File("error.log").c_str(),
               dir.File("site.conf").c_str());
  std::fclose(f);
  CliResult t = Run("nginx", {"-t", "-q", "-c", dir.File("nginx.conf"), "-p", dir.path() + "/",
                              "-e", dir.File("error.log")});
  CHECK(t.exit_code == 0);
}

// Forgotten passwords over HTTP: POST forgot-password answers the same for
// every email and mails a token only to a real account (the sandbox mailbox,
// `cairn mail`, or MAIL_COMMAND); POST reset-password takes the token once,
// within the hour, sets the password, ends every session and clears a
// lockout. Each refused reset is checked to have changed nothing.

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>
#include <sodium.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "harness.h"

using namespace cairn::test;

namespace {

const char kNewPassword[] = "N3wPassw0rd";

httplib::Result Forgot(httplib::Client& cli, const std::string& email) {
  return PostJson(cli, "/api/v1/auth/forgot-password", R"({"email":")" + email + R"("})");
}

httplib::Result Reset(httplib::Client& cli, const std::string& token, const std::string& password) {
  return PostJson(cli, "/api/v1/auth/reset-password",
                  R"({"token":")" + token + R"(","password":")" + password + R"("})");
}

int LoginStatus(httplib::Client& cli, const std::string& email, const std::string& password) {
  auto res = PostJson(cli, "/api/v1/auth/login",
                      R"({"email":")" + email + R"(","password":")" + password + R"("})");
  REQUIRE(res);
  return res->status;
}

int MeStatus(httplib::Client& cli, const std::string& access) {
  auto res = cli.Get("/api/v1/auth/me", Bearer(access));
  REQUIRE(res);
  return res->status;
}

int RefreshStatus(httplib::Client& cli, const std::string& refresh) {
  auto res = PostJson(cli, "/api/v1/auth/refresh", R"({"refreshToken":")" + refresh + R"("})");
  REQUIRE(res);
  return res->status;
}

std::string PasswordHash(const ServerProcess& server, const std::string& id) {
  return QueryText(server, "SELECT password_hash FROM users WHERE id = '" + id + "'");
}

// The first error detail as "field code".
std::string FirstDetail(const httplib::Result& res) {
  picojson::value d = Get(JsonBody(res->body), "error.details");
  if (!d.is<picojson::array>() || d.get<picojson::array>().empty()) return "";
  const auto& o = d.get<picojson::array>()[0].get<picojson::object>();
  return o.at("field").to_str() + " " + o.at("code").to_str();
}

// The sandbox mail to `to`, as an admin reads it, once at least `count`
// messages are there (or ~3 s have passed): newest first.
std::vector<picojson::object> WaitForMail(httplib::Client& cli, const Account& admin,
                                          const std::string& to, size_t count) {
  std::vector<picojson::object> out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  for (;;) {
    auto res = cli.Get("/api/v1/admin/mail?pageSize=100&to=" + to, Bearer(admin.access));
    REQUIRE(res);
    REQUIRE(res->status == 200);
    out.clear();
    picojson::value data = Get(JsonBody(res->body), "data");
    REQUIRE(data.is<picojson::array>());
    for (const picojson::value& v : data.get<picojson::array>()) {
      out.push_back(v.get<picojson::object>());
    }
    if (out.size() >= count || std::chrono::steady_clock::now() > deadline) return out;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// The reset token in a mail: a standalone run of 43 base64url characters.
std::string TokenIn(const std::string& text) {
  static const std::regex kToken("(^|[^A-Za-z0-9_-])([A-Za-z0-9_-]{43})([^A-Za-z0-9_=-]|$)");
  std::smatch m;
  if (!std::regex_search(text, m, kToken)) return "";
  return m[2].str();
}

// The token from the one mail a request to `email` produced.
std::string RequestToken(httplib::Client& cli, const Account& admin, const std::string& email,
                         size_t nth = 1) {
  auto res = Forgot(cli, email);
  REQUIRE(res);
  REQUIRE(res->status == 202);
  std::vector<picojson::object> mail = WaitForMail(cli, admin, email, nth);
  REQUIRE(mail.size() == nth);
  std::string token = TokenIn(mail[0].at("body").to_str());
  REQUIRE(token.size() == 43);
  return token;
}

std::string Sha256Hex(const std::string& s) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

TEST_CASE(
    "forgot-password is 202 with one body for known and unknown emails; only a real account gets "
    "mail") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  // The unknown one first: the worker takes requests in order, so once
  // Ada's mail is there the unknown request has been dealt with.
  auto unknown = Forgot(cli, "nobody@example.com");
  auto known = Forgot(cli, "ada@example.com");
  REQUIRE(unknown);
  REQUIRE(known);
  CHECK(unknown->status == 202);
  CHECK(known->status == 202);
  CHECK(known->body == unknown->body);
  CHECK(Get(JsonBody(known->body), "success").get<bool>());

  struct Bad {
    const char* body;
    const char* detail;
  };
  for (const Bad& b :
       {Bad{R"({"email":"not-an-email"})", "email invalid_format"},
        Bad{R"({"email":"ada@"})", "email invalid_format"}, Bad{R"({})", "email required"},
        Bad{R"({"email":null})", "email required"}, Bad{R"({"email":5})", "email "}}) {
    CAPTURE(std::string(b.body));
    auto res = PostJson(cli, "/api/v1/auth/forgot-password", b.body);
    REQUIRE(res);
    CHECK(res->status == 422);
    CHECK(GetStr(JsonBody(res->body), "error.code") == "validation_error");
    CHECK(FirstDetail(res).rfind(b.detail, 0) == 0);
  }

  std::vector<picojson::object> mail = WaitForMail(cli, admin, "ada@example.com", 1);
  REQUIRE(mail.size() == 1);
  CHECK(mail[0].at("to").to_str() == "ada@example.com");
  CHECK(mail[0].at("subject").to_str() == "Reset your Cairn password");
  const std::string token = TokenIn(mail[0].at("body").to_str());
  CAPTURE(mail[0].at("body").to_str());
  REQUIRE(token.size() == 43);
  // Nothing for the unknown address, nor for the refused requests.
  CHECK(WaitForMail(cli, admin, "nobody@example.com", 0).empty());
  CHECK(QueryInt(server, "SELECT count(*) FROM mail") == 1);
  CHECK(QueryInt(server, "SELECT count(*) FROM password_resets") == 1);

  // The token travels only in the mail: not in either answer, not in the log,
  // and the database keeps only its hash.
  CHECK(known->body.find(token) == std::string::npos);
  CHECK(unknown->body.find(token) == std::string::npos);
  CHECK(server.Stdout().find(token) == std::string::npos);
  CHECK(server.Stderr().find(token) == std::string::npos);
  CHECK(QueryInt(server,
                 "SELECT count(*) FROM password_resets WHERE token_hash = '" + token + "'") == 0);
  CHECK(QueryText(server, "SELECT token_hash FROM password_resets WHERE user_id = '" + ada.id +
                              "'") == Sha256Hex(token));
  CHECK(QueryInt(server, "SELECT expires_at - created_at FROM password_resets") == 3600);

  // The request went through the outbox in the token's transaction, as one
  // event for Ada without the token, and came out as her notification.
  CHECK(QueryInt(server, "SELECT count(*) FROM events WHERE type = 'password_reset.requested'") ==
        1);
  CHECK(QueryText(server, "SELECT user_id FROM events WHERE type = 'password_reset.requested'") ==
        ada.id);
  CHECK(QueryInt(server, "SELECT count(*) FROM events WHERE instr(data, '" + token + "') > 0") ==
        0);
  picojson::array notes;
  for (int i = 0; i < 60 && notes.empty(); ++i) {
    auto res = cli.Get("/api/v1/notifications", Bearer(ada.access));
    REQUIRE(res);
    REQUIRE(res->status == 200);
    picojson::value data = Get(JsonBody(res->body), "data");
    REQUIRE(data.is<picojson::array>());
    for (const picojson::value& n : data.get<picojson::array>()) {
      if (n.get("type").to_str() == "password_reset.requested") notes.push_back(n);
    }
    if (notes.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].get("title").to_str() == "Password reset requested");
  CHECK(notes[0].get("body").to_str().find(token) == std::string::npos);
  CHECK(notes[0].get("body").to_str().find("cairn mail") != std::string::npos);
}

TEST_CASE("cairn mail prints the sandbox mailbox with recipient, subject and token") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  RegisterAndLogin(cli, "ada@example.com");
  CliResult empty = RunCli({"mail", "--db", server.db_path()});
  CHECK(empty.exit_code == 0);
  CHECK(empty.out.find("empty") != std::string::npos);

  const std::string token = RequestToken(cli, admin, "ada@example.com");
  CliResult r = RunCli({"mail", "--db", server.db_path()});
  CHECK(r.exit_code == 0);
  CAPTURE(r.out);
  CHECK(r.out.find("To: ada@example.com") != std::string::npos);
  CHECK(r.out.find("Subject: Reset your Cairn password") != std::string::npos);
  CHECK(r.out.find(token) != std::string::npos);
  CliResult other = RunCli({"mail", "--db", server.db_path(), "--to", "nobody@example.com"});
  CHECK(other.exit_code == 0);
  CHECK(other.out.find(token) == std::string::npos);
}

TEST_CASE(
    "reset-password sets the password once, ends every session, and refuses a reused or bad "
    "token") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account phone = RegisterAndLogin(cli, "ada@example.com");
  Account laptop = Login(cli, "ada@example.com");
  const std::string token = RequestToken(cli, admin, "ada@example.com");

  auto res = Reset(cli, token, kNewPassword);
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(Get(JsonBody(res->body), "success").get<bool>());
  CHECK(res->body.find(token) == std::string::npos);
  CHECK(LoginStatus(cli, "ada@example.com", kPassword) == 401);
  CHECK(LoginStatus(cli, "ada@example.com", kNewPassword) == 200);
  for (const Account* a : {&phone, &laptop}) {
    CHECK(MeStatus(cli, a->access) == 401);
    CHECK(RefreshStatus(cli, a->refresh) == 401);
  }
  CHECK(MeStatus(cli, admin.access) == 200);  // nobody else's session ended
  CHECK(QueryInt(server, "SELECT count(*) FROM password_resets WHERE used_at IS NULL") == 0);
  CHECK(QueryInt(server,
                 "SELECT count(*) FROM audit_log WHERE action = 'password.reset' AND "
                 "target_id = '" +
                     phone.id + "'") == 1);
  CHECK(server.Stdout().find(token) == std::string::npos);

  const std::string hash = PasswordHash(server, phone.id);
  auto again = Reset(cli, token, "An0therPassword");
  REQUIRE(again);
  CHECK(again->status == 422);
  CHECK(GetStr(JsonBody(again->body), "error.code") == "validation_error");
  CHECK(FirstDetail(again) == "token invalid_or_expired");
  CHECK(PasswordHash(server, phone.id) == hash);

  for (const std::string& bad : {std::string("garbage"), std::string(43, 'A'), token.substr(0, 42),
                                 token.substr(0, 42) + (token[42] == 'A' ? "B" : "A"),
                                 std::string(129, 'x'), std::string("")}) {
    CAPTURE(bad);
    auto r = Reset(cli, bad, "An0therPassword");
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(FirstDetail(r) == "token invalid_or_expired");
    CHECK(PasswordHash(server, phone.id) == hash);
  }
  for (const char* body : {R"({"password":"An0therPassword"})",
                           R"({"token":5,"password":"An0therPassword"})", R"({"token":"x"})"}) {
    CAPTURE(std::string(body));
    auto r = PostJson(cli, "/api/v1/auth/reset-password", body);
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(PasswordHash(server, phone.id) == hash);
  }
  CHECK(LoginStatus(cli, "ada@example.com", kNewPassword) == 200);
}

TEST_CASE("a weak new password is refused and leaves the token usable") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const std::string token = RequestToken(cli, admin, "ada@example.com");
  const std::string hash = PasswordHash(server, ada.id);

  for (const char* weak : {"short1", "lettersonly", "1234567890"}) {
    CAPTURE(std::string(weak));
    auto res = Reset(cli, token, weak);
    REQUIRE(res);
    CHECK(res->status == 422);
    CHECK(FirstDetail(res).rfind("password ", 0) == 0);
    CHECK(PasswordHash(server, ada.id) == hash);
    CHECK(QueryInt(server, "SELECT count(*) FROM password_resets WHERE used_at IS NULL") == 1);
  }
  CHECK(MeStatus(cli, ada.access) == 200);  // refused: no session ended

  auto ok = Reset(cli, token, kNewPassword);
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(QueryInt(server, "SELECT count(*) FROM password_resets WHERE used_at IS NULL") == 0);
  CHECK(LoginStatus(cli, "ada@example.com", kNewPassword) == 200);
}

TEST_CASE("a second forgot-password supersedes the first token") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const std::string first = RequestToken(cli, admin, "ada@example.com", 1);
  REQUIRE(Forgot(cli, "ada@example.com")->status == 202);
  std::vector<picojson::object> mail = WaitForMail(cli, admin, "ada@example.com", 2);
  REQUIRE(mail.size() == 2);
  // Mail is listed newest first, but two in one second may tie: take the one
  // that is not the first token.
  std::string second;
  for (const picojson::object& m : mail) {
    std::string t = TokenIn(m.at("body").to_str());
    if (t != first) second = t;
  }
  REQUIRE(second.size() == 43);
  const std::string hash = PasswordHash(server, ada.id);

  auto old = Reset(cli, first, kNewPassword);
  REQUIRE(old);
  CHECK(old->status == 422);
  CHECK(FirstDetail(old) == "token invalid_or_expired");
  CHECK(PasswordHash(server, ada.id) == hash);
  CHECK(MeStatus(cli, ada.access) == 200);

  auto ok = Reset(cli, second, kNewPassword);
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(LoginStatus(cli, "ada@example.com", kNewPassword) == 200);
}

TEST_CASE("an expired reset token is refused and changes nothing") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const std::string token = RequestToken(cli, admin, "ada@example.com");
  {
    // An hour cannot pass in a test: move this token's expiry into the past
    // (WAL lets a second writer in while the server runs).
    SQLite::Database db(server.db_path(), SQLite::OPEN_READWRITE);
    db.setBusyTimeout(2000);
    SQLite::Statement q(db,
                        "UPDATE password_resets SET expires_at = created_at - 1 WHERE "
                        "token_hash = ?");
    q.bind(1, Sha256Hex(token));
    REQUIRE(q.exec() == 1);
  }
  const std::string hash = PasswordHash(server, ada.id);
  auto res = Reset(cli, token, kNewPassword);
  REQUIRE(res);
  CHECK(res->status == 422);
  CHECK(FirstDetail(res) == "token invalid_or_expired");
  CHECK(PasswordHash(server, ada.id) == hash);
  CHECK(QueryInt(server, "SELECT count(*) FROM password_resets WHERE used_at IS NULL") == 1);
  CHECK(MeStatus(cli, ada.access) == 200);
  CHECK(LoginStatus(cli, "ada@example.com", kPassword) == 200);
}

TEST_CASE("a password reset clears a lockout") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  for (int i = 0; i < 4; ++i) REQUIRE(LoginStatus(cli, "ada@example.com", "Wr0ngGuess") == 401);
  REQUIRE(LoginStatus(cli, "ada@example.com", "Wr0ngGuess") == 423);
  REQUIRE(LoginStatus(cli, "ada@example.com", kPassword) == 423);

  const std::string token = RequestToken(cli, admin, "ada@example.com");
  auto res = Reset(cli, token, kNewPassword);
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(LoginStatus(cli, "ada@example.com", kNewPassword) == 200);
  const std::string where = " FROM users WHERE id = '" + ada.id + "'";
  CHECK(QueryInt(server, "SELECT failed_logins" + where) == 0);
  CHECK(QueryInt(server, "SELECT locked_until IS NULL" + where) == 1);
}

TEST_CASE(
    "with MAIL_COMMAND the message goes to the command, and the sandbox mailbox stays empty") {
  TempDir dir;
  const std::string out = dir.File("out.eml");
  ServerProcess::Options opts;
  opts.db_path = dir.File("cairn.db");
  opts.env["MAIL_COMMAND"] = "cat > " + out;
  ServerProcess server(opts);
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  auto unknown = Forgot(cli, "nobody@example.com");
  auto res = Forgot(cli, "ada@example.com");
  REQUIRE(unknown);
  REQUIRE(res);
  CHECK(res->status == 202);
  CHECK(res->body == unknown->body);
  std::string message;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < deadline) {
    message = ReadFile(out);
    if (message.find("If it was not you") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CAPTURE(message);
  CHECK(message.find("To: ada@example.com\r\n") != std::string::npos);
  CHECK(message.find("Subject: Reset your Cairn password\r\n") != std::string::npos);
  CHECK(message.find("From: ") != std::string::npos);
  CHECK(message.find("nobody@example.com") == std::string::npos);
  const std::string token = TokenIn(message);
  REQUIRE(token.size() == 43);
  CHECK(res->body.find(token) == std::string::npos);
  CHECK(server.Stdout().find(token) == std::string::npos);

  CHECK(QueryInt(server, "SELECT count(*) FROM mail") == 0);
  auto box = cli.Get("/api/v1/admin/mail", Bearer(admin.access));
  REQUIRE(box);
  CHECK(box->status == 200);
  CHECK(Get(JsonBody(box->body), "data").get<picojson::array>().empty());

  // The token from the command's message works.
  auto reset = Reset(cli, token, kNewPassword);
  REQUIRE(reset);
  CHECK(reset->status == 200);
  CHECK(MeStatus(cli, ada.access) == 401);
  CHECK(LoginStatus(cli, "ada@example.com", kNewPassword) == 200);
}

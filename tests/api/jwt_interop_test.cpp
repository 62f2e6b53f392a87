// Cairn's access tokens against a third-party JWT implementation: npm's
// jsonwebtoken, run as `node tests/interop/jwt.js` (node from PATH; `make test`
// installs node and the package through scripts/deps.sh test). jsonwebtoken
// verifies what Cairn issues, and Cairn accepts what jsonwebtoken signs the
// way Cairn does and nothing signed otherwise. A missing node or package fails
// these tests; it does not skip them.

#include <doctest/doctest.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "harness.h"

using namespace cairn::test;

namespace {

const char kSecret[] = "jwt-interop-test-secret-0123456789abcdef";  // JWT_SECRET: >= 32 bytes
// Relative to the repository root, where the API tests run (as for build/cairn).
const char kScript[] = "tests/interop/jwt.js";

const char kAda[] =
    R"({"email":"ada@example.com","password":"Passw0rd1","firstName":"Ada","lastName":"Lovelace",)"
    R"("dateOfBirth":"1990-04-30"})";

// Runs `node tests/interop/jwt.js args...` to completion, without a shell.
CliResult RunJwtJs(const std::vector<std::string>& args) {
  std::vector<std::string> words = {kScript};
  words.insert(words.end(), args.begin(), args.end());
  return RunNode(words);
}

// What jwt.js wrote on stderr, with the remedy when it could not load the package.
std::string Why(const CliResult& r) {
  if (r.err.find("Cannot find module") == std::string::npos) return r.err;
  return "scripts/deps.sh test installs tests/interop/node_modules: " + r.err;
}

// jsonwebtoken's signature over payload; alg HS256, HS384, HS512 or none.
std::string NodeSign(const picojson::object& payload, const std::string& secret,
                     const std::string& alg = "HS256") {
  CliResult r = RunJwtJs({"sign", picojson::value(payload).serialize(), secret, alg});
  INFO("jwt.js sign failed: " << Why(r));
  REQUIRE(r.exit_code == 0);
  return r.out;
}

// Cairn's claims as a freshly issued token would carry them: those of the
// live session in `decoded`, issued at `iat` for 15 minutes, with a token id
// of our own.
picojson::object FreshClaims(const picojson::object& decoded, int64_t iat) {
  picojson::object c;
  for (const char* k : {"sub", "email", "role", "sid"}) c[k] = decoded.at(k);
  c["iss"] = picojson::value("cairn");
  c["jti"] = picojson::value("jti_interop" + std::to_string(iat));
  c["iat"] = picojson::value(iat);
  c["exp"] = picojson::value(iat + 900);
  return c;
}

// A server signing with kSecret, and Ada registered and signed in to it.
class SignedIn {
 public:
  SignedIn() : server_(ServerOptions()), cli_(server_.Client()) {
    auto reg = cli_.Post("/api/v1/auth/register", kAda, "application/json");
    REQUIRE(reg);
    REQUIRE(reg->status == 201);
    user_id_ = GetStr(JsonBody(reg->body), "data.id");
    auto login =
        cli_.Post("/api/v1/auth/login", R"({"email":"ada@example.com","password":"Passw0rd1"})",
                  "application/json");
    REQUIRE(login);
    REQUIRE(login->status == 200);
    access_ = GetStr(JsonBody(login->body), "data.accessToken");
    REQUIRE(!access_.empty());
  }

  const std::string& user_id() const { return user_id_; }
  const std::string& access() const { return access_; }

  // The login's access token as jsonwebtoken decodes it (verified with
  // HS256, kSecret and issuer "cairn").
  picojson::object Decoded() const {
    CliResult r = RunJwtJs({"verify", access_, kSecret, "cairn"});
    INFO("jwt.js verify failed: " << Why(r));
    REQUIRE(r.exit_code == 0);
    return JsonBody(r.out);
  }

  // GET /api/v1/auth/me with the token: the status, and the body as JSON.
  int Me(const std::string& token, picojson::object* body = nullptr) {
    auto res = cli_.Get("/api/v1/auth/me", {{"Authorization", "Bearer " + token}});
    REQUIRE(res);
    if (body != nullptr) *body = JsonBody(res->body);
    return res->status;
  }

 private:
  static ServerProcess::Options ServerOptions() {
    ServerProcess::Options o;
    o.env["JWT_SECRET"] = kSecret;
    return o;
  }

  ServerProcess server_;
  httplib::Client cli_;
  std::string user_id_;
  std::string access_;
};

}  // namespace

TEST_CASE("an access token from login verifies with jsonwebtoken and carries Cairn's claims") {
  SignedIn ada;
  int64_t now = time(nullptr);
  picojson::object claims = ada.Decoded();
  CHECK(GetStr(claims, "sub") == ada.user_id());
  CHECK(GetStr(claims, "email") == "ada@example.com");
  CHECK(GetStr(claims, "role") == "user");
  CHECK(GetStr(claims, "sid").rfind("ses_", 0) == 0);
  CHECK(GetStr(claims, "iss") == "cairn");
  CHECK(!GetStr(claims, "jti").empty());
  REQUIRE(Get(claims, "iat").is<int64_t>());
  REQUIRE(Get(claims, "exp").is<int64_t>());
  int64_t iat = Get(claims, "iat").get<int64_t>();
  CHECK(iat >= now - 60);
  CHECK(iat <= now + 1);
  CHECK(Get(claims, "exp").get<int64_t>() == iat + 900);

  // The check above means something: jsonwebtoken refuses the same token
  // under another secret or issuer.
  CHECK(RunJwtJs({"verify", ada.access(), std::string(kSecret) + "x", "cairn"}).exit_code != 0);
  CHECK(RunJwtJs({"verify", ada.access(), kSecret, "elsewhere"}).exit_code != 0);
}

TEST_CASE("a token jsonwebtoken signs with HS256 and the server's secret is accepted by me") {
  SignedIn ada;
  std::string token = NodeSign(FreshClaims(ada.Decoded(), time(nullptr)), kSecret);
  CHECK(token != ada.access());
  picojson::object me;
  CHECK(ada.Me(token, &me) == 200);
  CHECK(GetStr(me, "data.id") == ada.user_id());
  CHECK(GetStr(me, "data.email") == "ada@example.com");
}

TEST_CASE("tokens jsonwebtoken signs with HS384, HS512, none or another secret are refused") {
  SignedIn ada;
  picojson::object claims = FreshClaims(ada.Decoded(), time(nullptr));
  const std::string other_secret(40, 'x');
  struct Forged {
    const char* what;
    std::string token;
  };
  const Forged forged[] = {
      {"HS384", NodeSign(claims, kSecret, "HS384")},
      {"HS512", NodeSign(claims, kSecret, "HS512")},
      {"none", NodeSign(claims, kSecret, "none")},
      {"another secret", NodeSign(claims, other_secret)},
  };
  for (const Forged& f : forged) {
    INFO(f.what << ": " << f.token);
    picojson::object body;
    CHECK(ada.Me(f.token, &body) == 401);
    CHECK(GetStr(body, "error.code") == "unauthorized");
  }
  // The refusals ended nothing: the same claims signed properly still work.
  CHECK(ada.Me(NodeSign(claims, kSecret)) == 200);
}

TEST_CASE("a jsonwebtoken token with a wrong issuer or a past expiry is refused") {
  SignedIn ada;
  picojson::object decoded = ada.Decoded();
  int64_t now = time(nullptr);

  picojson::object wrong_issuer = FreshClaims(decoded, now);
  wrong_issuer["iss"] = picojson::value("elsewhere");
  picojson::object body;
  CHECK(ada.Me(NodeSign(wrong_issuer, kSecret), &body) == 401);
  CHECK(GetStr(body, "error.code") == "unauthorized");

  picojson::object expired = FreshClaims(decoded, now - 3600);  // exp an hour - 900 s ago
  CHECK(ada.Me(NodeSign(expired, kSecret), &body) == 401);
  CHECK(GetStr(body, "error.code") == "token_expired");

  CHECK(ada.Me(NodeSign(FreshClaims(decoded, now), kSecret)) == 200);
}

#include "auth/signing_secret.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "../temp_dir.h"

namespace cairn::auth {
namespace {

using testing::TempDir;

TEST_CASE("the first call creates a private secret file of at least 64 hex characters") {
  TempDir dir;
  const std::string path = dir.File("cairn.db.secret");
  auto secret = LoadOrCreateSecret(path);
  REQUIRE(secret.ok());
  CHECK(std::regex_match(secret.value(), std::regex("^[0-9a-f]{64,}$")));
  CHECK(testing::FileMode(path) == 0600);
  CHECK(testing::ReadFile(path) == secret.value() + "\n");
  CHECK(testing::ListDir(dir.path()) == std::vector<std::string>{"cairn.db.secret"});
}

TEST_CASE("a second call returns the same secret") {
  TempDir dir;
  const std::string path = dir.File("s");
  auto first = LoadOrCreateSecret(path);
  auto second = LoadOrCreateSecret(path);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first.value() == second.value());
  CHECK(LoadOrCreateSecret(dir.File("other")).value() != first.value());
}

TEST_CASE("a secret written by the operator is read with its line ending trimmed") {
  TempDir dir;
  const std::string path = dir.File("s");
  const std::string mine(40, 'z');
  testing::WriteFile(path, mine + "\r\n");
  auto secret = LoadOrCreateSecret(path);
  REQUIRE(secret.ok());
  CHECK(secret.value() == mine);
}

TEST_CASE("a secret file that others can read is refused and left as it is") {
  TempDir dir;
  const std::string path = dir.File("s");
  const std::string content = std::string(64, 'a') + "\n";
  for (mode_t mode : {0644, 0640, 0604, 0660, 0700 | 0004}) {
    CAPTURE(mode);
    testing::WriteFile(path, content, mode);
    auto secret = LoadOrCreateSecret(path);
    REQUIRE_FALSE(secret.ok());
    CHECK(secret.status().code() == Code::kFailedPrecondition);
    CHECK(secret.status().message().find("chmod 600") != std::string::npos);
    CHECK(testing::ReadFile(path) == content);
    CHECK(testing::FileMode(path) == static_cast<int>(mode));
  }
}

TEST_CASE("a secret file shorter than 32 bytes is refused") {
  TempDir dir;
  const std::string path = dir.File("s");
  for (const std::string& content : {std::string("0123456789"), std::string(31, 'k'),
                                     std::string(31, 'k') + "\n\n", std::string()}) {
    CAPTURE(content);
    testing::WriteFile(path, content);
    auto secret = LoadOrCreateSecret(path);
    REQUIRE_FALSE(secret.ok());
    CHECK(secret.status().code() == Code::kFailedPrecondition);
    CHECK(testing::ReadFile(path) == content);  // not replaced by a fresh one
  }
  testing::WriteFile(path, std::string(32, 'k'));
  CHECK(LoadOrCreateSecret(path).ok());
}

TEST_CASE("an oversized secret file is refused") {
  TempDir dir;
  const std::string path = dir.File("s");
  testing::WriteFile(path, std::string(5000, 'k'));
  CHECK(LoadOrCreateSecret(path).status().code() == Code::kFailedPrecondition);
}

TEST_CASE("a symlink or a directory in place of the secret file is refused") {
  TempDir dir;
  const std::string target = dir.File("target");
  testing::WriteFile(target, std::string(64, 'a'));
  REQUIRE(::symlink(target.c_str(), dir.File("link").c_str()) == 0);
  CHECK_FALSE(LoadOrCreateSecret(dir.File("link")).ok());

  REQUIRE(::mkdir(dir.File("d").c_str(), 0700) == 0);
  CHECK_FALSE(LoadOrCreateSecret(dir.File("d")).ok());
}

TEST_CASE("a secret cannot be created in a missing directory") {
  TempDir dir;
  auto secret = LoadOrCreateSecret(dir.File("missing/s"));
  REQUIRE_FALSE(secret.ok());
  CHECK(secret.status().code() == Code::kUnavailable);
}

TEST_CASE("processes starting together on a fresh database agree on one secret") {
  for (int round = 0; round < 20; ++round) {
    TempDir dir;
    const std::string path = dir.File("s");
    std::vector<Result<std::string>> got(6, Status::Internal("not run"));
    std::vector<std::thread> threads;
    for (size_t i = 0; i < got.size(); ++i) {
      threads.emplace_back([&, i] { got[i] = LoadOrCreateSecret(path); });
    }
    for (std::thread& t : threads) t.join();
    for (const auto& r : got) {
      REQUIRE(r.ok());
      CHECK(r.value() == got[0].value());
    }
    CHECK(testing::ListDir(dir.path()) == std::vector<std::string>{"s"});  // no temp files left
  }
}

TEST_CASE("the secret lives beside the database") {
  CHECK(SecretPathFor("/var/lib/cairn/cairn.db") == "/var/lib/cairn/cairn.db.secret");
  CHECK(SecretPathFor("./cairn.db") == "./cairn.db.secret");
}

}  // namespace
}  // namespace cairn::auth

// The live event stream over HTTP (GET /api/v1/events, Server-Sent Events):
// a user's events arrive as they happen and only theirs; Last-Event-ID
// resumes without loss or repeats; idle streams get heartbeats; streams are
// capped per user and in total with a 503; shutdown ends them cleanly.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "domain_setup.h"
#include "harness.h"

using namespace cairn::test;
using namespace std::chrono_literals;

namespace {

constexpr char kPath[] = "/api/v1/events";

// One SSE message.
struct Message {
  std::string id;
  std::string event;
  std::string data;
};

// A stream read on its own thread until the server ends it or the test
// does.
class Stream {
 public:
  Stream(const ServerProcess& server, httplib::Headers headers) : cli_(server.Client()) {
    cli_.set_read_timeout(60, 0);
    thread_ = std::thread([this, headers] {
      auto res = cli_.Get(
          kPath, headers,
          [this](const httplib::Response& r) {
            std::lock_guard<std::mutex> lock(mu_);
            status_ = r.status;
            content_type_ = r.get_header_value("Content-Type");
            changed_.notify_all();
            return true;
          },
          [this](const char* data, size_t n) {
            std::lock_guard<std::mutex> lock(mu_);
            text_.append(data, n);
            changed_.notify_all();
            return !stop_;
          });
      std::lock_guard<std::mutex> lock(mu_);
      ended_ = true;
      ended_ok_ = static_cast<bool>(res);
      changed_.notify_all();
    });
  }
  ~Stream() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cli_.stop();
    thread_.join();
  }

  // The status once headers came (0 if they did not within timeout).
  int Status(std::chrono::milliseconds timeout = 5s) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, timeout, [this] { return status_ != 0 || ended_; });
    return status_;
  }
  std::string ContentType() {
    Status();
    std::lock_guard<std::mutex> lock(mu_);
    return content_type_;
  }
  // Waits until the text holds `needle` (or timeout); returns the text.
  std::string WaitForText(const std::string& needle, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, timeout, [&] { return text_.find(needle) != std::string::npos || ended_; });
    return text_;
  }
  // Waits until n messages with an event have come; returns them all.
  std::vector<Message> WaitForMessages(size_t n, std::chrono::milliseconds timeout = 10s) {
    auto until = std::chrono::steady_clock::now() + timeout;
    std::vector<Message> out;
    while (std::chrono::steady_clock::now() < until) {
      out = Messages();
      if (out.size() >= n) break;
      std::this_thread::sleep_for(20ms);
    }
    return out;
  }
  std::vector<Message> Messages() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Message> out;
    size_t start = 0;
    while (true) {
      size_t end = text_.find("\n\n", start);
      if (end == std::string::npos) break;
      Message m;
      size_t pos = start;
      while (pos < end) {
        size_t eol = text_.find('\n', pos);
        if (eol == std::string::npos || eol > end) eol = end;
        std::string line = text_.substr(pos, eol - pos);
        if (line.rfind("id: ", 0) == 0) m.id = line.substr(4);
        if (line.rfind("event: ", 0) == 0) m.event = line.substr(7);
        if (line.rfind("data: ", 0) == 0) m.data = line.substr(6);
        pos = eol + 1;
      }
      if (!m.event.empty()) out.push_back(m);
      start = end + 2;
    }
    return out;
  }
  bool WaitEnded(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, timeout, [this] { return ended_; });
  }
  bool EndedCleanly() {
    std::lock_guard<std::mutex> lock(mu_);
    return ended_ && ended_ok_;
  }
  std::string Text() {
    std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }

 private:
  httplib::Client cli_;
  std::mutex mu_;
  std::condition_variable changed_;
  int status_ = 0;             // guarded by mu_
  std::string content_type_;  // guarded by mu_
  std::string text_;          // guarded by mu_
  bool stop_ = false;         // guarded by mu_
  bool ended_ = false;        // guarded by mu_
  bool ended_ok_ = false;     // guarded by mu_
  std::thread thread_;
};

httplib::Headers WithLastId(const Account& who, const std::string& id) {
  httplib::Headers h = Bearer(who.access);
  h.emplace("Last-Event-ID", id);
  return h;
}

// Adds a recipient called name (a recipient.created event).
void AddRecipient(httplib::Client& cli, const Account& who, const std::string& name) {
  auto res = PostJson(cli, "/api/v1/recipients",
                      R"({"name":")" + name +
                          R"(","country":"RS","currency":"RSD","bankAccount":"RS35260005601001611379"})",
                      Bearer(who.access));
  REQUIRE(res);
  REQUIRE(res->status == 201);
}

}  // namespace

TEST_CASE("a user's events arrive on their stream as they happen, and nobody else's") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  LinkDnbAccount(cli, ada);  // before the stream: not sent

  Stream stream(server, Bearer(ada.access));
  REQUIRE(stream.Status() == 200);
  CHECK(stream.ContentType().rfind("text/event-stream", 0) == 0);
  CHECK(stream.WaitForText("retry: 3000").find("retry: 3000") != std::string::npos);

  LinkDnbAccount(cli, bob);
  AddRecipient(cli, ada, "Mama Jasmina");
  auto got = stream.WaitForMessages(1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].event == "recipient.created");
  CHECK(IsHexId(got[0].id, "evt_"));
  auto data = JsonBody(got[0].data);
  CHECK(GetStr(data, "id") == got[0].id);
  CHECK(GetStr(data, "type") == "recipient.created");
  CHECK(GetStr(data, "version") == "1");
  CHECK(IsIsoTime(GetStr(data, "timestamp")));
  CHECK(GetStr(data, "data.name") == "Mama Jasmina");
  std::this_thread::sleep_for(600ms);
  CHECK(stream.Messages().size() == 1);  // not Bob's, not the earlier one
}

TEST_CASE("Last-Event-ID resumes right after that event: nothing lost, nothing repeated") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::vector<Message> first;
  {
    Stream stream(server, Bearer(ada.access));
    REQUIRE(stream.Status() == 200);
    stream.WaitForText("retry:");
    AddRecipient(cli, ada, "One");
    first = stream.WaitForMessages(1);
    REQUIRE(first.size() == 1);
  }
  // While disconnected, three more.
  AddRecipient(cli, ada, "Two");
  AddRecipient(cli, ada, "Three");
  LinkDnbAccount(cli, ada);

  Stream resumed(server, WithLastId(ada, first[0].id));
  REQUIRE(resumed.Status() == 200);
  auto got = resumed.WaitForMessages(3);
  REQUIRE(got.size() == 3);
  CHECK(GetStr(JsonBody(got[0].data), "data.name") == "Two");
  CHECK(GetStr(JsonBody(got[1].data), "data.name") == "Three");
  CHECK(got[2].event == "bank_account.linked");
  // And it carries on live after catching up.
  AddRecipient(cli, ada, "Four");
  got = resumed.WaitForMessages(4);
  REQUIRE(got.size() == 4);
  CHECK(GetStr(JsonBody(got[3].data), "data.name") == "Four");
  std::this_thread::sleep_for(500ms);
  CHECK(resumed.Messages().size() == 4);
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i].id != first[0].id);
}

TEST_CASE("a Last-Event-ID that is malformed or another user's is refused with 400") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  std::string bobs_event;
  {
    Stream stream(server, Bearer(bob.access));
    REQUIRE(stream.Status() == 200);
    stream.WaitForText("retry:");
    AddRecipient(cli, bob, "Bob's");
    auto got = stream.WaitForMessages(1);
    REQUIRE(got.size() == 1);
    bobs_event = got[0].id;
  }
  for (const std::string& id :
       {bobs_event, std::string("evt_0000000000000000"), std::string("noti_0123456789abcdef"),
        std::string("garbage"), std::string("evt_") + std::string(200, 'a')}) {
    CAPTURE(id);
    auto res = cli.Get(kPath, WithLastId(ada, id));
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(ErrorCode(res) == "bad_request");
  }
}

TEST_CASE("the stream needs a signed-in user, or a key with transactions:read") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  auto anon = cli.Get(kPath);
  REQUIRE(anon);
  CHECK(anon->status == 401);
  CHECK(ErrorCode(anon) == "unauthorized");
  auto res = PostJson(cli, "/api/v1/api-keys", R"({"name":"ci","scopes":["rates:read"]})",
                      Bearer(ada.access));
  std::string key = GetStr(DataOf(res, 201), "key");
  auto denied = cli.Get(kPath, {{"X-API-Key", key}});
  REQUIRE(denied);
  CHECK(denied->status == 403);
  CHECK(ErrorCode(denied) == "forbidden");
}

TEST_CASE("an idle stream gets a heartbeat comment") {
  ServerProcess::Options opts;
  opts.env["SSE_HEARTBEAT_S"] = "1";
  ServerProcess server(opts);
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Stream stream(server, Bearer(ada.access));
  REQUIRE(stream.Status() == 200);
  std::string text = stream.WaitForText(": heartbeat\n\n", 5s);
  CHECK(text.find(": heartbeat\n\n") != std::string::npos);
  CHECK(stream.Messages().empty());
}

TEST_CASE("streams over the per-user or the total cap are refused with 503, and freed on close") {
  ServerProcess::Options opts;
  opts.env["SSE_MAX_PER_USER"] = "2";
  opts.env["SSE_MAX_CLIENTS"] = "3";
  ServerProcess server(opts);
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  Account cy = RegisterAndLogin(cli, "cy@example.com");

  auto a1 = std::make_unique<Stream>(server, Bearer(ada.access));
  Stream a2(server, Bearer(ada.access));
  REQUIRE(a1->Status() == 200);
  REQUIRE(a2.Status() == 200);
  auto over_user = cli.Get(kPath, Bearer(ada.access));
  REQUIRE(over_user);
  CHECK(over_user->status == 503);
  CHECK(ErrorCode(over_user) == "service_unavailable");

  Stream b1(server, Bearer(bob.access));
  REQUIRE(b1.Status() == 200);
  auto over_total = cli.Get(kPath, Bearer(cy.access));
  REQUIRE(over_total);
  CHECK(over_total->status == 503);

  // Closing one frees its place (once the server notices: at its next
  // write, which the heartbeat bounds).
  a1.reset();
  AddRecipient(cli, ada, "Wake");  // a write to the closed stream notices
  bool opened = false;
  for (int i = 0; i < 100 && !opened; ++i) {
    int status = 0;
    // A 200 is hung up on at once (the handler says stop); a 503 is read.
    cli.Get(
        kPath, Bearer(cy.access),
        [&status](const httplib::Response& r) {
          status = r.status;
          return r.status != 200;
        },
        [](const char*, size_t) { return true; });
    opened = status == 200;
    if (!opened) std::this_thread::sleep_for(100ms);
  }
  CHECK(opened);
}

TEST_CASE("shutdown ends open streams cleanly and the server exits at once") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Stream stream(server, Bearer(ada.access));
  REQUIRE(stream.Status() == 200);
  stream.WaitForText("retry:");
  auto t0 = std::chrono::steady_clock::now();
  CHECK(server.Stop() == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  CHECK(stream.WaitEnded(5s));
  CHECK(stream.EndedCleanly());
}

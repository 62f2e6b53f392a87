// Webhooks over https (API.md §10): a receiver's certificate must chain to a
// CA of WEBHOOK_CA_FILE and name the URL's host, which is also the name sent
// as SNI, while the connection goes to the address that was checked; a
// certificate or handshake that fails fails the try, which is retried, and
// nothing is sent; without a readable CA bundle the server starts, https
// tries fail and http ones go on; a handshake that never ends is cut off.
//
// The certificates are made for each test (test_certs.h).

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "domain_setup.h"
#include "harness.h"
#include "test_certs.h"
#include "webhook_receiver.h"
#include "webhook_setup.h"

using namespace cairn::test;
using namespace std::chrono_literals;

namespace {

// Where the server connects for host: the first address the system
// resolver gives (events::SystemResolver, ResolveWebhookTarget), as an IP
// literal. "localhost" is 127.0.0.1 on some machines and ::1 on others.
std::string FirstAddressOf(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  REQUIRE(getaddrinfo(host.c_str(), nullptr, &hints, &list) == 0);
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(list, &freeaddrinfo);
  char text[INET6_ADDRSTRLEN];
  REQUIRE(getnameinfo(list->ai_addr, list->ai_addrlen, text, sizeof text, nullptr, 0,
                      NI_NUMERICHOST) == 0);
  return text;
}

// A test CA whose certificate is the whole bundle in `path`.
struct CaFile {
  TempDir dir;
  TestCa ca;
  std::string path = dir.File("ca.pem");
  CaFile() { std::ofstream(path) << ca.Pem(); }
};

ServerProcess::Options HttpsHookServer(const std::string& ca_file,
                                       const std::string& retry_base_ms = "100",
                                       const std::string& timeout_s = "10") {
  ServerProcess::Options o = HookServer(retry_base_ms, timeout_s);
  o.env["WEBHOOK_CA_FILE"] = ca_file;
  return o;
}

picojson::array Tries(const picojson::object& delivery) {
  return Get(delivery, "attempts").get<picojson::array>();
}

std::string TryError(const picojson::value& attempt) {
  return GetStr(attempt.get<picojson::object>(), "error");
}

// A peer on 127.0.0.1 that never completes a TLS handshake. To each
// connection, kSilent sends nothing; kTrickle sends the header of a 16 KiB
// handshake record, then one byte of it every 200 ms, so each of the
// client's reads succeeds in time and the handshake would last close to an
// hour; kHttp answers as a plain HTTP server would, at once, and closes.
class BrokenTlsPeer {
 public:
  enum Mode { kSilent, kTrickle, kHttp };
  explicit BrokenTlsPeer(Mode mode) : mode_(mode) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(listen(fd_, 8) == 0);
    socklen_t len = sizeof a;
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~BrokenTlsPeer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  BrokenTlsPeer(const BrokenTlsPeer&) = delete;
  BrokenTlsPeer& operator=(const BrokenTlsPeer&) = delete;

  std::string Url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  int connections() const { return connections_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++connections_;
      bool open = true;
      if (mode_ == kHttp) {
        const char answer[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        send(c, answer, sizeof answer - 1, MSG_NOSIGNAL);
        open = false;
      } else if (mode_ == kTrickle) {
        const unsigned char header[] = {0x16, 0x03, 0x03, 0x40, 0x00};
        open = send(c, header, sizeof header, MSG_NOSIGNAL) == sizeof header;
      }
      while (open && !stop_) {
        std::this_thread::sleep_for(200ms);
        // A silent peer notices the client leaving when a read finds the end.
        char byte;
        open = mode_ == kSilent ? recv(c, &byte, 1, MSG_DONTWAIT) != 0
                                : send(c, "\x01", 1, MSG_NOSIGNAL) == 1;
      }
      close(c);
    }
  }

  const Mode mode_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

TEST_CASE("an https receiver whose certificate chains to WEBHOOK_CA_FILE gets signed deliveries") {
  CaFile ca;
  WebhookReceiver receiver(ca.ca.Issue("DNS:localhost"), FirstAddressOf("localhost"));
  ServerProcess server(HttpsHookServer(ca.path));
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Hook hook = RegisterHook(cli, ada, receiver.UrlAt("localhost"));

  LinkDnbAccount(cli, ada);
  auto got = receiver.WaitFor(1);
  REQUIRE(got.size() == 1);
  CHECK(SignedBy(got[0], hook.secret));
  CHECK(GetStr(JsonBody(got[0].body), "type") == "bank_account.linked");
  // The connection went to the address the name resolved to, but the name
  // is what the certificate was checked against and what was asked for.
  CHECK(receiver.ServerNames() == std::vector<std::string>{"localhost"});
  CHECK(got[0].Header("Host") == "localhost:" + std::to_string(receiver.port()));
  auto d = AwaitHookDelivery(cli, ada, hook.id, "delivered", 1);
  CHECK(Get(d, "lastStatusCode").get<int64_t>() == 200);
  CHECK(Tries(d).size() == 1);
}

TEST_CASE("an https receiver at an IP literal needs that address in its certificate; no SNI") {
  CaFile ca;
  WebhookReceiver by_address(ca.ca.Issue("IP:127.0.0.1"));
  // A DNS entry that spells the address is not an address entry.
  WebhookReceiver by_name(ca.ca.Issue("DNS:localhost,DNS:127.0.0.1"));
  ServerProcess server(HttpsHookServer(ca.path, "60000"));
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Hook good = RegisterHook(cli, ada, by_address.Url());
  Hook bad = RegisterHook(cli, ada, by_name.Url());

  LinkDnbAccount(cli, ada);
  REQUIRE(by_address.WaitFor(1).size() == 1);
  CHECK(by_address.ServerNames() == std::vector<std::string>{""});
  AwaitHookDelivery(cli, ada, good.id, "delivered", 1);
  auto d = AwaitHookDelivery(cli, ada, bad.id, "pending", 1);
  CHECK(TryError(Tries(d)[0]) == "certificate verification failed: IP address mismatch");
  CHECK(by_name.All().empty());
}

TEST_CASE("a self-signed certificate fails every try, nothing is sent, and the try is retried") {
  CaFile ca;
  WebhookReceiver receiver(SelfSigned("DNS:localhost"), FirstAddressOf("localhost"));
  ServerProcess server(HttpsHookServer(ca.path, "100"));
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Hook hook = RegisterHook(cli, ada, receiver.UrlAt("localhost"));

  LinkDnbAccount(cli, ada);
  auto d = AwaitHookDelivery(cli, ada, hook.id, "pending", 2);
  for (const picojson::value& t : Tries(d)) {
    CHECK(TryError(t) == "certificate verification failed: self-signed certificate");
    CHECK(t.get<picojson::object>().count("statusCode") == 0);
  }
  CHECK(GetStr(d, "lastError") == "certificate verification failed: self-signed certificate");
  CHECK(receiver.ServerNames().size() >= 2);  // it was asked, each time
  CHECK(receiver.All().empty());              // and told nothing
}

TEST_CASE("a certificate for another host name fails the try as a hostname mismatch") {
  CaFile ca;
  // A wildcard stands for one whole label, so *.localhost is not localhost.
  WebhookReceiver receiver(ca.ca.Issue("DNS:example.com,DNS:*.localhost"),
                           FirstAddressOf("localhost"));
  ServerProcess server(HttpsHookServer(ca.path, "60000"));
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Hook hook = RegisterHook(cli, ada, receiver.UrlAt("localhost"));

  LinkDnbAccount(cli, ada);
  auto d = AwaitHookDelivery(cli, ada, hook.id, "pending", 1);
  CHECK(TryError(Tries(d)[0]) == "certificate verification failed: hostname mismatch");
  CHECK(IsIsoTime(GetStr(d, "nextAttemptAt")));
  CHECK(receiver.All().empty());
}

TEST_CASE("an https URL whose receiver speaks plain http fails the handshake, with the reason") {
  CaFile ca;
  BrokenTlsPeer plain(BrokenTlsPeer::kHttp);
  ServerProcess server(HttpsHookServer(ca.path, "60000"));
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Hook hook = RegisterHook(cli, ada, plain.Url());

  LinkDnbAccount(cli, ada);
  auto d = AwaitHookDelivery(cli, ada, hook.id, "pending", 1);
  CHECK(TryError(Tries(d)[0]) == "TLS handshake failed: wrong version number");
  CHECK(plain.connections() == 1);
}

TEST_CASE("without a readable CA bundle the server starts, https tries fail and http ones go on") {
  TempDir dir;
  std::string bundle = dir.File("ca.pem");
  TestCa ca;
  WebhookReceiver secure(ca.Issue("IP:127.0.0.1"));
  WebhookReceiver plain;
  ServerProcess server(HttpsHookServer(bundle, "300"));
  CHECK(server.Stdout().find("webhook_ca_file_unreadable") != std::string::npos);
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Hook https = RegisterHook(cli, ada, secure.Url());
  RegisterHook(cli, ada, plain.Url());

  LinkDnbAccount(cli, ada);
  REQUIRE(plain.WaitFor(1).size() == 1);
  auto d = AwaitHookDelivery(cli, ada, https.id, "pending", 1);
  CHECK(TryError(Tries(d)[0]) == "no CA bundle at " + bundle + " (No such file or directory)");
  CHECK(secure.ServerNames().empty());  // not even connected

  // The bundle is read at every try: once it is there, the retry verifies.
  std::ofstream(bundle) << ca.Pem();
  d = AwaitHookDelivery(cli, ada, https.id, "delivered", 2);
  REQUIRE(secure.WaitFor(1).size() == 1);
}

TEST_CASE("a receiver silent in the TLS handshake fails the try at the connect timeout") {
  CaFile ca;
  BrokenTlsPeer silent(BrokenTlsPeer::kSilent);
  ServerProcess server(HttpsHookServer(ca.path, "60000"));  // connect timeout 3 s
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Hook hook = RegisterHook(cli, ada, silent.Url());

  LinkDnbAccount(cli, ada);
  auto d = AwaitHookDelivery(cli, ada, hook.id, "pending", 1);
  auto t = Tries(d)[0].get<picojson::object>();
  CHECK(GetStr(t, "error") == "TLS handshake timed out after 3000 ms");
  CHECK(Get(t, "durationMs").get<int64_t>() >= 2900);
}

TEST_CASE("a receiver that stalls its TLS handshake is cut off at the timeout, holding no one up") {
  CaFile ca;
  BrokenTlsPeer stalled(BrokenTlsPeer::kTrickle);
  WebhookReceiver fast;
  ServerProcess server(HttpsHookServer(ca.path, "60000", "2"));
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  Hook slow = RegisterHook(cli, ada, stalled.Url());
  RegisterHook(cli, bob, fast.Url());

  LinkDnbAccount(cli, ada);
  auto d = AwaitHookDelivery(cli, ada, slow.id, "pending", 1, 10s);
  CHECK(stalled.connections() == 1);
  auto t = Tries(d)[0].get<picojson::object>();
  CHECK(GetStr(t, "error") == "timed out after 2000 ms");
  CHECK(Get(t, "durationMs").get<int64_t>() >= 1900);
  CHECK(Get(t, "durationMs").get<int64_t>() < 4000);

  // The sender that cut it off goes on sending.
  auto started = std::chrono::steady_clock::now();
  LinkDnbAccount(cli, bob);
  REQUIRE(fast.WaitFor(1, 5s).size() == 1);
  CHECK(std::chrono::steady_clock::now() - started < 2s);
}

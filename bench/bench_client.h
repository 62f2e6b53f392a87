#pragma once

// What Cairn's C++ benchmark drivers (bench/events_bench.cpp, bench/soak.cpp)
// share: an httplib client for the Cairn on 127.0.0.1:g_port, calls that
// must answer a given status (or the driver exits), and the setup every
// driver needs through the API: accounts, a merchant, funded payers,
// webhooks, QR payments. Header-only: each driver is one translation unit.

#include <picojson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "http/httplib_config.h"

namespace bench {

using Clock = std::chrono::steady_clock;

inline int g_port = 0;
inline const char* g_program = "bench";
inline const char kPassword[] = "benchPassw0rd";

[[noreturn]] inline void Die(const std::string& why) {
  std::fprintf(stderr, "%s: %s\n", g_program, why.c_str());
  std::exit(1);
}

inline httplib::Client Client() {
  httplib::Client c("127.0.0.1", g_port);
  c.set_read_timeout(30, 0);
  return c;
}

inline picojson::object Call(httplib::Client& c, const std::string& method,
                             const std::string& path, const std::string& body,
                             const std::string& token, int want,
                             const std::string& idempotency = "") {
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  if (!idempotency.empty()) h.emplace("Idempotency-Key", idempotency);
  httplib::Result res = method == "POST" ? c.Post(path, h, body, "application/json")
                                         : c.Get(path, h);
  if (!res) Die(method + " " + path + ": no answer");
  if (res->status != want) {
    Die(method + " " + path + " answered " + std::to_string(res->status) + ": " + res->body);
  }
  picojson::value v;
  picojson::parse(v, res->body);
  return v.is<picojson::object>() ? v.get<picojson::object>() : picojson::object{};
}

inline std::string Str(const picojson::object& o, const std::string& a, const std::string& b) {
  auto it = o.find(a);
  if (it == o.end() || !it->second.is<picojson::object>()) return "";
  const auto& inner = it->second.get<picojson::object>();
  auto jt = inner.find(b);
  return jt != inner.end() && jt->second.is<std::string>() ? jt->second.get<std::string>() : "";
}

inline std::string LoginBody(const std::string& email, const std::string& password = kPassword) {
  return R"({"email":")" + email + R"(","password":")" + password + R"("})";
}

// Registers and signs in; returns the access token.
inline std::string SignUp(const std::string& email) {
  auto c = Client();
  Call(c, "POST", "/api/v1/auth/register",
       R"({"email":")" + email + R"(","password":")" + kPassword +
           R"(","firstName":"Bench","lastName":"User","dateOfBirth":"1990-01-01"})",
       "", 201);
  auto login = Call(c, "POST", "/api/v1/auth/login", LoginBody(email), "", 200);
  return Str(login, "data", "accessToken");
}

// A merchant to pay; returns its id.
inline std::string MakeMerchant() {
  std::string token = SignUp("shop@example.com");
  auto c = Client();
  auto m = Call(c, "POST", "/api/v1/merchants/register",
                R"({"businessName":"Bench Shop","orgNumber":"123456785","bankAccount":"12345678903"})",
                token, 201);
  return Str(m, "data", "id");
}

// n payers (prefix0@example.com, …) with a funded account each, two
// registrations at a time (each is an Argon2id hash); their tokens.
inline std::vector<std::string> MakePayers(int n, const std::string& prefix) {
  std::vector<std::string> tokens(static_cast<size_t>(n));
  std::vector<std::thread> ts;
  for (int part = 0; part < 2; ++part) {
    ts.emplace_back([&, part] {
      for (int i = part; i < n; i += 2) {
        std::string t = SignUp(prefix + std::to_string(i) + "@example.com");
        auto c = Client();
        Call(c, "POST", "/api/v1/bank-accounts",
             R"({"bankName":"Bench Bank","initialBalance":1000000})", t, 201);
        tokens[static_cast<size_t>(i)] = t;
      }
    });
  }
  for (auto& t : ts) t.join();
  return tokens;
}

inline void AddWebhook(const std::string& token, const std::string& url) {
  auto c = Client();
  Call(c, "POST", "/api/v1/webhooks",
       R"({"url":")" + url + R"(","events":["transaction.completed"]})", token, 201);
}

inline std::string QrPaymentBody(const std::string& merchant) {
  return R"({"merchantId":")" + merchant + R"(","amount":1.5})";
}

// Pays 1.50 NOK; returns the transaction id.
inline std::string Pay(httplib::Client& c, const std::string& token, const std::string& merchant,
                       const std::string& key) {
  auto r = Call(c, "POST", "/api/v1/transactions/qr-payment", QrPaymentBody(merchant), token, 201,
                key);
  return Str(r, "data", "id");
}

// The transaction id in an event body {data: {id}, type}, if completed.
inline std::string CompletedTx(const std::string& body) {
  picojson::value v;
  if (!picojson::parse(v, body).empty() || !v.is<picojson::object>()) return "";
  const auto& o = v.get<picojson::object>();
  auto type = o.find("type");
  if (type == o.end() || !type->second.is<std::string>() ||
      type->second.get<std::string>() != "transaction.completed") {
    return "";
  }
  return Str(o, "data", "id");
}

// Reads an event stream as its bytes arrive: splits them into messages and
// hands on_tx the id of each transaction.completed one.
class CompletedTxStream {
 public:
  template <typename OnTx>
  void Feed(const char* data, size_t n, OnTx&& on_tx) {
    buffer_.append(data, n);
    for (size_t end; (end = buffer_.find("\n\n")) != std::string::npos;) {
      std::string msg = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      size_t d = msg.find("\ndata: ");
      if (d == std::string::npos) continue;
      std::string tx = CompletedTx(msg.substr(d + 7));
      if (!tx.empty()) on_tx(tx);
    }
  }

 private:
  std::string buffer_;
};

inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

inline double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

inline long RssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

}  // namespace bench

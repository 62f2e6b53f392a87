#include "events/webhook_delivery.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../temp_dir.h"
#include "store/migrations.h"
#include "util/embedded.h"

namespace cairn::events {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

// A migrated database file with one user and one webhook per id given.
std::unique_ptr<store::Database> Setup(const TempDir& dir, const std::vector<std::string>& hooks) {
  store::DatabaseOptions opts;
  opts.path = dir.File("cairn.db");
  opts.pool_size = 2;
  {
    auto conn = store::OpenConnection(opts);
    REQUIRE(conn.ok());
    auto ms = store::ParseMigrations(embedded::Migrations());
    REQUIRE(ms.ok());
    REQUIRE(store::Migrate(**conn, *ms).ok());
    (*conn)->exec(
        "INSERT INTO users (id, email, password_hash, first_name, last_name, date_of_birth, "
        "role, status, kyc_status, created_at, updated_at) VALUES ('usr_0000000000000001', "
        "'a@example.com', 'x', 'A', 'B', '1990-01-01', 'user', 'active', 'pending', 0, 0)");
    for (const std::string& h : hooks) {
      (*conn)->exec("INSERT INTO webhooks (id, user_id, url, events, secret, created_at) VALUES ('" +
                    h + "', 'usr_0000000000000001', 'http://hook" + h.substr(h.size() - 1) +
                    ".example/hook', '*', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 0)");
    }
  }
  auto db = store::Database::Open(opts);
  REQUIRE(db.ok());
  return std::move(db.value());
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void AddDelivery(store::Database& db, const std::string& id, const std::string& hook,
                 int64_t created_at = UnixSeconds(std::chrono::system_clock::now())) {
  auto lease = db.Acquire();
  REQUIRE(lease.ok());
  store::DeliveryRow d;
  d.id = id;
  d.webhook_id = hook;
  d.user_id = "usr_0000000000000001";
  d.event_id = "evt_0123456789abcdef";
  d.event_type = "transaction.completed";
  d.payload = R"({"id":"evt_0123456789abcdef"})";
  d.status = "pending";
  d.next_attempt_at = NowMs();
  d.created_at = created_at;
  REQUIRE(store::InsertDelivery(**lease, d).ok());
}

std::string Column(store::Database& db, const std::string& sql) {
  auto lease = db.Acquire();
  REQUIRE(lease.ok());
  SQLite::Statement q(**lease, sql);
  return q.executeStep() ? q.getColumn(0).getString() : "";
}

// Polls sql until it returns want (or 10 s).
bool Eventually(store::Database& db, const std::string& sql, const std::string& want) {
  for (int i = 0; i < 500; ++i) {
    if (Column(db, sql) == want) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// Answers with a fixed status; can hold every send until released; counts
// the sends in progress per host.
class FakeSender : public WebhookSender {
 public:
  SendOutcome Send(const OutgoingRequest& r) override {
    std::unique_lock<std::mutex> lock(mu_);
    sent.push_back(r);
    int now = ++in_flight_[r.url.host];
    max_in_flight_ = std::max(max_in_flight_, now);
    changed_.notify_all();
    changed_.wait(lock, [this] { return !holding_; });
    --in_flight_[r.url.host];
    return outcome;
  }
  void Hold() {
    std::lock_guard<std::mutex> lock(mu_);
    holding_ = true;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      holding_ = false;
    }
    changed_.notify_all();
  }
  // Waits until n sends have started.
  size_t WaitForSends(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, 5s, [&] { return sent.size() >= n; });
    return sent.size();
  }
  int max_in_flight() {
    std::lock_guard<std::mutex> lock(mu_);
    return max_in_flight_;
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return sent.size();
  }

  SendOutcome outcome{200, ""};
  std::vector<OutgoingRequest> sent;  // guarded by mu_

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool holding_ = false;
  std::map<std::string, int> in_flight_;
  int max_in_flight_ = 0;
};

// Every host resolves to one public address.
Resolver PublicResolver() {
  return [](const std::string&) -> Result<std::vector<IpAddress>> {
    return std::vector<IpAddress>{*IpAddress::Parse("93.184.216.34")};
  };
}

DeliveryOptions Fast() {
  DeliveryOptions o;
  o.retry_base = 20ms;
  o.poll = 10ms;
  return o;
}

TEST_CASE("retry waits grow five-fold from the base, within 20 % either way") {
  DeliveryOptions o;
  o.retry_base = 60s;
  std::mt19937_64 rng(1);
  const int64_t want[] = {60'000, 300'000, 1'500'000, 7'500'000, 37'500'000};
  for (int n = 1; n <= 5; ++n) {
    for (int i = 0; i < 200; ++i) {
      int64_t ms = RetryDelay(o, n, rng).count();
      CHECK(ms >= want[n - 1] * 8 / 10);
      CHECK(ms <= want[n - 1] * 12 / 10);
    }
  }
}

TEST_CASE("a due delivery is sent to the checked address, signed, and marked delivered") {
  TempDir dir;
  auto db = Setup(dir, {"whk_000000000000000a"});
  AddDelivery(*db, "whd_0000000000000001", "whk_000000000000000a");
  FakeSender sender;
  {
    WebhookDeliverer deliverer(*db, SystemClock::Get(), sender, PublicResolver(), Fast());
    deliverer.Wake();
    REQUIRE(Eventually(*db, "SELECT status FROM webhook_deliveries", "delivered"));
  }
  REQUIRE(sender.count() == 1);
  const OutgoingRequest& r = sender.sent.front();
  CHECK(r.url.host == "hooka.example");
  CHECK(r.address.ToString() == "93.184.216.34");
  CHECK(r.body == R"({"id":"evt_0123456789abcdef"})");
  bool signed_both = false;
  for (const auto& [name, value] : r.headers) {
    if (name == "webhook-signature") signed_both = value.rfind("v1,", 0) == 0;
  }
  CHECK(signed_both);
  CHECK(Column(*db, "SELECT attempt || ':' || status FROM webhook_attempts") == "1:200");
}

TEST_CASE("a target that now resolves to a private address is refused at the try, not sent") {
  TempDir dir;
  auto db = Setup(dir, {"whk_000000000000000a"});
  AddDelivery(*db, "whd_0000000000000001", "whk_000000000000000a");
  FakeSender sender;
  Resolver rebound = [](const std::string&) -> Result<std::vector<IpAddress>> {
    return std::vector<IpAddress>{*IpAddress::Parse("93.184.216.34"),
                                  *IpAddress::Parse("127.0.0.1")};
  };
  DeliveryOptions o = Fast();
  o.retry_base = 1h;
  {
    WebhookDeliverer deliverer(*db, SystemClock::Get(), sender, rebound, o);
    deliverer.Wake();
    REQUIRE(Eventually(*db, "SELECT count(*) FROM webhook_attempts", "1"));
  }
  CHECK(sender.count() == 0);
  CHECK(Column(*db, "SELECT status FROM webhook_deliveries") == "pending");
  CHECK(Column(*db, "SELECT error FROM webhook_attempts").find("refused: url resolves to "
                                                             "127.0.0.1") == 0);
}

TEST_CASE("one endpoint never holds more than two senders, so others are still served") {
  TempDir dir;
  auto db = Setup(dir, {"whk_000000000000000a", "whk_000000000000000b"});
  for (int i = 0; i < 6; ++i) {
    AddDelivery(*db, "whd_00000000000000a" + std::to_string(i), "whk_000000000000000a");
  }
  AddDelivery(*db, "whd_00000000000000b0", "whk_000000000000000b");
  FakeSender sender;
  sender.Hold();
  {
    WebhookDeliverer deliverer(*db, SystemClock::Get(), sender, PublicResolver(), Fast());
    deliverer.Wake();
    // Two of a's and b's one start; the other two workers find nothing they
    // may take.
    REQUIRE(sender.WaitForSends(3) == 3);
    std::this_thread::sleep_for(100ms);
    CHECK(sender.count() == 3);
    CHECK(sender.max_in_flight() == 2);
    sender.Release();
    REQUIRE(Eventually(*db,
                       "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'",
                       "7"));
  }
  CHECK(sender.max_in_flight() == 2);
}

TEST_CASE("a delivery still pending a day after it was made is failed without a try") {
  TempDir dir;
  auto db = Setup(dir, {"whk_000000000000000a"});
  int64_t two_days_ago = UnixSeconds(std::chrono::system_clock::now()) - 2 * 24 * 3600;
  AddDelivery(*db, "whd_0000000000000001", "whk_000000000000000a", two_days_ago);
  FakeSender sender;
  {
    WebhookDeliverer deliverer(*db, SystemClock::Get(), sender, PublicResolver(), Fast());
    deliverer.Wake();
    REQUIRE(Eventually(*db, "SELECT status FROM webhook_deliveries", "failed"));
  }
  CHECK(sender.count() == 0);
  CHECK(Column(*db, "SELECT last_error FROM webhook_deliveries") ==
        "expired: not delivered within 24 hours");
}

TEST_CASE("stopping waits for the try in progress and records it") {
  TempDir dir;
  auto db = Setup(dir, {"whk_000000000000000a"});
  AddDelivery(*db, "whd_0000000000000001", "whk_000000000000000a");
  FakeSender sender;
  sender.Hold();
  std::thread release;
  {
    WebhookDeliverer deliverer(*db, SystemClock::Get(), sender, PublicResolver(), Fast());
    deliverer.Wake();
    REQUIRE(sender.WaitForSends(1) == 1);
    release = std::thread([&sender] {
      std::this_thread::sleep_for(200ms);
      sender.Release();
    });
  }  // the destructor waits for the held send
  release.join();
  CHECK(Column(*db, "SELECT status FROM webhook_deliveries") == "delivered");
}

}  // namespace
}  // namespace cairn::events

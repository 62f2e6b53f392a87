// Seeds a Cairn database with payments for the list benchmark (issue 6):
// USERS users (one shared password hash, so no Argon2id per user), each with
// an account linked through payments::BankAccounts, 20 of them merchants
// registered through payments::Merchants, and PAYMENTS QR payments written
// with the calls Transactions::Pay makes (the sandbox bank's debit, the
// cached balance, the transaction row, its two outbox events), many to a
// commit: the rows, their indexes and the file's size are what that many
// payments leave behind, made in a minute instead of the hours one commit
// per payment would take.
//
// Shape: one heavy payer, bench@example.com, makes every tenth payment
// (100,000 of 1,000,000: a 20-row list of them has 5,000 pages); the other
// payers share the rest evenly. Payments are spread over the year before
// now, amounts 1.00 to 9.99 NOK.
//
// Usage: seed_payments DB_PATH [PAYMENTS [USERS]]   (1000000, 10000)
// Prints the bench account's email and password and the counts. The file
// must not exist yet. Runs with synchronous=NORMAL (nothing is served while
// seeding; a crash means seeding again).

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <algorithm>
#include <vector>

#include "auth/password.h"
#include "payments/bank_accounts.h"
#include "payments/merchants.h"
#include "payments/money.h"
#include "payments/outbox.h"
#include "payments/sandbox_bank.h"
#include "payments/transactions.h"
#include "store/database.h"
#include "store/bank_accounts.h"
#include "store/migrations.h"
#include "store/users.h"
#include "util/clock.h"
#include "util/embedded.h"
#include "util/ids.h"
#include "util/log.h"

namespace {

using namespace cairn;
using Steady = std::chrono::steady_clock;

constexpr char kPassword[] = "benchPassw0rd";
constexpr int kMerchants = 20;
constexpr int kHeavyEvery = 10;  // the heavy payer makes every tenth payment

// Time that only moves forward, step by step with the payments.
class SeedClock final : public Clock {
 public:
  SeedClock(TimePoint start, TimePoint::duration step) : start_(start), step_(step) {}
  TimePoint Now() const override { return start_ + step_ * at_.load(std::memory_order_relaxed); }
  void MoveTo(int64_t i) {
    int64_t seen = at_.load(std::memory_order_relaxed);
    while (seen < i && !at_.compare_exchange_weak(seen, i, std::memory_order_relaxed)) {
    }
  }

 private:
  const TimePoint start_;
  const TimePoint::duration step_;
  std::atomic<int64_t> at_{0};
};

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "seed_payments: %s: %s\n", what.c_str(), s.message().c_str());
  std::exit(1);
}

// The check digit that makes `digits` pass a weighted MOD11 check, or -1
// when there is none (remainder 1): Norwegian account and org numbers.
int Mod11Check(const std::string& digits, const std::vector<int>& weights) {
  int sum = 0;
  for (size_t i = 0; i < digits.size(); ++i) sum += (digits[i] - '0') * weights[i];
  int r = 11 - sum % 11;
  if (r == 11) return 0;
  return r == 10 ? -1 : r;
}

// The n-th valid number of `width - 1` digits starting at `base`, with its
// check digit appended.
std::string NthMod11(int64_t base, int n, size_t width, const std::vector<int>& weights) {
  for (int64_t v = base;; ++v) {
    std::string digits = std::to_string(v);
    digits.insert(0, width - 1 - digits.size(), '0');
    int c = Mod11Check(digits, weights);
    if (c < 0) continue;
    if (n-- == 0) return digits + static_cast<char>('0' + c);
  }
}

void Check(const char* what, const Status& s) {
  if (!s.ok()) Die(what, s);
}

payments::Reply RenderLinked(const store::BankAccountRow&) { return {201, "{}"}; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: seed_payments DB_PATH [PAYMENTS [USERS]]\n");
    return 2;
  }
  const std::string path = argv[1];
  const int64_t n_payments = argc > 2 ? std::atoll(argv[2]) : 1000000;
  const int n_users = argc > 3 ? std::atoi(argv[3]) : 10000;
  if (n_payments < 1 || n_users < kMerchants + 2) {
    std::fprintf(stderr, "seed_payments: need PAYMENTS >= 1 and USERS >= %d\n", kMerchants + 2);
    return 2;
  }
  if (std::filesystem::exists(path)) {
    std::fprintf(stderr, "seed_payments: %s exists; seed a new file\n", path.c_str());
    return 2;
  }
  log::SetThreshold(log::Level::kWarn);

  store::DatabaseOptions opts;
  opts.path = path;
  opts.synchronous_full = false;
  opts.pool_size = 2;
  {
    auto migrations = store::ParseMigrations(embedded::Migrations());
    if (!migrations.ok()) Die("migrations", migrations.status());
    auto conn = store::OpenConnection(opts);
    if (!conn.ok()) Die("open", conn.status());
    auto report = store::Migrate(*conn.value(), migrations.value());
    if (!report.ok()) Die("migrate", report.status());
  }
  auto db = store::Database::Open(opts);
  if (!db.ok()) Die("open", db.status());

  // Users and accounts an hour before the first payment; payments spread
  // over the year that ends an hour ago.
  const auto end = std::chrono::system_clock::now() - std::chrono::hours(1);
  const auto start = end - std::chrono::hours(24 * 365) - std::chrono::hours(1);
  const TimePoint::duration step =
      std::chrono::duration_cast<TimePoint::duration>(end - start) / (n_payments + 1);
  SeedClock clock(start, step);
  payments::SandboxBank bank(payments::SandboxOptions{5, {13}});
  payments::BankAccounts accounts(**db, clock, bank);
  payments::Merchants merchants(**db, clock);

  auto t0 = Steady::now();
  auth::PasswordHasher hasher;
  auto hash = hasher.Hash(kPassword);
  if (!hash.ok()) Die("hash", hash.status());

  // Users, each with a linked sandbox account of 1,000,000 NOK; the last
  // kMerchants become merchants.
  std::vector<auth::Principal> users;
  const int64_t now_s = UnixSeconds(clock.Now());
  {
    auto lease = (*db)->Acquire();
    if (!lease.ok()) Die("acquire", lease.status());
    SQLite::Transaction tx(**lease, SQLite::TransactionBehavior::IMMEDIATE);
    for (int i = 0; i < n_users; ++i) {
      store::UserRow u;
      u.id = NewId("usr");
      u.email = i == 0 ? "bench@example.com" : "user" + std::to_string(i) + "@example.com";
      u.password_hash = *hash;
      u.first_name = "Bench";
      u.last_name = "User" + std::to_string(i);
      u.date_of_birth = "1990-01-01";
      u.created_at = u.updated_at = now_s;
      if (Status s = store::InsertUser(**lease, u); !s.ok()) Die("insert user", s);
      auth::Principal who;
      who.user_id = u.id;
      who.email = u.email;
      who.role = "user";
      users.push_back(std::move(who));
    }
    tx.commit();
  }
  for (const auth::Principal& who : users) {
    payments::LinkInput link;
    link.bank_name = "Bench Bank";
    link.initial_balance = 100000000;  // 1,000,000.00 NOK in øre
    auto linked = accounts.Link(who, link, {}, RenderLinked);
    if (!linked.ok()) Die("link account", linked.status());
  }
  std::vector<store::MerchantRow> merchant_rows;
  for (int m = 0; m < kMerchants; ++m) {
    payments::NewMerchant in;
    in.business_name = "Bench Shop " + std::to_string(m);
    in.org_number = NthMod11(90000000, m, 9, {3, 2, 7, 6, 5, 4, 3, 2});
    in.bank_account = NthMod11(1234000000, m, 11, {5, 4, 3, 2, 7, 6, 5, 4, 3, 2});
    auto registered = merchants.Register(users[n_users - 1 - m], in);
    if (!registered.ok()) Die("register merchant", registered.status());
    merchant_rows.push_back(*registered);
  }
  auto t1 = Steady::now();

  // The payments, in time order, 10,000 to a transaction. Each is what
  // Transactions::Pay writes for a QR payment, through the same calls (the
  // bank's Submit with its debit, the cached balance, the row, the two
  // outbox events), without Pay's per-payment commit, idempotency record
  // (kept 24 h, so not part of a year's data) or HTTP.
  const int payers = n_users - kMerchants;
  int64_t heavy = 0;
  std::vector<store::BankAccountRow> paying(n_users);
  for (int u = 0; u < payers; ++u) {
    auto lease = (*db)->Acquire();
    if (!lease.ok()) Die("acquire", lease.status());
    auto a = store::FindPrimaryBankAccount(**lease, users[u].user_id);
    if (!a.ok()) Die("primary account", a.status());
    paying[u] = *a;
  }
  // Random ids make the primary-key indexes take inserts all over the file:
  // with SQLite's default 2 MB page cache, most inserts would read a page
  // back and spill another. Seeding holds the file's pages in memory instead.
  {
    auto a = (*db)->Acquire();
    auto b = (*db)->Acquire();
    if (!a.ok() || !b.ok()) Die("acquire", a.ok() ? b.status() : a.status());
    for (SQLite::Database* conn : {&**a, &**b}) conn->exec("PRAGMA cache_size = -2000000");
  }
  constexpr int64_t kPerCommit = 10000;
  for (int64_t from = 0; from < n_payments; from += kPerCommit) {
    auto lease = (*db)->Acquire();
    if (!lease.ok()) Die("acquire", lease.status());
    SQLite::Database& conn = **lease;
    SQLite::Transaction tx(conn, SQLite::TransactionBehavior::IMMEDIATE);
    for (int64_t i = from; i < std::min(n_payments, from + kPerCommit); ++i) {
      clock.MoveTo(i + 1);
      const int64_t now = UnixSeconds(clock.Now());
      int payer = i % kHeavyEvery == 0 ? 0 : 1 + static_cast<int>(i % (payers - 1));
      heavy += payer == 0;
      uint64_t h = static_cast<uint64_t>(i) * 0x9e3779b97f4a7c15ull;
      h ^= h >> 29;
      const store::MerchantRow& m = merchant_rows[h % merchant_rows.size()];
      store::BankAccountRow& account = paying[payer];

      store::TransactionRow t;
      t.type = "qr_payment";
      t.amount = 100 + static_cast<int64_t>((h >> 8) % 900);
      t.fee = payments::PercentOf(t.amount, payments::kQrFeeBp);
      t.total = t.amount + t.fee;
      t.bank_account_id = account.id;
      t.merchant_id = m.id;
      t.merchant_name = m.business_name;
      auto submitted = bank.Submit(conn, {account.account_number, t.total, t.amount, true}, now);
      if (!submitted.ok()) Die("bank debit", submitted.status());
      Check("balance", store::UpdateBankBalance(conn, account.id, submitted->balance_after, now));
      t.id = NewId("tx_qr");
      t.user_id = users[payer].user_id;
      t.currency = "NOK";
      t.provider_ref = submitted->ref;
      t.status = "completed";
      t.created_at = t.updated_at = t.completed_at = now;
      Check("transaction", store::InsertTransaction(conn, t));
      picojson::value data = payments::TransactionEventData(t);
      Check("event", payments::Emit(conn, t.user_id, "transaction.created", data, now));
      Check("event", payments::Emit(conn, t.user_id, "transaction.completed", data, now));
    }
    tx.commit();
    int64_t done = std::min(n_payments, from + kPerCommit);
    if (done % 100000 == 0 || done == n_payments) {
      std::fprintf(stderr, "seed_payments: %lld payments\n", static_cast<long long>(done));
    }
  }
  auto t2 = Steady::now();
  db->reset();  // closes the connections: the WAL is checkpointed into the file

  auto secs = [](Steady::duration d) { return std::chrono::duration<double>(d).count(); };
  std::printf("email %s\npassword %s\n", "bench@example.com", kPassword);
  std::printf("users %d\nmerchants %d\npayments %lld\nheavy_payer_payments %lld\n", n_users,
              kMerchants, static_cast<long long>(n_payments), static_cast<long long>(heavy));
  std::printf("seconds_users %.1f\nseconds_payments %.1f\n", secs(t1 - t0), secs(t2 - t1));
  return 0;
}

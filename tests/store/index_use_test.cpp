// Every list and summary the API serves, and the queues read on every pass
// (webhook deliveries, the event stream), read through an index (issue 6):
// each statement they run is planned (EXPLAIN QUERY PLAN) and the plan must
// name an index for every table it reads, sort nothing in a temporary B-tree
// where the order could come from an index, and build no automatic index.

#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "store/audit.h"
#include "store/bank_accounts.h"
#include "store/compliance.h"
#include "store/database.h"
#include "store/list_query.h"
#include "store/mail.h"
#include "store/merchants.h"
#include "store/migrations.h"
#include "store/notifications.h"
#include "store/recipients.h"
#include "store/transactions.h"
#include "store/users.h"
#include "store/webhooks.h"
#include "store/events.h"

namespace cairn::store {
namespace {

// The SQL text of every statement a connection starts, as written (with its
// "?" placeholders: a plan does not depend on the values bound).
int Record(unsigned type, void* ctx, void* /*stmt*/, void* text) {
  if (type == SQLITE_TRACE_STMT) {
    static_cast<std::set<std::string>*>(ctx)->insert(static_cast<const char*>(text));
  }
  return 0;
}

struct Planned {
  std::unique_ptr<SQLite::Database> db;
  std::set<std::string> statements;

  Planned() {
    auto opened = OpenConnection({":memory:", true, 5000, 1});
    REQUIRE(opened.ok());
    db = std::move(opened.value());
    auto ms = ParseMigrations(embedded::Migrations());
    REQUIRE(ms.ok());
    REQUIRE(Migrate(*db, *ms).ok());
    sqlite3_trace_v2(db->getHandle(), SQLITE_TRACE_STMT, &Record, &statements);
  }

  // The plan's lines, e.g. "SEARCH t USING INDEX transactions_user (user_id=?)".
  std::vector<std::string> Plan(const std::string& sql) {
    sqlite3_trace_v2(db->getHandle(), 0, nullptr, nullptr);
    std::vector<std::string> lines;
    SQLite::Statement q(*db, "EXPLAIN QUERY PLAN " + sql);
    while (q.executeStep()) lines.push_back(q.getColumn(3).getString());
    sqlite3_trace_v2(db->getHandle(), SQLITE_TRACE_STMT, &Record, &statements);
    return lines;
  }
};

// The paging styles of §7 for one order: counted offset pages, and a cursor
// page (keyset) after a row. Values do not matter to the plan.
std::vector<ListSpec> Specs(const std::vector<SortColumn>& sorts) {
  std::vector<ListSpec> out;
  for (const SortColumn& s : sorts) {
    for (bool desc : {false, true}) {
      ListSpec counted;
      counted.order = {{s.column, desc}};
      counted.id_desc = desc;
      counted.offset = 20;
      out.push_back(counted);
      ListSpec cursor = counted;
      cursor.count = false;
      cursor.offset = 0;
      cursor.after = {int64_t{0}, int64_t{0}};
      out.push_back(cursor);
    }
  }
  return out;
}

// What is wrong with a plan, if anything:
// - a table read without an index ("SCAN t" alone), except a substring
//   search (LIKE) over users, which no B-tree can answer: it reads every
//   user, and only the admin's user list offers it;
// - an automatic (temporary) index;
// - a sort in a temporary B-tree, unless the rows sorted were found by an
//   index SEARCH (one user's transactions of one type, say), never the
//   whole table; and the transactions list in time order, the one clients
//   page through most, sorts nothing at all.
std::vector<std::string> Unindexed(const std::string& sql, const std::vector<std::string>& plan) {
  bool substring_search = sql.find(" LIKE ") != std::string::npos &&
                          sql.find("FROM users") != std::string::npos;
  bool hot_list = sql.find("FROM transactions t") != std::string::npos &&
                  sql.find("ORDER BY t.created_at") != std::string::npos;
  bool searched = false;
  std::vector<std::string> bad;
  for (const std::string& line : plan) {
    if (line.rfind("SEARCH ", 0) == 0) searched = true;
    bool scan = line.rfind("SCAN ", 0) == 0 && line.find(" USING ") == std::string::npos;
    bool sorted = line.find("USE TEMP B-TREE") != std::string::npos;
    if ((scan && !substring_search) || line.find("AUTOMATIC") != std::string::npos ||
        (sorted && (!searched || hot_list))) {
      bad.push_back(line);
    }
  }
  return bad;
}

TEST_CASE("every list and summary statement reads through an index") {
  Planned p;
  SQLite::Database& db = *p.db;
  ListResult r;
  const std::string u = "usr_0000000000000001";

  for (const ListSpec& spec : Specs(TransactionSortColumns())) {
    std::vector<TransactionFilter> filters(8);
    filters[1].type = "qr_payment";
    filters[2].status = "completed";
    filters[3].search = "shop";
    filters[4].created_from = 1;
    filters[4].created_to = 2;
    filters[5].amount_min = 1;
    filters[5].amount_max = 2;
    filters[6].type = "remittance";
    filters[6].status = "processing";
    filters[7].status = "failed";
    filters[7].created_from = 1;
    for (const TransactionFilter& f : filters) REQUIRE(ListTransactions(db, u, f, spec, &r).ok());
  }
  REQUIRE(SumTransactions(db, u, 0).ok());
  for (const ListSpec& spec : Specs(MerchantPaymentSortColumns())) {
    REQUIRE(ListMerchantPayments(db, "mer_0000000000000001", spec, &r).ok());
  }
  REQUIRE(SumMerchantPayments(db, "mer_0000000000000001", 0).ok());
  for (const ListSpec& spec : Specs(RecipientSortColumns())) {
    REQUIRE(ListRecipients(db, u, spec, &r).ok());
  }
  for (const ListSpec& spec : Specs(BankAccountSortColumns())) {
    REQUIRE(ListBankAccounts(db, u, spec, &r).ok());
  }
  for (const ListSpec& spec : Specs(NotificationSortColumns())) {
    for (bool unread : {false, true}) REQUIRE(ListNotifications(db, u, unread, spec, &r).ok());
  }
  for (const ListSpec& spec : Specs(ComplaintSortColumns())) {
    REQUIRE(ListComplaints(db, u, spec, &r).ok());
  }
  for (const ListSpec& spec : Specs(UserSortColumns())) {
    std::vector<UserFilter> filters(4);
    filters[1].role = "merchant";
    filters[2].status = "deleted";
    filters[3].search = "ann";
    for (const UserFilter& f : filters) REQUIRE(ListUsers(db, f, spec, &r).ok());
  }
  for (const ListSpec& spec : Specs(AuditSortColumns())) {
    std::vector<AuditFilter> filters(4);
    filters[1].action = "login.failed";
    filters[2].actor_id = u;
    filters[3].target_id = u;
    for (const AuditFilter& f : filters) REQUIRE(ListAudit(db, f, spec, &r).ok());
  }
  for (const ListSpec& spec : Specs(WebhookSortColumns())) {
    REQUIRE(ListWebhooks(db, u, spec, &r).ok());
  }
  for (const ListSpec& spec : Specs(DeliverySortColumns())) {
    REQUIRE(ListDeliveries(db, "whk_0000000000000001", spec, &r).ok());
  }
  REQUIRE(AttemptsOf(db, {"whd_0000000000000001"}).ok());
  REQUIRE(WebhooksOf(db, u).ok());
  // The webhook queue and the event stream, read on every pass and wake.
  REQUIRE(HasDueDeliveries(db, 0).ok());
  REQUIRE(ClaimDueDeliveries(db, 0, 0, 4, {}, 2).ok());
  REQUIRE(EventsAfter(db, u, 0, 100).ok());
  REQUIRE(LatestEventSeq(db, u).ok());
  ListSpec mail;
  mail.order = {{"created_at", true}};
  mail.id_desc = true;
  REQUIRE(ListMail(db, "", mail, &r).ok());
  REQUIRE(ListMail(db, "a@example.com", mail, &r).ok());

  REQUIRE(p.statements.size() > 50);
  std::map<std::string, std::vector<std::string>> failures;
  for (const std::string& sql : p.statements) {
    std::vector<std::string> bad = Unindexed(sql, p.Plan(sql));
    if (!bad.empty()) failures[sql] = bad;
  }
  for (const auto& [sql, bad] : failures) {
    CAPTURE(sql);
    for (const std::string& line : bad) {
      CAPTURE(line);
      FAIL_CHECK("reads without an index");
    }
  }
  MESSAGE(p.statements.size() << " statements planned, " << failures.size() << " unindexed");
}

}  // namespace
}  // namespace cairn::store

#include "store/transactions.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

namespace {

constexpr char kColumns[] =
    "t.id, t.user_id, t.type, t.status, t.amount, t.currency, t.fee, t.total, "
    "t.bank_account_id, t.provider_ref, coalesce(t.recipient_id, ''), "
    "coalesce(t.recipient_name, ''), coalesce(t.recipient_country, ''), "
    "coalesce(t.receive_amount, 0), coalesce(t.receive_currency, ''), "
    "coalesce(t.rate_micro, 0), coalesce(t.merchant_id, ''), coalesce(t.merchant_name, ''), "
    "coalesce(t.failure, ''), t.created_at, t.updated_at, coalesce(t.completed_at, 0), "
    "coalesce((SELECT b.bank_name FROM bank_accounts b WHERE b.id = t.bank_account_id), '')";

TransactionRow ReadRow(SQLite::Statement& q) {
  TransactionRow t;
  int i = 0;
  t.id = q.getColumn(i++).getString();
  t.user_id = q.getColumn(i++).getString();
  t.type = q.getColumn(i++).getString();
  t.status = q.getColumn(i++).getString();
  t.amount = q.getColumn(i++).getInt64();
  t.currency = q.getColumn(i++).getString();
  t.fee = q.getColumn(i++).getInt64();
  t.total = q.getColumn(i++).getInt64();
  t.bank_account_id = q.getColumn(i++).getString();
  t.provider_ref = q.getColumn(i++).getString();
  t.recipient_id = q.getColumn(i++).getString();
  t.recipient_name = q.getColumn(i++).getString();
  t.recipient_country = q.getColumn(i++).getString();
  t.receive_amount = q.getColumn(i++).getInt64();
  t.receive_currency = q.getColumn(i++).getString();
  t.rate_micro = q.getColumn(i++).getInt64();
  t.merchant_id = q.getColumn(i++).getString();
  t.merchant_name = q.getColumn(i++).getString();
  t.failure = q.getColumn(i++).getString();
  t.created_at = q.getColumn(i++).getInt64();
  t.updated_at = q.getColumn(i++).getInt64();
  t.completed_at = q.getColumn(i++).getInt64();
  t.bank_name = q.getColumn(i++).getString();
  return t;
}

Result<TransactionRow> FindOne(SQLite::Database& db, const char* where, const std::string& a,
                               const std::string& b) {
  try {
    Query q(db, std::string("SELECT ") + kColumns + " FROM transactions t WHERE " + where);
    q->bind(1, a);
    if (!b.empty()) q->bind(2, b);
    if (!q->executeStep()) return Status::NotFound("No such transaction");
    return ReadRow(*q);
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find transaction");
  }
}

std::string LikePattern(const std::string& s) {
  std::string pattern = "%";
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

}  // namespace

const std::vector<SortColumn>& TransactionSortColumns() {
  static const std::vector<SortColumn> kSort = {{"createdAt", "t.created_at"},
                                                {"amount", "t.amount"}};
  return kSort;
}

Status InsertTransaction(SQLite::Database& db, const TransactionRow& t) {
  try {
    Query q(db,
            "INSERT INTO transactions (id, user_id, type, status, amount, currency, fee, total, "
            "bank_account_id, provider_ref, recipient_id, recipient_name, recipient_country, "
            "receive_amount, receive_currency, rate_micro, merchant_id, merchant_name, failure, "
            "created_at, updated_at, completed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int i = 1;
    q->bind(i++, t.id);
    q->bind(i++, t.user_id);
    q->bind(i++, t.type);
    q->bind(i++, t.status);
    q->bind(i++, t.amount);
    q->bind(i++, t.currency);
    q->bind(i++, t.fee);
    q->bind(i++, t.total);
    q->bind(i++, t.bank_account_id);
    q->bind(i++, t.provider_ref);
    BindOrNull(*q, i++, t.recipient_id);
    BindOrNull(*q, i++, t.recipient_name);
    BindOrNull(*q, i++, t.recipient_country);
    if (t.receive_currency.empty()) {
      q->bind(i++);
    } else {
      q->bind(i++, t.receive_amount);
    }
    BindOrNull(*q, i++, t.receive_currency);
    BindOrNull(*q, i++, t.rate_micro);
    BindOrNull(*q, i++, t.merchant_id);
    BindOrNull(*q, i++, t.merchant_name);
    BindOrNull(*q, i++, t.failure);
    q->bind(i++, t.created_at);
    q->bind(i++, t.updated_at);
    BindOrNull(*q, i++, t.completed_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert transaction");
  }
}

Result<TransactionRow> FindTransaction(SQLite::Database& db, const std::string& user_id,
                                       const std::string& id) {
  return FindOne(db, "t.id = ?1 AND t.user_id = ?2", id, user_id);
}

Result<TransactionRow> FindSettlingTransaction(SQLite::Database& db, const std::string& ref) {
  return FindOne(db, "t.provider_ref = ?1 AND t.status = 'processing'", ref, "");
}

Status FinishTransaction(SQLite::Database& db, const std::string& id, const std::string& status,
                         const std::string& failure, int64_t now) {
  try {
    Query q(db,
            "UPDATE transactions SET status = ?, failure = ?, updated_at = ?, "
            "completed_at = CASE WHEN ? = 'completed' THEN ? ELSE NULL END "
            "WHERE id = ? AND status = 'processing'");
    q->bind(1, status);
    BindOrNull(*q, 2, failure);
    q->bind(3, now);
    q->bind(4, status);
    q->bind(5, now);
    q->bind(6, id);
    if (q->exec() == 0) return Status::FailedPrecondition("The transaction is not processing");
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "finish transaction");
  }
}

Result<std::vector<TransactionRow>> ListTransactions(SQLite::Database& db,
                                                     const std::string& user_id,
                                                     const TransactionFilter& f,
                                                     const ListSpec& base, ListResult* result) {
  ListSpec spec = base;
  std::vector<std::string> where = {"t.user_id = ?"};
  std::vector<SqlValue> args = {user_id};
  auto add = [&](const char* cond, SqlValue v) {
    where.emplace_back(cond);
    args.push_back(std::move(v));
  };
  if (!f.type.empty()) add("t.type = ?", f.type);
  if (!f.status.empty()) add("t.status = ?", f.status);
  if (!f.search.empty()) {
    std::string p = LikePattern(f.search);
    where.emplace_back(
        "(t.recipient_name LIKE ? ESCAPE '\\' OR t.merchant_name LIKE ? ESCAPE '\\')");
    args.push_back(p);
    args.push_back(p);
  }
  if (f.created_from != 0) add("t.created_at >= ?", f.created_from);
  if (f.created_to != 0) add("t.created_at <= ?", f.created_to);
  // In time order the page must come from walking transactions_user in that
  // order; an amount range would tempt the planner into transactions_user_amount
  // and a sort of every row in the range. A unary + keeps a term out of index
  // selection (SQLite's documented way), so the range only filters the walk.
  bool by_time = spec.order.empty() || spec.order.front().column == "t.created_at";
  if (f.amount_min >= 0) add(by_time ? "+t.amount >= ?" : "t.amount >= ?", f.amount_min);
  if (f.amount_max >= 0) add(by_time ? "+t.amount <= ?" : "t.amount <= ?", f.amount_max);
  spec.where.insert(spec.where.begin(), where.begin(), where.end());
  spec.args.insert(spec.args.begin(), args.begin(), args.end());
  std::vector<TransactionRow> rows;
  Status st = RunList(
      db, kColumns, "transactions t", "t.rowid", spec,
      [&rows](SQLite::Statement& q) { rows.push_back(ReadRow(q)); }, result);
  if (!st.ok()) return st;
  return rows;
}

Result<TransactionTotals> SumTransactions(SQLite::Database& db, const std::string& user_id,
                                          int64_t since) {
  try {
    Query q(db,
            "SELECT count(*), "
            "coalesce(sum(type = 'remittance'), 0), coalesce(sum(type = 'qr_payment'), 0), "
            "coalesce(sum(CASE WHEN type = 'remittance' THEN amount END), 0), "
            "coalesce(sum(CASE WHEN type = 'qr_payment' THEN amount END), 0) "
            "FROM transactions WHERE user_id = ? AND created_at >= ? AND status != 'failed'");
    q->bind(1, user_id);
    q->bind(2, since);
    q->executeStep();
    TransactionTotals t;
    t.count = q->getColumn(0).getInt64();
    t.remittance_count = q->getColumn(1).getInt64();
    t.qr_count = q->getColumn(2).getInt64();
    t.sent = q->getColumn(3).getInt64();
    t.paid = q->getColumn(4).getInt64();
    return t;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "sum transactions");
  }
}

}  // namespace cairn::store

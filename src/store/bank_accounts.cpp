#include "store/bank_accounts.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

namespace {

constexpr char kColumns[] =
    "id, user_id, provider, account_number, bank_name, currency, balance, "
    "balance_refreshed_at, is_primary, created_at";

BankAccountRow ReadRow(SQLite::Statement& q) {
  BankAccountRow a;
  a.id = q.getColumn(0).getString();
  a.user_id = q.getColumn(1).getString();
  a.provider = q.getColumn(2).getString();
  a.account_number = q.getColumn(3).getString();
  a.bank_name = q.getColumn(4).getString();
  a.currency = q.getColumn(5).getString();
  a.balance = q.getColumn(6).getInt64();
  a.balance_refreshed_at = q.getColumn(7).getInt64();
  a.is_primary = q.getColumn(8).getInt() != 0;
  a.created_at = q.getColumn(9).getInt64();
  return a;
}

Result<BankAccountRow> FindOne(SQLite::Database& db, const std::string& where,
                               const std::string& a, const std::string& b, const char* what) {
  try {
    Query q(db, std::string("SELECT ") + kColumns + " FROM bank_accounts WHERE " + where);
    q->bind(1, a);
    if (!b.empty()) q->bind(2, b);
    if (!q->executeStep()) return Status::NotFound("No such bank account");
    return ReadRow(*q);
  } catch (const std::exception& e) {
    return FromSqliteError(e, what);
  }
}

}  // namespace

const std::vector<SortColumn>& BankAccountSortColumns() {
  static const std::vector<SortColumn> kColumns = {
      {"createdAt", "created_at"}, {"balance", "balance"}, {"bankName", "bank_name"}};
  return kColumns;
}

Status InsertBankAccount(SQLite::Database& db, const BankAccountRow& a) {
  try {
    Query q(db, std::string("INSERT INTO bank_accounts (") + kColumns +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q->bind(1, a.id);
    q->bind(2, a.user_id);
    q->bind(3, a.provider);
    q->bind(4, a.account_number);
    q->bind(5, a.bank_name);
    q->bind(6, a.currency);
    q->bind(7, a.balance);
    q->bind(8, a.balance_refreshed_at);
    q->bind(9, a.is_primary ? 1 : 0);
    q->bind(10, a.created_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert bank account");
  }
}

Result<BankAccountRow> FindBankAccount(SQLite::Database& db, const std::string& user_id,
                                       const std::string& id) {
  return FindOne(db, "id = ?1 AND user_id = ?2", id, user_id, "find bank account");
}

Result<BankAccountRow> FindPrimaryBankAccount(SQLite::Database& db, const std::string& user_id) {
  return FindOne(db, "user_id = ?1 AND is_primary = 1", user_id, "", "find primary bank account");
}

Result<int64_t> CountBankAccounts(SQLite::Database& db, const std::string& user_id) {
  try {
    Query q(db, "SELECT count(*) FROM bank_accounts WHERE user_id = ?");
    q->bind(1, user_id);
    q->executeStep();
    return q->getColumn(0).getInt64();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "count bank accounts");
  }
}

Result<std::vector<BankAccountRow>> ListBankAccounts(SQLite::Database& db,
                                                     const std::string& user_id,
                                                     const ListSpec& base, ListResult* result) {
  ListSpec spec = base;
  spec.where.insert(spec.where.begin(), "user_id = ?");
  spec.args.insert(spec.args.begin(), user_id);
  std::vector<BankAccountRow> rows;
  Status st = RunList(
      db, kColumns, "bank_accounts", "rowid", spec,
      [&rows](SQLite::Statement& q) { rows.push_back(ReadRow(q)); }, result);
  if (!st.ok()) return st;
  return rows;
}

Status UpdateBankBalance(SQLite::Database& db, const std::string& id, int64_t balance,
                         int64_t now) {
  try {
    Query q(db, "UPDATE bank_accounts SET balance = ?, balance_refreshed_at = ? WHERE id = ?");
    q->bind(1, balance);
    q->bind(2, now);
    q->bind(3, id);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "update bank balance");
  }
}

Status SetPrimaryBankAccount(SQLite::Database& db, const std::string& user_id,
                             const std::string& id) {
  try {
    // Clear first: the unique index allows one primary per user at a time.
    Query clear(db, "UPDATE bank_accounts SET is_primary = 0 WHERE user_id = ? AND is_primary = 1");
    clear->bind(1, user_id);
    clear->exec();
    Query set(db, "UPDATE bank_accounts SET is_primary = 1 WHERE id = ? AND user_id = ?");
    set->bind(1, id);
    set->bind(2, user_id);
    if (set->exec() == 0) return Status::NotFound("No such bank account");
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "set primary bank account");
  }
}

}  // namespace cairn::store

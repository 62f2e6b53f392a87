#include "store/recipients.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

namespace {

constexpr char kColumns[] =
    "id, user_id, name, country, currency, bank_account, coalesce(bank_name, ''), created_at";

RecipientRow ReadRow(SQLite::Statement& q) {
  RecipientRow r;
  r.id = q.getColumn(0).getString();
  r.user_id = q.getColumn(1).getString();
  r.name = q.getColumn(2).getString();
  r.country = q.getColumn(3).getString();
  r.currency = q.getColumn(4).getString();
  r.bank_account = q.getColumn(5).getString();
  r.bank_name = q.getColumn(6).getString();
  r.created_at = q.getColumn(7).getInt64();
  return r;
}

}  // namespace

const std::vector<SortColumn>& RecipientSortColumns() {
  static const std::vector<SortColumn> kSort = {{"createdAt", "created_at"}, {"name", "name"}};
  return kSort;
}

Status InsertRecipient(SQLite::Database& db, const RecipientRow& r) {
  try {
    Query q(db,
            "INSERT INTO recipients (id, user_id, name, country, currency, bank_account, "
            "bank_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q->bind(1, r.id);
    q->bind(2, r.user_id);
    q->bind(3, r.name);
    q->bind(4, r.country);
    q->bind(5, r.currency);
    q->bind(6, r.bank_account);
    BindOrNull(*q, 7, r.bank_name);
    q->bind(8, r.created_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert recipient");
  }
}

Result<RecipientRow> FindRecipient(SQLite::Database& db, const std::string& user_id,
                                   const std::string& id) {
  try {
    Query q(db, std::string("SELECT ") + kColumns +
                    " FROM recipients WHERE id = ? AND user_id = ? AND deleted_at IS NULL");
    q->bind(1, id);
    q->bind(2, user_id);
    if (!q->executeStep()) return Status::NotFound("No such recipient");
    return ReadRow(*q);
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find recipient");
  }
}

Result<int64_t> CountRecipients(SQLite::Database& db, const std::string& user_id) {
  try {
    Query q(db, "SELECT count(*) FROM recipients WHERE user_id = ? AND deleted_at IS NULL");
    q->bind(1, user_id);
    q->executeStep();
    return q->getColumn(0).getInt64();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "count recipients");
  }
}

Result<std::vector<RecipientRow>> ListRecipients(SQLite::Database& db, const std::string& user_id,
                                                 const ListSpec& base, ListResult* result) {
  ListSpec spec = base;
  spec.where.insert(spec.where.begin(), {"user_id = ?", "deleted_at IS NULL"});
  spec.args.insert(spec.args.begin(), user_id);
  std::vector<RecipientRow> rows;
  Status st = RunList(
      db, kColumns, "recipients", "rowid", spec,
      [&rows](SQLite::Statement& q) { rows.push_back(ReadRow(q)); }, result);
  if (!st.ok()) return st;
  return rows;
}

Status DeleteRecipient(SQLite::Database& db, const std::string& user_id, const std::string& id,
                       int64_t now) {
  try {
    Query q(db,
            "UPDATE recipients SET deleted_at = ? WHERE id = ? AND user_id = ? AND deleted_at "
            "IS NULL");
    q->bind(1, now);
    q->bind(2, id);
    q->bind(3, user_id);
    if (q->exec() == 0) return Status::NotFound("No such recipient");
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "delete recipient");
  }
}

}  // namespace cairn::store

#include "store/merchants.h"

#include <SQLiteCpp/Statement.h>

#include <vector>

#include "store/database.h"

namespace cairn::store {

namespace {

Result<MerchantRow> FindOne(SQLite::Database& db, const char* where, const std::string& value) {
  try {
    Query q(db,
            std::string("SELECT id, user_id, business_name, org_number, coalesce(address, ''), "
                        "bank_account, created_at FROM merchants WHERE ") +
                where);
    q->bind(1, value);
    if (!q->executeStep()) return Status::NotFound("No such merchant");
    MerchantRow m;
    m.id = q->getColumn(0).getString();
    m.user_id = q->getColumn(1).getString();
    m.business_name = q->getColumn(2).getString();
    m.org_number = q->getColumn(3).getString();
    m.address = q->getColumn(4).getString();
    m.bank_account = q->getColumn(5).getString();
    m.created_at = q->getColumn(6).getInt64();
    return m;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find merchant");
  }
}

}  // namespace

Status InsertMerchant(SQLite::Database& db, const MerchantRow& m) {
  try {
    Query q(db,
            "INSERT INTO merchants (id, user_id, business_name, org_number, address, "
            "bank_account, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    q->bind(1, m.id);
    q->bind(2, m.user_id);
    q->bind(3, m.business_name);
    q->bind(4, m.org_number);
    BindOrNull(*q, 5, m.address);
    q->bind(6, m.bank_account);
    q->bind(7, m.created_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert merchant");
  }
}

Result<MerchantRow> FindMerchant(SQLite::Database& db, const std::string& id) {
  return FindOne(db, "id = ?", id);
}

Result<MerchantRow> FindMerchantByUser(SQLite::Database& db, const std::string& user_id) {
  return FindOne(db, "user_id = ?", user_id);
}

Result<MerchantTotals> SumMerchantPayments(SQLite::Database& db, const std::string& merchant_id,
                                           int64_t since) {
  try {
    Query q(db,
            "SELECT count(*), coalesce(sum(amount), 0), coalesce(sum(fee), 0) FROM transactions "
            "WHERE merchant_id = ? AND created_at >= ? AND status = 'completed'");
    q->bind(1, merchant_id);
    q->bind(2, since);
    q->executeStep();
    return MerchantTotals{q->getColumn(0).getInt64(), q->getColumn(1).getInt64(),
                          q->getColumn(2).getInt64()};
  } catch (const std::exception& e) {
    return FromSqliteError(e, "sum merchant payments");
  }
}

const std::vector<SortColumn>& MerchantPaymentSortColumns() {
  static const std::vector<SortColumn> kSort = {{"createdAt", "t.created_at"},
                                                {"amount", "t.amount"}};
  return kSort;
}

Result<std::vector<MerchantPaymentRow>> ListMerchantPayments(SQLite::Database& db,
                                                            const std::string& merchant_id,
                                                            const ListSpec& base,
                                                            ListResult* result) {
  ListSpec spec = base;
  spec.where.insert(spec.where.begin(), "t.merchant_id = ?");
  spec.args.insert(spec.args.begin(), merchant_id);
  std::vector<MerchantPaymentRow> rows;
  Status st = RunList(
      db,
      "t.id, t.status, t.amount, t.fee, t.currency, u.first_name, u.last_name, t.created_at",
      "transactions t JOIN users u ON u.id = t.user_id", "t.rowid", spec,
      [&rows](SQLite::Statement& q) {
        MerchantPaymentRow r;
        r.id = q.getColumn(0).getString();
        r.status = q.getColumn(1).getString();
        r.amount = q.getColumn(2).getInt64();
        r.fee = q.getColumn(3).getInt64();
        r.currency = q.getColumn(4).getString();
        r.payer_first_name = q.getColumn(5).getString();
        r.payer_last_name = q.getColumn(6).getString();
        r.created_at = q.getColumn(7).getInt64();
        rows.push_back(std::move(r));
      },
      result);
  if (!st.ok()) return st;
  return rows;
}

}  // namespace cairn::store

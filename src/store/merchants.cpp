#include "store/merchants.h"

#include <SQLiteCpp/Statement.h>

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

}  // namespace cairn::store

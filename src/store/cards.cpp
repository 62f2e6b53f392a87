#include "store/cards.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

namespace {

constexpr char kColumns[] =
    "id, user_id, type, status, last4, expiry_month, expiry_year, pin_hash IS NOT NULL, "
    "coalesce(shipping_address, ''), created_at, updated_at";

CardRow ReadRow(SQLite::Statement& q) {
  CardRow c;
  c.id = q.getColumn(0).getString();
  c.user_id = q.getColumn(1).getString();
  c.type = q.getColumn(2).getString();
  c.status = q.getColumn(3).getString();
  c.last4 = q.getColumn(4).getString();
  c.expiry_month = q.getColumn(5).getInt();
  c.expiry_year = q.getColumn(6).getInt();
  c.has_pin = q.getColumn(7).getInt() != 0;
  c.shipping_address = q.getColumn(8).getString();
  c.created_at = q.getColumn(9).getInt64();
  c.updated_at = q.getColumn(10).getInt64();
  return c;
}

}  // namespace

Status InsertCard(SQLite::Database& db, const CardRow& c) {
  try {
    Query q(db,
            "INSERT INTO cards (id, user_id, type, status, last4, expiry_month, expiry_year, "
            "shipping_address, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q->bind(1, c.id);
    q->bind(2, c.user_id);
    q->bind(3, c.type);
    q->bind(4, c.status);
    q->bind(5, c.last4);
    q->bind(6, c.expiry_month);
    q->bind(7, c.expiry_year);
    BindOrNull(*q, 8, c.shipping_address);
    q->bind(9, c.created_at);
    q->bind(10, c.updated_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert card");
  }
}

Result<CardRow> FindCard(SQLite::Database& db, const std::string& user_id, const std::string& id) {
  try {
    Query q(db, std::string("SELECT ") + kColumns + " FROM cards WHERE id = ? AND user_id = ?");
    q->bind(1, id);
    q->bind(2, user_id);
    if (!q->executeStep()) return Status::NotFound("No such card");
    return ReadRow(*q);
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find card");
  }
}

Result<std::vector<CardRow>> ListCards(SQLite::Database& db, const std::string& user_id) {
  try {
    Query q(db, std::string("SELECT ") + kColumns +
                    " FROM cards WHERE user_id = ? AND status != 'cancelled' "
                    "ORDER BY created_at DESC, rowid DESC");
    q->bind(1, user_id);
    std::vector<CardRow> out;
    while (q->executeStep()) out.push_back(ReadRow(*q));
    return out;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "list cards");
  }
}

Status UpdateCard(SQLite::Database& db, const CardRow& c) {
  try {
    Query q(db,
            "UPDATE cards SET type = ?, status = ?, shipping_address = ?, updated_at = ? "
            "WHERE id = ?");
    q->bind(1, c.type);
    q->bind(2, c.status);
    BindOrNull(*q, 3, c.shipping_address);
    q->bind(4, c.updated_at);
    q->bind(5, c.id);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "update card");
  }
}

Status SetCardPin(SQLite::Database& db, const std::string& id, const std::string& pin_hash,
                  int64_t now) {
  try {
    Query q(db, "UPDATE cards SET pin_hash = ?, updated_at = ? WHERE id = ?");
    q->bind(1, pin_hash);
    q->bind(2, now);
    q->bind(3, id);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "set card pin");
  }
}

Result<std::vector<CardLimitRow>> ListCardLimits(SQLite::Database& db,
                                                 const std::string& card_id) {
  try {
    Query q(db,
            "SELECT limit_type, amount, updated_at FROM card_limits WHERE card_id = ? "
            "ORDER BY limit_type");
    q->bind(1, card_id);
    std::vector<CardLimitRow> out;
    while (q->executeStep()) {
      out.push_back({q->getColumn(0).getString(), q->getColumn(1).getInt64(),
                     q->getColumn(2).getInt64()});
    }
    return out;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "list card limits");
  }
}

Status SaveCardLimit(SQLite::Database& db, const std::string& card_id, const CardLimitRow& l) {
  try {
    Query q(db,
            "INSERT INTO card_limits (card_id, limit_type, amount, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (card_id, limit_type) DO UPDATE SET amount = excluded.amount, "
            "updated_at = excluded.updated_at");
    q->bind(1, card_id);
    q->bind(2, l.limit_type);
    q->bind(3, l.amount);
    q->bind(4, l.updated_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "save card limit");
  }
}

}  // namespace cairn::store

#pragma once

// Cards (cards, card_limits): only the last four digits of a number are
// ever stored; the PIN only as a hash.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace cairn::store {

struct CardRow {
  std::string id;
  std::string user_id;
  std::string type;    // virtual, physical
  std::string status;  // active, frozen, cancelled
  std::string last4;
  int expiry_month = 0;
  int expiry_year = 0;
  bool has_pin = false;  // read only
  std::string shipping_address;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct CardLimitRow {
  std::string limit_type;  // daily, weekly, monthly, transaction
  int64_t amount = 0;
  int64_t updated_at = 0;
};

Status InsertCard(SQLite::Database& db, const CardRow& c);
// NotFound unless the card is user_id's (cancelled ones included).
Result<CardRow> FindCard(SQLite::Database& db, const std::string& user_id, const std::string& id);
// The user's cards that are not cancelled, newest first.
Result<std::vector<CardRow>> ListCards(SQLite::Database& db, const std::string& user_id);
Status UpdateCard(SQLite::Database& db, const CardRow& c);
Status SetCardPin(SQLite::Database& db, const std::string& id, const std::string& pin_hash,
                  int64_t now);
Result<std::vector<CardLimitRow>> ListCardLimits(SQLite::Database& db, const std::string& card_id);
Status SaveCardLimit(SQLite::Database& db, const std::string& card_id, const CardLimitRow& l);

}  // namespace cairn::store

#include "store/compliance.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

namespace {

ConsentRow ReadConsent(SQLite::Statement& q) {
  ConsentRow c;
  c.id = q.getColumn(0).getString();
  c.user_id = q.getColumn(1).getString();
  c.consent_type = q.getColumn(2).getString();
  c.granted = q.getColumn(3).getInt() != 0;
  c.granted_at = q.getColumn(4).getInt64();
  c.withdrawn_at = q.getColumn(5).getInt64();
  c.ip_address = q.getColumn(6).getString();
  c.created_at = q.getColumn(7).getInt64();
  c.updated_at = q.getColumn(8).getInt64();
  return c;
}

constexpr char kConsentColumns[] =
    "id, user_id, consent_type, granted, coalesce(granted_at, 0), coalesce(withdrawn_at, 0), "
    "coalesce(ip_address, ''), created_at, updated_at";

// The rows of `sql` (one "?" or "?1" bound to user_id) as JSON objects keyed
// by column name.
picojson::array Rows(SQLite::Database& db, const std::string& sql, const std::string& user_id) {
  SQLite::Statement q(db, sql);
  q.bind(1, user_id);
  picojson::array out;
  while (q.executeStep()) {
    picojson::object row;
    for (int i = 0; i < q.getColumnCount(); ++i) {
      SQLite::Column c = q.getColumn(i);
      picojson::value v;
      if (c.isInteger()) {
        v = picojson::value(static_cast<int64_t>(c.getInt64()));
      } else if (c.isFloat()) {
        v = picojson::value(c.getDouble());
      } else if (c.isText()) {
        v = picojson::value(c.getString());
      }
      row[c.getName()] = v;
    }
    out.emplace_back(std::move(row));
  }
  return out;
}

}  // namespace

Result<std::vector<ConsentRow>> ListConsents(SQLite::Database& db, const std::string& user_id) {
  try {
    Query q(db, std::string("SELECT ") + kConsentColumns +
                    " FROM consents WHERE user_id = ? ORDER BY consent_type");
    q->bind(1, user_id);
    std::vector<ConsentRow> out;
    while (q->executeStep()) out.push_back(ReadConsent(*q));
    return out;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "list consents");
  }
}

Result<ConsentRow> FindConsent(SQLite::Database& db, const std::string& user_id,
                               const std::string& consent_type) {
  try {
    Query q(db, std::string("SELECT ") + kConsentColumns +
                    " FROM consents WHERE user_id = ? AND consent_type = ?");
    q->bind(1, user_id);
    q->bind(2, consent_type);
    if (!q->executeStep()) return Status::NotFound("No such consent");
    return ReadConsent(*q);
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find consent");
  }
}

Status SaveConsent(SQLite::Database& db, const ConsentRow& c) {
  try {
    Query q(db,
            "INSERT INTO consents (id, user_id, consent_type, granted, granted_at, "
            "withdrawn_at, ip_address, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (user_id, consent_type) DO UPDATE SET granted = excluded.granted, "
            "granted_at = excluded.granted_at, withdrawn_at = excluded.withdrawn_at, "
            "ip_address = excluded.ip_address, updated_at = excluded.updated_at");
    q->bind(1, c.id);
    q->bind(2, c.user_id);
    q->bind(3, c.consent_type);
    q->bind(4, c.granted ? 1 : 0);
    BindOrNull(*q, 5, c.granted_at);
    BindOrNull(*q, 6, c.withdrawn_at);
    BindOrNull(*q, 7, c.ip_address);
    q->bind(8, c.created_at);
    q->bind(9, c.updated_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "save consent");
  }
}

const std::vector<SortColumn>& ComplaintSortColumns() {
  static const std::vector<SortColumn> kSort = {{"createdAt", "created_at"}};
  return kSort;
}

Status InsertComplaint(SQLite::Database& db, const ComplaintRow& c) {
  try {
    Query q(db,
            "INSERT INTO complaints (id, user_id, category, subject, description, status, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    q->bind(1, c.id);
    q->bind(2, c.user_id);
    q->bind(3, c.category);
    q->bind(4, c.subject);
    q->bind(5, c.description);
    q->bind(6, c.status);
    q->bind(7, c.created_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert complaint");
  }
}

Result<std::vector<ComplaintRow>> ListComplaints(SQLite::Database& db, const std::string& user_id,
                                                 const ListSpec& base, ListResult* result) {
  ListSpec spec = base;
  spec.where.insert(spec.where.begin(), "user_id = ?");
  spec.args.insert(spec.args.begin(), user_id);
  std::vector<ComplaintRow> rows;
  Status st = RunList(
      db,
      "id, user_id, category, subject, description, status, coalesce(resolution, ''), "
      "created_at, coalesce(resolved_at, 0)",
      "complaints", "rowid", spec,
      [&rows](SQLite::Statement& q) {
        ComplaintRow c;
        c.id = q.getColumn(0).getString();
        c.user_id = q.getColumn(1).getString();
        c.category = q.getColumn(2).getString();
        c.subject = q.getColumn(3).getString();
        c.description = q.getColumn(4).getString();
        c.status = q.getColumn(5).getString();
        c.resolution = q.getColumn(6).getString();
        c.created_at = q.getColumn(7).getInt64();
        c.resolved_at = q.getColumn(8).getInt64();
        rows.push_back(std::move(c));
      },
      result);
  if (!st.ok()) return st;
  return rows;
}

Status InsertDataAccessRequest(SQLite::Database& db, const std::string& id,
                               const std::string& user_id, const std::string& type,
                               int64_t now) {
  try {
    Query q(db,
            "INSERT INTO data_access_requests (id, user_id, type, status, created_at) "
            "VALUES (?, ?, ?, 'completed', ?)");
    q->bind(1, id);
    q->bind(2, user_id);
    q->bind(3, type);
    q->bind(4, now);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert data access request");
  }
}

Result<picojson::object> ExportUserData(SQLite::Database& db, const std::string& user_id) {
  // Each table that holds the user's data, with the columns a person may see
  // (hashes of secrets are not theirs to read, nor anyone's).
  struct Part {
    const char* name;
    const char* sql;
  };
  static const Part kParts[] = {
      {"bankAccounts",
       "SELECT id, provider, account_number, bank_name, currency, balance, "
       "balance_refreshed_at, is_primary, created_at FROM bank_accounts WHERE user_id = ?"},
      {"recipients",
       "SELECT id, name, country, currency, bank_account, bank_name, created_at, deleted_at "
       "FROM recipients WHERE user_id = ?"},
      {"transactions",
       "SELECT id, type, status, amount, currency, fee, total, bank_account_id, provider_ref, "
       "recipient_id, recipient_name, recipient_country, receive_amount, receive_currency, "
       "rate_micro, merchant_id, merchant_name, failure, created_at, updated_at, completed_at "
       "FROM transactions WHERE user_id = ? ORDER BY created_at, rowid"},
      {"merchant",
       "SELECT id, business_name, org_number, address, bank_account, created_at FROM merchants "
       "WHERE user_id = ?"},
      {"settings",
       "SELECT currency, language, push_enabled, email_enabled, updated_at FROM user_settings "
       "WHERE user_id = ?"},
      {"consents",
       "SELECT id, consent_type, granted, granted_at, withdrawn_at, ip_address, created_at, "
       "updated_at FROM consents WHERE user_id = ?"},
      {"complaints",
       "SELECT id, category, subject, description, status, resolution, created_at, resolved_at "
       "FROM complaints WHERE user_id = ?"},
      {"notifications",
       "SELECT id, type, title, body, read_at, created_at FROM notifications WHERE user_id = ?"},
      {"events", "SELECT id, type, data, created_at FROM events WHERE user_id = ? ORDER BY seq"},
      {"sessions",
       "SELECT id, created_at, last_used_at, revoked_at, revoked_reason, user_agent, ip FROM "
       "sessions WHERE user_id = ?"},
      {"apiKeys",
       "SELECT id, name, key_prefix, scopes, created_at, expires_at, last_used_at, revoked_at "
       "FROM api_keys WHERE user_id = ?"},
      {"auditLog",
       "SELECT id, created_at, action, actor_id, target_id, ip FROM audit_log WHERE "
       "target_id = ?1 OR actor_id = ?1 ORDER BY created_at, rowid"},
      {"cards",
       "SELECT id, type, status, last4, expiry_month, expiry_year, shipping_address, "
       "created_at, updated_at FROM cards WHERE user_id = ?"},
      {"cardLimits",
       "SELECT l.card_id, l.limit_type, l.amount, l.updated_at FROM card_limits l JOIN cards c "
       "ON c.id = l.card_id WHERE c.user_id = ?"},
      {"webhooks",
       "SELECT id, url, events, created_at, deleted_at FROM webhooks WHERE user_id = ? "
       "ORDER BY created_at, rowid"},
      {"webhookDeliveries",
       "SELECT id, webhook_id, event_id, event_type, status, attempts, last_status, last_error, "
       "created_at, completed_at FROM webhook_deliveries WHERE user_id = ? ORDER BY created_at, "
       "rowid"},
      {"dataAccessRequests",
       "SELECT id, type, status, created_at FROM data_access_requests WHERE user_id = ?"},
  };
  try {
    picojson::object out;
    picojson::array user = Rows(db,
                                "SELECT id, email, first_name, last_name, phone, date_of_birth, "
                                "role, status, kyc_status, created_at, updated_at, deleted_at "
                                "FROM users WHERE id = ?",
                                user_id);
    if (user.empty()) return Status::NotFound("No such user");
    out["user"] = user.front();
    for (const Part& p : kParts) out[p.name] = picojson::value(Rows(db, p.sql, user_id));
    return out;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "export user data");
  }
}

Status EraseUserData(SQLite::Database& db, const std::string& user_id, int64_t now) {
  // The email is replaced too: it is personal data, and the address becomes
  // free to register again. Financial rows keep the user id, which now names
  // nobody.
  static const char* const kStatements[] = {
      "UPDATE users SET email = 'erased+' || id || '@invalid', first_name = 'Erased', "
      "last_name = 'User', phone = NULL, date_of_birth = '1900-01-01', status = 'deleted', "
      "deleted_at = coalesce(deleted_at, ?2), updated_at = ?2, password_hash = '!' WHERE id = ?1",
      "UPDATE recipients SET deleted_at = coalesce(deleted_at, ?2), bank_name = NULL, "
      "bank_account = substr(bank_account, -4) WHERE user_id = ?1",
      "UPDATE merchants SET address = NULL WHERE user_id = ?1",
      "UPDATE cards SET status = 'cancelled', shipping_address = NULL, pin_hash = NULL, "
      "updated_at = ?2 WHERE user_id = ?1",
      "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) WHERE user_id = ?1",
      "UPDATE sessions SET user_agent = NULL, ip = NULL WHERE user_id = ?1",
      "UPDATE audit_log SET ip = NULL WHERE target_id = ?1 OR actor_id = ?1",
      "DELETE FROM consents WHERE user_id = ?1",
      "DELETE FROM notifications WHERE user_id = ?1",
      "DELETE FROM user_settings WHERE user_id = ?1",
      "DELETE FROM idempotency_keys WHERE user_id = ?1",
      "DELETE FROM password_resets WHERE user_id = ?1",
      "DELETE FROM card_limits WHERE card_id IN (SELECT id FROM cards WHERE user_id = ?1)",
      // Events carry names (recipients, businesses); an erased account has
      // no stream to replay them to. Webhook deliveries carry the same
      // bodies, and the endpoints are of no use to nobody.
      "DELETE FROM events WHERE user_id = ?1",
      "DELETE FROM webhook_attempts WHERE delivery_id IN "
      "(SELECT id FROM webhook_deliveries WHERE user_id = ?1)",
      "DELETE FROM webhook_deliveries WHERE user_id = ?1",
      "DELETE FROM webhooks WHERE user_id = ?1",
  };
  try {
    for (const char* sql : kStatements) {
      SQLite::Statement q(db, sql);
      q.bind(1, user_id);
      if (q.getBindParameterCount() >= 2) q.bind(2, now);
      q.exec();
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "erase user data");
  }
}

}  // namespace cairn::store

#include "store/mail.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

Status InsertMail(SQLite::Database& db, const MailRow& m) {
  try {
    SQLite::Statement q(db,
                        "INSERT INTO mail (id, recipient, subject, body, created_at) VALUES (?, "
                        "?, ?, ?, ?)");
    q.bind(1, m.id);
    q.bind(2, m.recipient);
    q.bind(3, m.subject);
    q.bind(4, m.body);
    q.bind(5, m.created_at);
    q.exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert mail");
  }
}

Result<std::vector<MailRow>> ListMail(SQLite::Database& db, const std::string& recipient,
                                      const ListSpec& base, ListResult* result) {
  ListSpec spec = base;
  if (!recipient.empty()) {
    spec.where.push_back("recipient = ?");
    spec.args.emplace_back(recipient);
  }
  std::vector<MailRow> rows;
  Status st = RunList(
      db, "id, recipient, subject, body, created_at", "mail", "rowid", spec,
      [&rows](SQLite::Statement& q) {
        MailRow m;
        m.id = q.getColumn(0).getString();
        m.recipient = q.getColumn(1).getString();
        m.subject = q.getColumn(2).getString();
        m.body = q.getColumn(3).getString();
        m.created_at = q.getColumn(4).getInt64();
        rows.push_back(std::move(m));
      },
      result);
  if (!st.ok()) return st;
  return rows;
}

}  // namespace cairn::store

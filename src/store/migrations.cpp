#include "store/migrations.h"

#include <SQLiteCpp/Statement.h>

#include <map>

#include "store/database.h"
#include "util/clock.h"
#include "util/digest.h"
#include "util/log.h"

namespace cairn::store {

namespace {

struct Applied {
  std::string name;
  std::string checksum;
};

void EnsureTable(SQLite::Database& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,"
      " applied_at TEXT NOT NULL)");
}

std::map<int, Applied> ReadApplied(SQLite::Database& db) {
  std::map<int, Applied> out;
  if (!db.tableExists("schema_migrations")) return out;
  SQLite::Statement q(db, "SELECT version, name, checksum FROM schema_migrations");
  while (q.executeStep()) {
    out[q.getColumn(0).getInt()] = {q.getColumn(1).getString(), q.getColumn(2).getString()};
  }
  return out;
}

// The whole check, shared by Verify and Migrate so both refuse the same things.
Status Check(const std::map<int, Applied>& applied, const std::vector<Migration>& migrations,
             int* pending) {
  std::map<int, const Migration*> known;
  for (const Migration& m : migrations) known[m.version] = &m;
  int newest_known = migrations.empty() ? 0 : migrations.back().version;
  int newest_applied = applied.empty() ? 0 : applied.rbegin()->first;
  for (const auto& [version, row] : applied) {
    auto it = known.find(version);
    if (it == known.end()) {
      return Status::FailedPrecondition(
          "the database is newer than this binary: it has migration " + row.name +
          " but this binary knows migrations up to version " + std::to_string(newest_known) +
          "; run a newer cairn (the database was not changed)");
    }
    if (it->second->checksum != row.checksum) {
      return Status::FailedPrecondition(
          "migration " + row.name + " was changed after it was applied (checksum " +
          row.checksum.substr(0, 12) + "… in the database, " + it->second->checksum.substr(0, 12) +
          "… in this binary); restore the original migration and add a new one instead");
    }
  }
  *pending = 0;
  for (const Migration& m : migrations) {
    if (applied.count(m.version)) continue;
    if (m.version < newest_applied) {
      return Status::FailedPrecondition("migration " + m.name +
                                        " is missing from a database that already has version " +
                                        std::to_string(newest_applied));
    }
    ++*pending;
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Migration>> ParseMigrations(std::span<const embedded::File> files) {
  std::vector<Migration> out;
  for (const embedded::File& f : files) {
    const std::string name(f.name);
    size_t us = name.find('_');
    bool shape = name.size() > 9 && us == 4 && name.ends_with(".sql");
    for (size_t i = 0; shape && i < 4; ++i) shape = name[i] >= '0' && name[i] <= '9';
    if (!shape) {
      return Status::InvalidArgument("migration file " + name + " is not named NNNN_name.sql");
    }
    int version = std::stoi(name.substr(0, 4));
    if (version == 0 || (!out.empty() && out.back().version >= version)) {
      return Status::InvalidArgument("migration " + name + " repeats or reorders a version");
    }
    out.push_back({version, name, std::string(f.data), Sha256Hex(f.data)});
  }
  return out;
}

Status Verify(SQLite::Database& db, const std::vector<Migration>& migrations, int* pending) {
  try {
    return Check(ReadApplied(db), migrations, pending);
  } catch (const std::exception& e) {
    return FromSqliteError(e, "verify migrations");
  }
}

Result<MigrateReport> Migrate(SQLite::Database& db, const std::vector<Migration>& migrations) {
  MigrateReport report;
  try {
    int pending = 0;
    std::map<int, Applied> before = ReadApplied(db);
    Status st = Check(before, migrations, &pending);
    if (!st.ok()) return st;
    for (const Migration& m : migrations) {
      if (before.count(m.version)) continue;  // no write lock when up to date
      WriteTransaction tx(db);
      EnsureTable(db);
      // Re-read under the write lock: another process may have applied it.
      std::map<int, Applied> applied = ReadApplied(db);
      st = Check(applied, migrations, &pending);
      if (!st.ok()) return st;
      if (applied.count(m.version)) continue;
      db.exec(m.sql);
      SQLite::Statement ins(db,
                            "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                            "VALUES (?, ?, ?, ?)");
      ins.bind(1, m.version);
      ins.bind(2, m.name);
      ins.bind(3, m.checksum);
      ins.bind(4, FormatIso8601(SystemClock::Get().Now()));
      ins.exec();
      tx.Commit();
      ++report.applied;
      log::Info("migration_applied").Str("name", m.name).Emit();
    }
    std::map<int, Applied> applied = ReadApplied(db);
    report.current_version = applied.empty() ? 0 : applied.rbegin()->first;
    return report;
  } catch (const std::exception& e) {
    log::Error("migration_failed").Str("cause", e.what()).Emit();
    return Status::Internal(std::string("a migration failed: ") + e.what());
  }
}

}  // namespace cairn::store

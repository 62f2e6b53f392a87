#pragma once

// Schema migrations: the sql/NNNN_name.sql files embedded in the binary,
// applied in order, each in its own BEGIN IMMEDIATE transaction together with
// its row in schema_migrations (version, name, SHA-256 checksum, time).
//
// Before anything is written the applied rows are checked against the
// binary's list: a migration the binary does not know (the database is newer
// than the binary) or one whose checksum changed stops everything with
// FailedPrecondition and leaves the file untouched.

#include <SQLiteCpp/Database.h>

#include <span>
#include <string>
#include <vector>

#include "util/embedded.h"
#include "util/status.h"

namespace cairn::store {

struct Migration {
  int version = 0;
  std::string name;  // file name, e.g. "0001_init.sql"
  std::string sql;
  std::string checksum;  // lowercase hex SHA-256 of sql
};

// Parses and orders embedded files. InvalidArgument for a name not of the form
// NNNN_name.sql or a repeated version.
Result<std::vector<Migration>> ParseMigrations(std::span<const embedded::File> files);

struct MigrateReport {
  int applied = 0;         // applied by this call
  int current_version = 0; // highest version in the database afterwards
};

// Brings db up to date with `migrations`. Safe to run from several processes.
Result<MigrateReport> Migrate(SQLite::Database& db, const std::vector<Migration>& migrations);

// Checks without writing: FailedPrecondition as Migrate would, or OK with the
// number of migrations still pending in *pending.
Status Verify(SQLite::Database& db, const std::vector<Migration>& migrations, int* pending);

}  // namespace cairn::store

#include "store/maintenance.h"

#include <SQLiteCpp/Statement.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstdio>

#include "store/database.h"
#include "util/ids.h"

namespace cairn::store {

Result<std::vector<std::string>> CheckIntegrity(SQLite::Database& db) {
  std::vector<std::string> problems;
  try {
    SQLite::Statement ic(db, "PRAGMA integrity_check(100)");
    while (ic.executeStep()) {
      std::string line = ic.getColumn(0).getString();
      if (line != "ok") problems.push_back(line);
    }
    SQLite::Statement fk(db, "PRAGMA foreign_key_check");
    while (fk.executeStep()) {
      problems.push_back("foreign key violation in table " + fk.getColumn(0).getString() +
                         " rowid " + fk.getColumn(1).getString());
    }
    return problems;
  } catch (const std::exception& e) {
    // A damaged file often fails the check itself rather than reporting rows.
    problems.push_back(std::string("integrity check failed: ") + e.what());
    return problems;
  }
}

Status Backup(SQLite::Database& db, const std::string& out_path) {
  struct stat st {};
  if (::stat(out_path.c_str(), &st) == 0) {
    return Status::AlreadyExists(out_path + " already exists");
  }
  // The copy holds every secret the live database does, so it is created
  // 0600 before a byte is written (VACUUM INTO fills an empty file).
  std::string tmp = out_path + ".tmp-" + RandomHex(4);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("cannot create " + tmp);
  ::close(fd);
  try {
    SQLite::Statement vac(db, "VACUUM INTO ?");
    vac.bind(1, tmp);
    vac.exec();
  } catch (const std::exception& e) {
    std::remove(tmp.c_str());
    return Status::Unavailable(std::string("backup failed: ") + e.what());
  }
  try {
    SQLite::Database copy(tmp, SQLite::OPEN_READONLY);
    std::string verdict = copy.execAndGet("PRAGMA quick_check").getString();
    if (verdict != "ok") {
      std::remove(tmp.c_str());
      return Status::Internal("the backup copy failed its check: " + verdict);
    }
  } catch (const std::exception& e) {
    std::remove(tmp.c_str());
    return Status::Internal(std::string("the backup copy cannot be read: ") + e.what());
  }
  // link(2) fails if out_path appeared meanwhile: never overwrite a file.
  int linked = ::link(tmp.c_str(), out_path.c_str());
  int link_errno = errno;
  std::remove(tmp.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST) return Status::AlreadyExists(out_path + " already exists");
    return Status::Unavailable("cannot move the backup into place at " + out_path);
  }
  return Status::Ok();
}

Result<InstanceInfo> ReadInstance(SQLite::Database& db) {
  try {
    SQLite::Statement q(db, "SELECT instance_id, created_at FROM instance WHERE id = 1");
    if (!q.executeStep()) return Status::NotFound("the instance row is missing");
    return InstanceInfo{q.getColumn(0).getString(), q.getColumn(1).getString()};
  } catch (const std::exception& e) {
    return FromSqliteError(e, "read instance");
  }
}

}  // namespace cairn::store

#include "core/board/sqlite_db.h"

#include <sqlite3.h>

namespace phieu::board {
namespace {

// The one converter from SQLite result codes to Status.
Status SqliteError(int rc, sqlite3* db, std::string_view what) {
  std::string m(what);
  m += ": ";
  m += (db != nullptr && sqlite3_errcode(db) == rc) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return AlreadyExists(std::move(m));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLoss(std::move(m));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return Unavailable(std::move(m));
    case SQLITE_READONLY:
      return FailedPrecondition(std::move(m));
    default:
      return Internal(std::move(m));
  }
}

}  // namespace

SqliteDb::Statement::~Statement() { sqlite3_finalize(stmt_); }

Status SqliteDb::Statement::BindInt64(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  return rc == SQLITE_OK ? Status::Ok() : db_->Error(rc, "bind");
}

Status SqliteDb::Statement::BindText(int index, std::string_view value) {
  int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return rc == SQLITE_OK ? Status::Ok() : db_->Error(rc, "bind");
}

Status SqliteDb::Statement::BindBlob(int index, std::string_view value) {
  // A zero-length blob must still be a blob, not NULL: give SQLite a valid pointer.
  static const char kEmpty = 0;
  const void* p = value.empty() ? &kEmpty : value.data();
  int rc = sqlite3_bind_blob64(stmt_, index, p, value.size(), SQLITE_TRANSIENT);
  return rc == SQLITE_OK ? Status::Ok() : db_->Error(rc, "bind");
}

Result<bool> SqliteDb::Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, "step");
}

Status SqliteDb::Statement::Run() {
  ASSIGN_OR_RETURN(bool row, Step());
  if (row) return Internal("statement returned a row where none was expected");
  return Status::Ok();
}

int64_t SqliteDb::Statement::ColumnInt64(int index) const {
  return sqlite3_column_int64(stmt_, index);
}

std::string SqliteDb::Statement::ColumnText(int index) const {
  const unsigned char* p = sqlite3_column_text(stmt_, index);
  int n = sqlite3_column_bytes(stmt_, index);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}

std::string SqliteDb::Statement::ColumnBlob(int index) const {
  const void* p = sqlite3_column_blob(stmt_, index);
  int n = sqlite3_column_bytes(stmt_, index);
  return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), n);
}

void SqliteDb::Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool read_only,
                                                 const std::string& vfs) {
  sqlite3* db = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  // The owner serializes access; SQLite's own per-connection mutex is not needed.
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs.empty() ? nullptr : vfs.c_str());
  if (rc != SQLITE_OK) {
    Status st = SqliteError(rc, db, "open " + path + (vfs.empty() ? "" : " (vfs " + vfs + ")"));
    sqlite3_close_v2(db);
    return st;
  }
  sqlite3_extended_result_codes(db, 1);
  // Wait (rather than fail) while another connection holds a lock briefly.
  sqlite3_busy_timeout(db, 5000);
  return std::unique_ptr<SqliteDb>(new SqliteDb(db, path));
}

SqliteDb::~SqliteDb() {
  statements_.clear();  // finalize before closing
  sqlite3_close_v2(db_);
}

Status SqliteDb::Error(int rc, std::string_view what) const {
  return SqliteError(rc, db_, std::string(what) + " (" + path_ + ")");
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);  // sqlite3_errmsg still has the text
  return rc == SQLITE_OK ? Status::Ok() : Error(rc, "exec");
}

Result<SqliteDb::Statement*> SqliteDb::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "prepare");
  if (stmt == nullptr) return Internal("prepare: empty SQL");
  auto owned = std::unique_ptr<Statement>(new Statement(this, stmt));
  Statement* raw = owned.get();
  statements_.emplace(std::string(sql), std::move(owned));
  return raw;
}

Result<std::string> SqliteDb::QueryText(std::string_view sql) {
  ASSIGN_OR_RETURN(Statement * stmt, Prepare(sql));
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  std::string value = row ? stmt->ColumnText(0) : std::string();
  stmt->Reset();
  if (!row) return NotFound("query returned no row");
  return value;
}

int64_t SqliteDb::Changes() const { return sqlite3_changes64(db_); }

bool SqliteDb::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace phieu::board

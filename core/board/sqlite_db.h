// SqliteDb: a small owner of one SQLite connection and its prepared
// statements. The only place in Phiếu that holds sqlite3 handles; they never
// leave sqlite_db.cc (the header only forward-declares them).
//
// Statements are prepared once per SQL text and cached for the life of the
// connection. Values are always bound as parameters: callers never build SQL
// from user data (Exec is for constant SQL only: schema and pragmas).
//
// Thread-safety: none. A SqliteDb and its statements belong to one thread at
// a time; the owner (BoardStore) serializes access with its own mutex.
// Errors (SqliteError maps SQLite result codes): constraint violations ->
// AlreadyExists; SQLITE_CORRUPT / SQLITE_NOTADB -> DataLoss; SQLITE_BUSY,
// SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN -> Unavailable;
// SQLITE_READONLY -> FailedPrecondition; the rest -> Internal. Messages carry
// SQLite's own text (which names tables and columns, never bound values).
#ifndef PHIEU_CORE_BOARD_SQLITE_DB_H_
#define PHIEU_CORE_BOARD_SQLITE_DB_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/util/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace phieu::board {

class SqliteDb {
 public:
  // One prepared statement. Reset() before each use (Prepare does it).
  class Statement {
   public:
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters are 1-based, as in SQLite.
    Status BindInt64(int index, int64_t value);
    Status BindText(int index, std::string_view value);
    Status BindBlob(int index, std::string_view value);

    // Runs one step: true if a row is ready, false when done.
    Result<bool> Step();
    // Runs to completion, expecting no rows.
    Status Run();

    int64_t ColumnInt64(int index) const;  // 0-based columns
    std::string ColumnText(int index) const;
    std::string ColumnBlob(int index) const;

    // Releases locks and clears bindings; the statement can be run again.
    void Reset();

   private:
    friend class SqliteDb;
    Statement(SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    SqliteDb* db_;
    sqlite3_stmt* stmt_;
  };

  // Opens (read_only: without creating) the database file at `path`. `vfs`
  // names a registered SQLite VFS (tests: a power-cut VFS); empty means
  // SQLite's default.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool read_only,
                                                const std::string& vfs = "");
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs constant SQL (one or more statements, no parameters, rows ignored).
  Status Exec(std::string_view sql);

  // Returns the cached statement for `sql`, reset and with no bindings. The
  // pointer stays valid while this SqliteDb lives; one user at a time.
  Result<Statement*> Prepare(std::string_view sql);

  // Runs a query that returns one text value (e.g. "PRAGMA journal_mode").
  Result<std::string> QueryText(std::string_view sql);

  // Number of rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;
  bool InTransaction() const;

  const std::string& path() const { return path_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Error(int rc, std::string_view what) const;

  sqlite3* db_;
  std::string path_;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> statements_;
};

}  // namespace phieu::board

#endif  // PHIEU_CORE_BOARD_SQLITE_DB_H_

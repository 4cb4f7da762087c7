#include "core/board/board_store.h"

#include <sys/stat.h>

#include "core/board/sqlite_db.h"
#include "core/record/chain.h"
#include "core/record/record_file.h"
#include "core/util/bytes.h"

namespace phieu::board {
namespace {

// "PHIB" in the SQLite header: marks the file as a Phiếu board.
constexpr int64_t kApplicationId = 0x50484942;
constexpr int64_t kSchemaVersion = 1;

// STRICT: SQLite refuses a value of the wrong type instead of converting it.
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS entries (
  seq            INTEGER PRIMARY KEY CHECK (seq >= 0),
  prev_hash      BLOB    NOT NULL CHECK (length(prev_hash) = 32),
  server_time_ms INTEGER NOT NULL,
  body           BLOB    NOT NULL,
  author         TEXT    NOT NULL,
  signature      BLOB    NOT NULL,
  hash           BLOB    NOT NULL CHECK (length(hash) = 32),
  kind           TEXT    NOT NULL CHECK (kind <> ''),
  run_id         TEXT    NOT NULL,
  unit_id        TEXT    NOT NULL,
  tracking_code  TEXT    NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS entries_one_ballot_per_unit_per_run
  ON entries (run_id, unit_id) WHERE kind = 'ballot';
CREATE INDEX IF NOT EXISTS entries_by_hash ON entries (hash);
CREATE INDEX IF NOT EXISTS entries_by_kind_run ON entries (kind, run_id);
)sql";

#define PHIEU_SELECT_ENTRY "SELECT seq, prev_hash, server_time_ms, body, author, signature, hash "

constexpr std::string_view kSelectTail =
    PHIEU_SELECT_ENTRY "FROM entries ORDER BY seq DESC LIMIT 2";
constexpr std::string_view kSelectRange =
    PHIEU_SELECT_ENTRY "FROM entries WHERE seq >= ?1 ORDER BY seq LIMIT ?2";
constexpr std::string_view kSelectAll = PHIEU_SELECT_ENTRY "FROM entries ORDER BY seq";
constexpr std::string_view kSelectBySeq = PHIEU_SELECT_ENTRY "FROM entries WHERE seq = ?1";
constexpr std::string_view kSelectByHash = PHIEU_SELECT_ENTRY "FROM entries WHERE hash = ?1";
constexpr std::string_view kSelectBallot =
    PHIEU_SELECT_ENTRY "FROM entries WHERE kind = 'ballot' AND run_id = ?1 AND unit_id = ?2";
constexpr std::string_view kSelectBallotTracking =
    "SELECT seq, tracking_code FROM entries "
    "WHERE kind = 'ballot' AND run_id = ?1 AND unit_id = ?2";
constexpr std::string_view kSelectIndex =
    "SELECT kind, run_id, unit_id, tracking_code FROM entries WHERE seq = ?1";
constexpr std::string_view kCount = "SELECT count(*) FROM entries";
constexpr std::string_view kInsert =
    "INSERT INTO entries (seq, prev_hash, server_time_ms, body, author, signature, hash, "
    "kind, run_id, unit_id, tracking_code) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

#undef PHIEU_SELECT_ENTRY

// Resets a statement when it goes out of scope, so that no read stays open
// (an open read would hold back WAL checkpoints).
class ResetOnExit {
 public:
  explicit ResetOnExit(SqliteDb::Statement* s) : s_(s) {}
  ~ResetOnExit() { s_->Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  SqliteDb::Statement* s_;
};

v1::BoardEntry RowToEntry(const SqliteDb::Statement& s) {
  v1::BoardEntry e;
  e.set_seq(static_cast<uint64_t>(s.ColumnInt64(0)));
  e.set_prev_hash(s.ColumnBlob(1));
  e.set_server_time_ms(s.ColumnInt64(2));
  e.mutable_signed_()->set_body(s.ColumnBlob(3));
  e.mutable_signed_()->set_author(s.ColumnText(4));
  e.mutable_signed_()->set_signature(s.ColumnBlob(5));
  e.set_hash(s.ColumnBlob(6));
  return e;
}

// Runs a prepared query and collects every row as an entry.
Result<std::vector<v1::BoardEntry>> CollectEntries(SqliteDb::Statement* s) {
  ResetOnExit reset(s);
  std::vector<v1::BoardEntry> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back(RowToEntry(*s));
  }
  return out;
}

Result<std::optional<v1::BoardEntry>> CollectOne(SqliteDb::Statement* s) {
  ASSIGN_OR_RETURN(std::vector<v1::BoardEntry> rows, CollectEntries(s));
  if (rows.empty()) return std::optional<v1::BoardEntry>();
  return std::optional<v1::BoardEntry>(std::move(rows.front()));
}

Result<int64_t> QueryInt(SqliteDb& db, std::string_view sql) {
  ASSIGN_OR_RETURN(SqliteDb::Statement * s, db.Prepare(sql));
  ResetOnExit reset(s);
  ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return Internal(std::string(sql) + ": no row");
  return s->ColumnInt64(0);
}

// The last entry and the one before it (newest first), and the row count.
struct Tail {
  int64_t count = 0;
  std::vector<v1::BoardEntry> last_two;
};

// count_rows: count every row (a scan: at open) or take last seq + 1 (a
// lookup in the primary key: at each append, where the count was checked at
// open and every row since was added by us).
Result<Tail> ReadTailIn(SqliteDb& db, bool count_rows);

Result<Tail> ReadTail(SqliteDb& db, bool count_rows) {
  if (!count_rows || db.InTransaction()) return ReadTailIn(db, count_rows);
  // Two statements: read them in one snapshot, or a server appending between
  // them would look like a missing entry.
  RETURN_IF_ERROR(db.Exec("BEGIN"));
  Result<Tail> t = ReadTailIn(db, count_rows);
  Status end = db.Exec(t.ok() ? "COMMIT" : "ROLLBACK");
  if (!end.ok() && db.InTransaction()) (void)db.Exec("ROLLBACK");
  if (t.ok() && !end.ok()) return end;
  return t;
}

Result<Tail> ReadTailIn(SqliteDb& db, bool count_rows) {
  Tail t;
  ASSIGN_OR_RETURN(SqliteDb::Statement * s, db.Prepare(kSelectTail));
  ASSIGN_OR_RETURN(t.last_two, CollectEntries(s));
  if (count_rows) {
    ASSIGN_OR_RETURN(t.count, QueryInt(db, kCount));
  } else {
    t.count = t.last_two.empty() ? 0 : static_cast<int64_t>(t.last_two.front().seq()) + 1;
  }
  return t;
}

// Checks that no seq is missing and that the last entry hashes and links.
Status CheckTail(const Tail& t, const std::string& path) {
  const std::string name = "board " + path;
  if (t.count == 0 && t.last_two.empty()) return Status::Ok();
  if (t.count == 0 || t.last_two.empty()) {
    return DataLoss(name + ": the row count and the last entry disagree");
  }
  const v1::BoardEntry& last = t.last_two.front();
  if (last.seq() != static_cast<uint64_t>(t.count - 1)) {
    return DataLoss(name + ": " + std::to_string(t.count) + " entries but the last is entry " +
                    std::to_string(last.seq()) + ": entries are missing");
  }
  const std::string prev = t.last_two.size() > 1 ? t.last_two[1].hash() : record::ZeroHash();
  Status st = record::VerifyChainEntry(last, last.seq(), prev);
  if (!st.ok()) return DataLoss(name + ": " + st.message());
  return Status::Ok();
}

Status CheckIndex(const EntryIndex& index) {
  if (index.kind.empty()) return InvalidArgument("entry index: kind is empty");
  if (index.kind == kBallotKind && (index.run_id.empty() || index.unit_id.empty())) {
    return InvalidArgument("entry index: a ballot needs run_id and unit_id");
  }
  return Status::Ok();
}

Status ConfigureWriter(SqliteDb& db) {
  ASSIGN_OR_RETURN(int64_t app_id, QueryInt(db, "PRAGMA application_id"));
  ASSIGN_OR_RETURN(int64_t version, QueryInt(db, "PRAGMA user_version"));
  if (app_id != 0 && app_id != kApplicationId) {
    return FailedPrecondition("board " + db.path() + " is a SQLite file of another program");
  }
  if (version > kSchemaVersion) {
    return FailedPrecondition("board " + db.path() + " has schema version " +
                              std::to_string(version) + ", newer than this program's " +
                              std::to_string(kSchemaVersion) + ": use a newer phieu-server");
  }
  ASSIGN_OR_RETURN(std::string mode, db.QueryText("PRAGMA journal_mode=WAL"));
  if (mode != "wal") {
    return Unavailable("board " + db.path() + ": cannot switch to WAL mode (got \"" + mode +
                       "\"): put the data directory on a local file system");
  }
  RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  // The schema and its markers in one transaction: a crash leaves all or none.
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status st = db.Exec(kSchema);
  if (st.ok()) {
    st = db.Exec("PRAGMA application_id=" + std::to_string(kApplicationId) +
                 "; PRAGMA user_version=" + std::to_string(kSchemaVersion) + ";");
  }
  if (st.ok()) st = db.Exec("COMMIT");
  if (!st.ok()) {
    if (db.InTransaction()) (void)db.Exec("ROLLBACK");
    return st;
  }
  ASSIGN_OR_RETURN(std::string sync, db.QueryText("PRAGMA synchronous"));
  if (sync != "2") return Internal("board " + db.path() + ": synchronous=FULL did not take");
  return Status::Ok();
}

Status CheckReadable(SqliteDb& db) {
  ASSIGN_OR_RETURN(int64_t app_id, QueryInt(db, "PRAGMA application_id"));
  if (app_id != kApplicationId) {
    return FailedPrecondition("board " + db.path() + " is not a Phiếu board");
  }
  return Status::Ok();
}

}  // namespace

BoardStore::BoardStore(std::string path, std::unique_ptr<SqliteDb> writer,
                       std::unique_ptr<SqliteDb> reader)
    : path_(std::move(path)),
      writer_(std::move(writer)),
      reader_(std::move(reader)),
      head_(record::ZeroHash()) {}

BoardStore::~BoardStore() = default;

Result<std::unique_ptr<BoardStore>> BoardStore::Open(const std::string& path,
                                                     const std::string& vfs) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> writer,
                   SqliteDb::Open(path, /*read_only=*/false, vfs));
  RETURN_IF_ERROR(ConfigureWriter(*writer));
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> reader,
                   SqliteDb::Open(path, /*read_only=*/true, vfs));
  RETURN_IF_ERROR(reader->Exec("PRAGMA query_only=ON"));
  std::unique_ptr<BoardStore> store(new BoardStore(path, std::move(writer), std::move(reader)));
  RETURN_IF_ERROR(store->VerifyTail());
  return store;
}

Result<std::unique_ptr<BoardStore>> BoardStore::OpenReadOnly(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return NotFound("no board at " + path + ": give the server's data directory");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> reader, SqliteDb::Open(path, /*read_only=*/true));
  RETURN_IF_ERROR(reader->Exec("PRAGMA query_only=ON"));
  RETURN_IF_ERROR(CheckReadable(*reader));
  std::unique_ptr<BoardStore> store(new BoardStore(path, nullptr, std::move(reader)));
  RETURN_IF_ERROR(store->VerifyTail());
  return store;
}

Status BoardStore::VerifyTail() {
  Tail tail;
  {
    std::lock_guard<std::mutex> lock(read_mu_);
    ASSIGN_OR_RETURN(tail, ReadTail(*reader_, /*count_rows=*/true));
  }
  RETURN_IF_ERROR(CheckTail(tail, path_));
  std::lock_guard<std::mutex> lock(tail_mu_);
  length_ = static_cast<uint64_t>(tail.count);
  head_ = tail.count == 0 ? record::ZeroHash() : tail.last_two.front().hash();
  return Status::Ok();
}

Result<v1::BoardEntry> BoardStore::Append(const v1::SignedEntry& signed_entry,
                                          const EntryIndex& index, int64_t server_time_ms) {
  std::vector<BatchItem> items;
  items.emplace_back(signed_entry, index);
  ASSIGN_OR_RETURN(std::vector<AppendOutcome> outcomes,
                   AppendBatch(std::move(items), server_time_ms));
  return std::move(outcomes.front());
}

Result<std::vector<BoardStore::AppendOutcome>> BoardStore::AppendBatch(std::vector<BatchItem> items,
                                                                       int64_t server_time_ms) {
  if (writer_ == nullptr) {
    return FailedPrecondition("board " + path_ + " is open read-only: cannot append");
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  SqliteDb& db = *writer_;
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));

  // Everything from here to COMMIT either commits whole or is rolled back.
  auto body = [&]() -> Result<std::vector<AppendOutcome>> {
    // The file, not the cache, says where the chain ends.
    ASSIGN_OR_RETURN(Tail tail, ReadTail(db, /*count_rows=*/false));
    RETURN_IF_ERROR(CheckTail(tail, path_));
    uint64_t seq = static_cast<uint64_t>(tail.count);
    std::string prev = tail.count == 0 ? record::ZeroHash() : tail.last_two.front().hash();

    std::vector<AppendOutcome> outcomes;
    outcomes.reserve(items.size());
    for (BatchItem& item : items) {
      const EntryIndex& index = item.second;
      if (Status st = CheckIndex(index); !st.ok()) {
        outcomes.emplace_back(st);
        continue;
      }
      if (index.kind == kBallotKind) {
        // Refuse a second ballot with a message the server can pass on; the
        // unique index below would refuse it too.
        ASSIGN_OR_RETURN(SqliteDb::Statement * s, db.Prepare(kSelectBallotTracking));
        ResetOnExit reset(s);
        RETURN_IF_ERROR(s->BindText(1, index.run_id));
        RETURN_IF_ERROR(s->BindText(2, index.unit_id));
        ASSIGN_OR_RETURN(bool found, s->Step());
        if (found) {
          outcomes.emplace_back(AlreadyExists("unit " + index.unit_id +
                                              " already has a ballot in run " + index.run_id +
                                              " (entry " + std::to_string(s->ColumnInt64(0)) +
                                              ", tracking code " + s->ColumnText(1) + ")"));
          continue;
        }
      }
      v1::BoardEntry entry;
      entry.set_seq(seq);
      entry.set_prev_hash(prev);
      entry.set_server_time_ms(server_time_ms);
      *entry.mutable_signed_() = std::move(item.first);
      entry.set_hash(record::ChainHash(seq, prev, server_time_ms, entry.signed_()));

      ASSIGN_OR_RETURN(SqliteDb::Statement * ins, db.Prepare(kInsert));
      ResetOnExit reset(ins);
      RETURN_IF_ERROR(ins->BindInt64(1, static_cast<int64_t>(seq)));
      RETURN_IF_ERROR(ins->BindBlob(2, entry.prev_hash()));
      RETURN_IF_ERROR(ins->BindInt64(3, server_time_ms));
      RETURN_IF_ERROR(ins->BindBlob(4, entry.signed_().body()));
      RETURN_IF_ERROR(ins->BindText(5, entry.signed_().author()));
      RETURN_IF_ERROR(ins->BindBlob(6, entry.signed_().signature()));
      RETURN_IF_ERROR(ins->BindBlob(7, entry.hash()));
      RETURN_IF_ERROR(ins->BindText(8, index.kind));
      RETURN_IF_ERROR(ins->BindText(9, index.run_id));
      RETURN_IF_ERROR(ins->BindText(10, index.unit_id));
      RETURN_IF_ERROR(ins->BindText(11, index.tracking_code));
      Status st = ins->Run();
      if (st.code() == StatusCode::kAlreadyExists) {
        // A constraint refused this one row (SQLite undid just that
        // statement); the transaction and the other items go on.
        outcomes.emplace_back(st.Annotate("entry refused by the database"));
        continue;
      }
      RETURN_IF_ERROR(st);
      prev = entry.hash();
      ++seq;
      outcomes.emplace_back(std::move(entry));
    }
    return outcomes;
  };

  Result<std::vector<AppendOutcome>> outcomes = body();
  bool any_stored = false;
  if (outcomes.ok()) {
    for (const AppendOutcome& o : *outcomes) any_stored = any_stored || o.ok();
  }
  Status st = outcomes.status();
  if (st.ok()) st = db.Exec(any_stored ? "COMMIT" : "ROLLBACK");
  if (!st.ok()) {
    if (db.InTransaction()) (void)db.Exec("ROLLBACK");
    return st.Annotate("board " + path_ + ": append (nothing was stored)");
  }
  if (any_stored) {
    std::lock_guard<std::mutex> tail_lock(tail_mu_);
    for (const AppendOutcome& o : *outcomes) {
      if (!o.ok()) continue;
      length_ = o->seq() + 1;
      head_ = o->hash();
    }
  }
  return outcomes;
}

void BoardStore::RefreshTailFromFile() const {
  if (writer_ != nullptr) return;  // the cache is exact: every write goes through us
  Tail tail;
  {
    std::lock_guard<std::mutex> lock(read_mu_);
    Result<Tail> t = ReadTail(*reader_, /*count_rows=*/false);
    if (!t.ok()) return;
    tail = std::move(*t);
  }
  std::lock_guard<std::mutex> lock(tail_mu_);
  length_ = static_cast<uint64_t>(tail.count);
  head_ = tail.count == 0 ? record::ZeroHash() : tail.last_two.front().hash();
}

uint64_t BoardStore::Length() const {
  RefreshTailFromFile();
  std::lock_guard<std::mutex> lock(tail_mu_);
  return length_;
}

std::string BoardStore::Head() const {
  RefreshTailFromFile();
  std::lock_guard<std::mutex> lock(tail_mu_);
  return head_;
}

Result<std::vector<v1::BoardEntry>> BoardStore::Read(uint64_t from_seq, uint32_t limit) const {
  if (limit == 0) return std::vector<v1::BoardEntry>();
  if (from_seq > static_cast<uint64_t>(INT64_MAX)) return std::vector<v1::BoardEntry>();
  std::lock_guard<std::mutex> lock(read_mu_);
  ASSIGN_OR_RETURN(SqliteDb::Statement * s, reader_->Prepare(kSelectRange));
  RETURN_IF_ERROR(s->BindInt64(1, static_cast<int64_t>(from_seq)));
  RETURN_IF_ERROR(s->BindInt64(2, static_cast<int64_t>(limit)));
  return CollectEntries(s);
}

Result<v1::BoardEntry> BoardStore::Get(uint64_t seq) const {
  std::optional<v1::BoardEntry> entry;
  if (seq <= static_cast<uint64_t>(INT64_MAX)) {
    std::lock_guard<std::mutex> lock(read_mu_);
    ASSIGN_OR_RETURN(SqliteDb::Statement * s, reader_->Prepare(kSelectBySeq));
    RETURN_IF_ERROR(s->BindInt64(1, static_cast<int64_t>(seq)));
    ASSIGN_OR_RETURN(entry, CollectOne(s));
  }
  if (!entry) return NotFound("board entry " + std::to_string(seq) + " does not exist");
  return std::move(*entry);
}

Result<std::optional<v1::BoardEntry>> BoardStore::FindByHash(std::string_view hash) const {
  if (hash.size() != record::kChainHashSize) {
    return InvalidArgument("find by hash: hash is " + std::to_string(hash.size()) +
                           " bytes, 32 expected");
  }
  std::lock_guard<std::mutex> lock(read_mu_);
  ASSIGN_OR_RETURN(SqliteDb::Statement * s, reader_->Prepare(kSelectByHash));
  RETURN_IF_ERROR(s->BindBlob(1, hash));
  return CollectOne(s);
}

Result<std::optional<v1::BoardEntry>> BoardStore::FindBallot(std::string_view run_id,
                                                             std::string_view unit_id) const {
  std::lock_guard<std::mutex> lock(read_mu_);
  ASSIGN_OR_RETURN(SqliteDb::Statement * s, reader_->Prepare(kSelectBallot));
  RETURN_IF_ERROR(s->BindText(1, run_id));
  RETURN_IF_ERROR(s->BindText(2, unit_id));
  return CollectOne(s);
}

Result<EntryIndex> BoardStore::GetIndex(uint64_t seq) const {
  std::lock_guard<std::mutex> lock(read_mu_);
  ASSIGN_OR_RETURN(SqliteDb::Statement * s, reader_->Prepare(kSelectIndex));
  ResetOnExit reset(s);
  RETURN_IF_ERROR(s->BindInt64(1, static_cast<int64_t>(seq)));
  ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return NotFound("board entry " + std::to_string(seq) + " does not exist");
  return EntryIndex{s->ColumnText(0), s->ColumnText(1), s->ColumnText(2), s->ColumnText(3)};
}

Result<v1::ElectionRecord> BoardStore::Export() const {
  v1::ElectionRecord record;
  record.set_format(std::string(record::kRecordFormat));
  {
    std::lock_guard<std::mutex> lock(read_mu_);
    ASSIGN_OR_RETURN(SqliteDb::Statement * s, reader_->Prepare(kSelectAll));
    ResetOnExit reset(s);
    while (true) {
      ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      *record.add_entries() = RowToEntry(*s);
    }
  }
  record.set_entry_count(static_cast<uint64_t>(record.entries_size()));
  record.set_head(record.entries_size() == 0 ? record::ZeroHash()
                                             : record.entries(record.entries_size() - 1).hash());
  return record;
}

Result<StorageSettings> BoardStore::Settings() const {
  auto ask = [](SqliteDb& db) -> Result<StorageSettings> {
    StorageSettings out;
    ASSIGN_OR_RETURN(out.journal_mode, db.QueryText("PRAGMA journal_mode"));
    ASSIGN_OR_RETURN(out.synchronous, QueryInt(db, "PRAGMA synchronous"));
    ASSIGN_OR_RETURN(int64_t fk, QueryInt(db, "PRAGMA foreign_keys"));
    out.foreign_keys = fk != 0;
    return out;
  };
  if (writer_ != nullptr) {
    std::lock_guard<std::mutex> lock(write_mu_);
    return ask(*writer_);
  }
  std::lock_guard<std::mutex> lock(read_mu_);
  return ask(*reader_);
}

Status BoardStore::CheckIntegrity() const {
  const std::string name = "board " + path_;
  std::lock_guard<std::mutex> lock(read_mu_);
  {
    ASSIGN_OR_RETURN(SqliteDb::Statement * s, reader_->Prepare("PRAGMA integrity_check"));
    ResetOnExit reset(s);
    ASSIGN_OR_RETURN(bool row, s->Step());
    std::string first = row ? s->ColumnText(0) : "no answer";
    if (first != "ok") return DataLoss(name + ": SQLite integrity check: " + first);
  }
  ASSIGN_OR_RETURN(SqliteDb::Statement * s, reader_->Prepare(kSelectAll));
  ResetOnExit reset(s);
  std::string prev = record::ZeroHash();
  uint64_t expected = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    v1::BoardEntry entry = RowToEntry(*s);
    Status st = record::VerifyChainEntry(entry, expected, prev);
    if (!st.ok()) return DataLoss(name + ": " + st.message());
    prev = entry.hash();
    ++expected;
  }
  return Status::Ok();
}

}  // namespace phieu::board

// BoardStore: the ballot box. The bulletin board's hash chain kept in one
// SQLite file (WAL mode, synchronous=FULL), so that an entry is on disk before
// anyone is told it was accepted: a receipt may be sent once Append or
// AppendBatch has returned.
//
// Each row holds the entry (seq, prev_hash, server_time_ms, body, author,
// signature, hash; see core/record/chain.h for the hash) and index columns the
// caller gives (EntryIndex: kind, run_id, unit_id, tracking_code). The store
// never decodes bodies or checks signatures: the server does that before
// appending, the verifier after export. The database itself enforces one
// entry of kind "ballot" per (run_id, unit_id). docs/storage.md has the schema
// and the reasons.
//
// Thread-safety: internally synchronized; every method may be called from any
// thread. Writes are serialized on one read-write connection; reads use a
// second, read-only connection (WAL lets them run while a write commits), and
// Length()/Head() read a cache updated after each commit. Batch appends from
// many threads are what the server's group commit should use: one transaction
// and one fsync for many entries.
//
// Errors:
//   Open: DataLoss when the file is not a database, PRAGMA settings cannot be
//     set, or the chain's tail does not verify (message names the entry);
//     FailedPrecondition for a file of another program or a newer schema;
//     Unavailable for I/O (cannot create, locked for too long).
//   OpenReadOnly: as Open, plus NotFound when there is no board at the path.
//   Append/AppendBatch: per item InvalidArgument (empty kind; a ballot without
//     run_id or unit_id) and AlreadyExists (a second ballot for a (run, unit),
//     the message gives the stored entry's seq and tracking code); for the whole
//     call FailedPrecondition (read-only store) and Unavailable/Internal/DataLoss
//     from SQLite, in which case nothing of the call was committed.
//   Get: NotFound for a seq past the end. Find*: nullopt when absent.
//   CheckIntegrity: DataLoss naming the failed check or the entry.
#ifndef PHIEU_CORE_BOARD_BOARD_STORE_H_
#define PHIEU_CORE_BOARD_BOARD_STORE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/util/status.h"
#include "phieu/v1/record.pb.h"

namespace phieu::board {

class SqliteDb;

// The kind that the unique (run_id, unit_id) index applies to.
inline constexpr std::string_view kBallotKind = "ballot";

// Columns stored beside an entry so that the server can find it without
// decoding bodies. kind: "ballot", "open", "check_in", ... (free text, not
// empty); for kind "ballot", run_id and unit_id are required. tracking_code:
// hex, for ballots (empty otherwise).
struct EntryIndex {
  std::string kind;
  std::string run_id;
  std::string unit_id;
  std::string tracking_code;
};

// What the connection that writes reports (PRAGMA journal_mode, synchronous,
// foreign_keys): "wal", 2 (FULL), true for a writable store.
struct StorageSettings {
  std::string journal_mode;
  int64_t synchronous = 0;
  bool foreign_keys = false;
};

class BoardStore {
 public:
  using BatchItem = std::pair<v1::SignedEntry, EntryIndex>;
  // Per item of a batch: the stored entry, or why that item was refused.
  using AppendOutcome = Result<v1::BoardEntry>;

  // Opens or creates the board at `path` (a file; its directory must exist).
  // Sets journal_mode=WAL, synchronous=FULL, foreign_keys=ON, creates the
  // schema, and verifies the chain's tail (the last entry's hash and its link
  // to the one before, and that no seq is missing). `vfs` names a registered
  // SQLite VFS for both connections (tests: the power-cut VFS of
  // tests/board/power_cut_vfs.h); empty means SQLite's default.
  static Result<std::unique_ptr<BoardStore>> Open(const std::string& path,
                                                  const std::string& vfs = "");

  // Opens an existing board for reading only (export, inspection): never
  // creates or changes the file; may run beside a server that writes it.
  // Append* return FailedPrecondition. Verifies the tail as Open does.
  static Result<std::unique_ptr<BoardStore>> OpenReadOnly(const std::string& path);

  ~BoardStore();
  BoardStore(const BoardStore&) = delete;
  BoardStore& operator=(const BoardStore&) = delete;

  // Appends one entry in one transaction: seq = Length(), prev_hash = Head(),
  // hash computed; returns the stored entry after COMMIT.
  Result<v1::BoardEntry> Append(const v1::SignedEntry& signed_entry, const EntryIndex& index,
                                int64_t server_time_ms);

  // Group commit: appends many entries in one transaction with one fsync, all
  // stamped `server_time_ms`, in the given order. Items are checked one by one
  // inside the transaction; an item that is refused (see Errors) is skipped
  // and takes no seq, the others are committed. The result has one outcome
  // per item, in order. If the call as a whole fails, nothing was committed.
  Result<std::vector<AppendOutcome>> AppendBatch(std::vector<BatchItem> items,
                                                 int64_t server_time_ms);

  // Number of entries, and the hash of the last one (32 zero bytes when
  // empty). A writable store reads them from a cache updated at each commit;
  // a read-only store asks the file (falling back to the last answer).
  uint64_t Length() const;
  std::string Head() const;

  // Entries from_seq, from_seq+1, ... (at most `limit`; fewer at the end).
  Result<std::vector<v1::BoardEntry>> Read(uint64_t from_seq, uint32_t limit) const;
  Result<v1::BoardEntry> Get(uint64_t seq) const;
  // The entry whose chain hash is `hash` (32 raw bytes).
  Result<std::optional<v1::BoardEntry>> FindByHash(std::string_view hash) const;
  // The counted ballot of `unit_id` in run `run_id` (kind "ballot").
  Result<std::optional<v1::BoardEntry>> FindBallot(std::string_view run_id,
                                                   std::string_view unit_id) const;
  // The index columns stored with entry `seq`.
  Result<EntryIndex> GetIndex(uint64_t seq) const;

  // The whole board as an election record (format and trailer set). One
  // consistent snapshot, even while appends go on. Does not verify the chain.
  Result<v1::ElectionRecord> Export() const;

  // PRAGMA integrity_check, then every entry's hash and link recomputed from
  // entry 0. The message names the entry: "board ...: entry 17: hash does not
  // match its contents".
  Status CheckIntegrity() const;

  // The durability settings in force, asked of the writing connection (of
  // the reading one when read-only). For tests and the server's start-up log.
  Result<StorageSettings> Settings() const;

  const std::string& path() const { return path_; }

 private:
  BoardStore(std::string path, std::unique_ptr<SqliteDb> writer, std::unique_ptr<SqliteDb> reader);
  Status VerifyTail();
  void RefreshTailFromFile() const;

  const std::string path_;
  mutable std::mutex write_mu_;       // guards writer_
  std::unique_ptr<SqliteDb> writer_;  // null when read-only
  mutable std::mutex read_mu_;        // guards reader_
  std::unique_ptr<SqliteDb> reader_;
  mutable std::mutex tail_mu_;  // guards length_, head_
  mutable uint64_t length_ = 0;
  mutable std::string head_;
};

}  // namespace phieu::board

#endif  // PHIEU_CORE_BOARD_BOARD_STORE_H_

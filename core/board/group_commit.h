// GroupCommitter: many threads append, one transaction commits them.
//
// The server's worker threads each call Append(entry) and block until their
// entry is on disk. While one batch is being committed (its fsync is the slow
// part), the entries that arrive queue up; when it is done, the thread at the
// head of the queue commits all of them (up to max_batch) with one
// BoardStore::AppendBatch: one transaction, one fsync. This is leveldb's
// writer queue (DBImpl::Write) applied to the board. Each caller gets its own
// outcome: a refused item (a second ballot for a unit) fails alone.
//
// Each batch is stamped with one server time, read from `clock` just before
// the batch is committed; entries keep their queue (arrival) order.
//
// A second constructor takes the commit step itself (CommitFn) instead of a
// store and a clock: the server uses it to re-check each item against its
// in-memory view and to apply the committed entries to that view in chain
// order, under its own lock, before any caller is answered. A CommitFn gets
// the batch in queue order and returns one outcome per item (or an error for
// the whole batch, meaning nothing was committed).
//
// Thread-safety: Append may be called from any number of threads at once. The
// BoardStore must outlive the committer; other direct writes to the same store
// are allowed (the store serializes them) but do not join batches.
// Errors: those of BoardStore::AppendBatch, per item; a failure of the batch
// as a whole is returned to every caller in it (none of them was stored).
#ifndef PHIEU_CORE_BOARD_GROUP_COMMIT_H_
#define PHIEU_CORE_BOARD_GROUP_COMMIT_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "core/board/board_store.h"
#include "core/util/status.h"

namespace phieu::board {

class GroupCommitter {
 public:
  using Clock = std::function<int64_t()>;
  using CommitFn = std::function<Result<std::vector<BoardStore::AppendOutcome>>(
      std::vector<BoardStore::BatchItem>)>;

  GroupCommitter(BoardStore* store, Clock clock, size_t max_batch = 512);
  explicit GroupCommitter(CommitFn commit, size_t max_batch = 512);
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Blocks until the entry was committed (or refused); returns the stored entry.
  Result<v1::BoardEntry> Append(v1::SignedEntry signed_entry, EntryIndex index);

  // Entries queued or being committed now (for tests and metrics).
  size_t Pending() const;
  // Transactions committed so far (each one fsync).
  uint64_t BatchesCommitted() const;

 private:
  struct Waiter;

  const CommitFn commit_;
  const size_t max_batch_;
  mutable std::mutex mu_;
  std::deque<Waiter*> queue_;  // guarded by mu_; the front is the leader
  uint64_t batches_ = 0;       // guarded by mu_
};

}  // namespace phieu::board

#endif  // PHIEU_CORE_BOARD_GROUP_COMMIT_H_

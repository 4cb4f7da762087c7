#include "core/board/group_commit.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace phieu::board {

struct GroupCommitter::Waiter {
  BoardStore::BatchItem item;
  std::optional<Result<v1::BoardEntry>> outcome;  // set when done
  std::condition_variable cv;
};

GroupCommitter::GroupCommitter(BoardStore* store, Clock clock, size_t max_batch)
    : GroupCommitter(
          [store, clock = std::move(clock)](std::vector<BoardStore::BatchItem> items) {
            return store->AppendBatch(std::move(items), clock());
          },
          max_batch) {}

GroupCommitter::GroupCommitter(CommitFn commit, size_t max_batch)
    : commit_(std::move(commit)), max_batch_(max_batch == 0 ? 1 : max_batch) {}

Result<v1::BoardEntry> GroupCommitter::Append(v1::SignedEntry signed_entry, EntryIndex index) {
  Waiter self;
  self.item = BoardStore::BatchItem(std::move(signed_entry), std::move(index));
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&self);
  // Wait until a leader has committed us, or we are at the front and lead.
  self.cv.wait(lock, [&] { return self.outcome.has_value() || queue_.front() == &self; });
  if (self.outcome.has_value()) return std::move(*self.outcome);

  // Leader: take a batch from the front (ourselves first). The waiters stay in
  // the queue until they are answered, so newcomers line up behind them.
  std::vector<Waiter*> group;
  std::vector<BoardStore::BatchItem> items;
  for (Waiter* w : queue_) {
    if (group.size() == max_batch_) break;
    group.push_back(w);
    items.push_back(std::move(w->item));
  }
  lock.unlock();
  Result<std::vector<BoardStore::AppendOutcome>> outcomes = commit_(std::move(items));
  if (outcomes.ok() && outcomes->size() != group.size()) {
    outcomes = Internal("group commit: " + std::to_string(outcomes->size()) + " outcomes for " +
                        std::to_string(group.size()) + " entries");
  }
  lock.lock();

  if (outcomes.ok()) ++batches_;
  for (size_t i = 0; i < group.size(); ++i) {
    Waiter* w = group[i];
    if (outcomes.ok()) {
      w->outcome.emplace(std::move((*outcomes)[i]));
    } else {
      w->outcome.emplace(outcomes.status());
    }
    queue_.pop_front();  // group is a prefix of the queue, in order
    if (w != &self) w->cv.notify_one();
  }
  if (!queue_.empty()) queue_.front()->cv.notify_one();  // the next leader
  return std::move(*self.outcome);
}

size_t GroupCommitter::Pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

uint64_t GroupCommitter::BatchesCommitted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return batches_;
}

}  // namespace phieu::board

#include "core/board/group_commit.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/record/chain.h"

namespace phieu::board {
namespace {

namespace fs = std::filesystem;

v1::SignedEntry MakeSigned(const std::string& tag) {
  v1::SignedEntry s;
  s.set_body("body-" + tag);
  s.set_author("pin-" + tag);
  s.set_signature("sig-" + tag);
  return s;
}

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "phieu-group-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "board.sqlite").string();
    auto store = BoardStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<BoardStore> store_;
};

TEST_F(GroupCommitTest, WaitingEntriesShareOneCommit) {
  constexpr int kThreads = 6;
  std::atomic<int> clock_calls{0};
  GroupCommitter* committer_ptr = nullptr;
  // The first leader's clock waits until every thread has queued, so the
  // others must all go into the second batch.
  GroupCommitter committer(store_.get(), [&]() -> int64_t {
    if (clock_calls++ == 0) {
      while (committer_ptr->Pending() < kThreads) std::this_thread::yield();
    }
    return 1000 + clock_calls.load();
  });
  committer_ptr = &committer;
  std::vector<std::thread> threads;
  std::vector<Result<v1::BoardEntry>> results(kThreads, Status(StatusCode::kInternal, "unset"));
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string unit = "unit-" + std::to_string(t);
      results[t] = committer.Append(MakeSigned(unit), EntryIndex{"ballot", "run", unit, unit});
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LE(committer.BatchesCommitted(), 2u);
  EXPECT_GE(committer.BatchesCommitted(), 1u);
  EXPECT_EQ(committer.Pending(), 0u);
  EXPECT_EQ(store_->Length(), static_cast<uint64_t>(kThreads));
  EXPECT_TRUE(store_->CheckIntegrity().ok());
}

TEST_F(GroupCommitTest, EachCallerGetsItsOwnOutcome) {
  GroupCommitter committer(store_.get(), [] { return int64_t{7}; });
  constexpr int kThreads = 8;
  std::vector<Result<v1::BoardEntry>> results(kThreads, Status(StatusCode::kInternal, "unset"));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Threads 0 and 1 cast for the same unit: one of them must be refused.
      std::string unit = t < 2 ? "lao-cai" : "unit-" + std::to_string(t);
      results[t] = committer.Append(MakeSigned(std::to_string(t)),
                                    EntryIndex{"ballot", "run", unit, "code-" + std::to_string(t)});
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_NE(results[0].ok(), results[1].ok());
  const auto& refused = results[0].ok() ? results[1] : results[0];
  EXPECT_EQ(refused.status().code(), StatusCode::kAlreadyExists);
  for (int t = 2; t < kThreads; ++t) {
    ASSERT_TRUE(results[t].ok()) << results[t].status().ToString();
    EXPECT_EQ(results[t]->signed_().body(), "body-" + std::to_string(t));
    EXPECT_EQ(results[t]->server_time_ms(), 7);
  }
  EXPECT_EQ(store_->Length(), static_cast<uint64_t>(kThreads - 1));
  EXPECT_TRUE(store_->CheckIntegrity().ok());
}

TEST_F(GroupCommitTest, ManyThreads) {
  GroupCommitter committer(
      store_.get(), [] { return int64_t{1}; }, /*max_batch=*/8);
  constexpr int kThreads = 8;
  constexpr int kEach = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string tag = std::to_string(t) + "-" + std::to_string(i);
        auto r = committer.Append(MakeSigned(tag), EntryIndex{"check_in", "", tag, ""});
        if (!r.ok() || r->signed_().body() != "body-" + tag) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->Length(), static_cast<uint64_t>(kThreads * kEach));
  EXPECT_LE(committer.BatchesCommitted(), static_cast<uint64_t>(kThreads * kEach));
  // max_batch bounds a batch: at least total / 8 commits.
  EXPECT_GE(committer.BatchesCommitted(), static_cast<uint64_t>(kThreads * kEach / 8));
  EXPECT_TRUE(store_->CheckIntegrity().ok());
  std::cout << "group commit: " << kThreads * kEach << " entries in "
            << committer.BatchesCommitted() << " transactions\n";
}

TEST_F(GroupCommitTest, WholeBatchFailureReachesEveryCaller) {
  auto ro = BoardStore::OpenReadOnly(path_);
  ASSERT_TRUE(ro.ok());
  GroupCommitter committer(ro->get(), [] { return int64_t{1}; });
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto r = committer.Append(MakeSigned(std::to_string(t)), EntryIndex{"check_in", "", "", ""});
      if (r.status().code() == StatusCode::kFailedPrecondition) ++refused;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(refused.load(), 4);
  EXPECT_EQ(committer.BatchesCommitted(), 0u);
  EXPECT_EQ(store_->Length(), 0u);
}

}  // namespace
}  // namespace phieu::board

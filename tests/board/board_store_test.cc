#include "core/board/board_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/record/chain.h"

namespace phieu::board {
namespace {

namespace fs = std::filesystem;

v1::SignedEntry MakeSigned(const std::string& tag) {
  v1::EntryBody body;
  body.set_meeting_id("cum4-2024");
  body.mutable_check_in()->set_unit_id(tag);
  v1::SignedEntry s;
  s.set_body(body.SerializeAsString());
  s.set_author("pin-" + tag);
  s.set_signature("sig-" + tag);
  return s;
}

EntryIndex Ballot(const std::string& run, const std::string& unit, const std::string& code) {
  return EntryIndex{"ballot", run, unit, code};
}
EntryIndex CheckIn(const std::string& unit) { return EntryIndex{"check_in", "", unit, ""}; }

// A raw SQLite connection, for tampering with the file as an attacker or a
// failing disk would.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  int Exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(s, 0);
      if (t != nullptr) out = reinterpret_cast<const char*>(t);
    }
    sqlite3_finalize(s);
    return out;
  }
  const char* Error() { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_ = nullptr;
};

class BoardStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "phieu-board-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "board.sqlite").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<BoardStore> OpenOrDie() {
    auto store = BoardStore::Open(path_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store.value()) : nullptr;
  }

  // Appends n check-ins u0..u{n-1}, one transaction each.
  void Fill(BoardStore& store, int n) {
    for (int i = 0; i < n; ++i) {
      auto e = store.Append(MakeSigned("u" + std::to_string(i)), CheckIn("u" + std::to_string(i)),
                            1000 + i);
      ASSERT_TRUE(e.ok()) << e.status().ToString();
    }
  }

  // A board of `entries` check-ins, closed, then changed behind the store's
  // back by `sql`.
  void FillThenTamper(int entries, const std::string& sql) {
    {
      auto store = OpenOrDie();
      ASSERT_NE(store, nullptr);
      Fill(*store, entries);
    }
    RawDb raw(path_);
    ASSERT_EQ(raw.Exec(sql), SQLITE_OK);
  }

  // Open refuses the board with DataLoss, naming `words`; returns the message.
  std::string ExpectOpenDataLoss(const std::string& words) {
    auto opened = BoardStore::Open(path_);
    EXPECT_FALSE(opened.ok());
    if (opened.ok()) return "";
    EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(opened.status().message().find(words), std::string::npos) << opened.status().message();
    return opened.status().message();
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(BoardStoreTest, WalAndSynchronousFull) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  Result<StorageSettings> s = store->Settings();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->journal_mode, "wal");
  EXPECT_EQ(s->synchronous, 2);  // FULL
  EXPECT_TRUE(s->foreign_keys);
  // WAL is a property of the file: any other connection sees it too.
  RawDb raw(path_);
  EXPECT_EQ(raw.Text("PRAGMA journal_mode"), "wal");
}

TEST_F(BoardStoreTest, EmptyBoard) {
  auto store = OpenOrDie();
  EXPECT_EQ(store->Length(), 0u);
  EXPECT_EQ(store->Head(), std::string(32, '\0'));
  auto all = store->Read(0, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  EXPECT_EQ(store->Get(0).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store->CheckIntegrity().ok());
  auto rec = store->Export();
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->entries_size(), 0);
  EXPECT_EQ(rec->head(), std::string(32, '\0'));
}

TEST_F(BoardStoreTest, AppendReadRoundTripAndChain) {
  auto store = OpenOrDie();
  std::vector<v1::BoardEntry> appended;
  for (int i = 0; i < 5; ++i) {
    v1::SignedEntry s = MakeSigned("u" + std::to_string(i));
    auto e = store->Append(s, CheckIn("u" + std::to_string(i)), 5000 + i);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    EXPECT_EQ(e->seq(), static_cast<uint64_t>(i));
    EXPECT_EQ(e->signed_().SerializeAsString(), s.SerializeAsString());
    EXPECT_EQ(e->server_time_ms(), 5000 + i);
    EXPECT_EQ(e->prev_hash(), i == 0 ? record::ZeroHash() : appended.back().hash());
    EXPECT_EQ(e->hash(), record::ChainHash(i, e->prev_hash(), 5000 + i, s));
    EXPECT_EQ(store->Length(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ(store->Head(), e->hash());
    appended.push_back(*e);
  }
  auto all = store->Read(0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ((*all)[i].SerializeAsString(), appended[i].SerializeAsString());
  }
  EXPECT_TRUE(record::VerifyChain(*all).ok());

  auto page = store->Read(2, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].seq(), 2u);
  EXPECT_EQ((*page)[1].seq(), 3u);
  EXPECT_TRUE(store->Read(5, 10)->empty());
  EXPECT_TRUE(store->Read(0, 0)->empty());

  auto got = store->Get(3);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->hash(), appended[3].hash());
  EXPECT_EQ(store->Get(5).status().code(), StatusCode::kNotFound);

  auto by_hash = store->FindByHash(appended[4].hash());
  ASSERT_TRUE(by_hash.ok());
  ASSERT_TRUE(by_hash->has_value());
  EXPECT_EQ((*by_hash)->seq(), 4u);
  EXPECT_FALSE(store->FindByHash(std::string(32, '\x7f'))->has_value());
  EXPECT_EQ(store->FindByHash("short").status().code(), StatusCode::kInvalidArgument);

  auto index = store->GetIndex(2);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->kind, "check_in");
  EXPECT_EQ(index->unit_id, "u2");

  auto rec = store->Export();
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->format(), "phieu.v1.record");
  EXPECT_EQ(rec->entries_size(), 5);
  EXPECT_EQ(rec->entry_count(), 5u);
  EXPECT_EQ(rec->head(), appended[4].hash());
  EXPECT_TRUE(record::VerifyChain(rec->entries()).ok());
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

TEST_F(BoardStoreTest, EmptyFieldsAreStoredExactly) {
  auto store = OpenOrDie();
  v1::SignedEntry s;  // empty body, author and signature are still a valid row
  auto e = store->Append(s, CheckIn(""), -7);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  auto got = store->Get(0);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->SerializeAsString(), e->SerializeAsString());
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

TEST_F(BoardStoreTest, ReopenKeepsEverything) {
  std::string head;
  std::string exported;
  {
    auto store = OpenOrDie();
    Fill(*store, 4);
    ASSERT_TRUE(store->Append(MakeSigned("b"), Ballot("run1", "lao-cai", "abcd"), 9).ok());
    head = store->Head();
    exported = store->Export()->SerializeAsString();
  }
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Length(), 5u);
  EXPECT_EQ(store->Head(), head);
  EXPECT_EQ(store->Export()->SerializeAsString(), exported);
  auto ballot = store->FindBallot("run1", "lao-cai");
  ASSERT_TRUE(ballot.ok());
  ASSERT_TRUE(ballot->has_value());
  EXPECT_EQ((*ballot)->seq(), 4u);
  // The chain goes on from where it stopped.
  auto e = store->Append(MakeSigned("next"), CheckIn("x"), 10);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->seq(), 5u);
  EXPECT_EQ(e->prev_hash(), head);
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

TEST_F(BoardStoreTest, SecondBallotForUnitAndRunRefused) {
  auto store = OpenOrDie();
  Fill(*store, 2);
  auto first = store->Append(MakeSigned("b1"), Ballot("run1", "lao-cai", "code-1"), 100);
  ASSERT_TRUE(first.ok());
  const std::string head = store->Head();

  auto second = store->Append(MakeSigned("b2"), Ballot("run1", "lao-cai", "code-2"), 101);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(second.status().message().find("code-1"), std::string::npos)
      << second.status().message();
  EXPECT_NE(second.status().message().find("entry 2"), std::string::npos);
  // Nothing else was lost or added.
  EXPECT_EQ(store->Length(), 3u);
  EXPECT_EQ(store->Head(), head);
  auto stored = store->FindBallot("run1", "lao-cai");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->signed_().body(), MakeSigned("b1").body());

  // Same unit in another run, another unit in the same run, and non-ballot
  // entries with the same (run, unit) are all fine.
  EXPECT_TRUE(store->Append(MakeSigned("b3"), Ballot("run2", "lao-cai", "c3"), 102).ok());
  EXPECT_TRUE(store->Append(MakeSigned("b4"), Ballot("run1", "son-la", "c4"), 103).ok());
  EXPECT_TRUE(
      store->Append(MakeSigned("s"), EntryIndex{"spoiled", "run1", "lao-cai", ""}, 104).ok());
  EXPECT_EQ(store->Length(), 6u);
  EXPECT_TRUE(store->CheckIntegrity().ok());
  EXPECT_FALSE(store->FindBallot("run3", "lao-cai")->has_value());
}

TEST_F(BoardStoreTest, DatabaseItselfEnforcesOneBallot) {
  auto store = OpenOrDie();
  ASSERT_TRUE(store->Append(MakeSigned("b1"), Ballot("run1", "lao-cai", "c1"), 1).ok());
  RawDb raw(path_);
  const std::string zeros = "x'" + std::string(64, '0') + "'";
  int rc = raw.Exec("INSERT INTO entries VALUES (1, " + zeros + ", 2, x'00', 'a', x'00', " + zeros +
                    ", 'ballot', 'run1', 'lao-cai', 'c2')");
  EXPECT_EQ(rc & 0xff, SQLITE_CONSTRAINT) << raw.Error();
}

TEST_F(BoardStoreTest, BatchWithDuplicatesCommitsTheRest) {
  auto store = OpenOrDie();
  ASSERT_TRUE(store->Append(MakeSigned("b0"), Ballot("run1", "cao-bang", "c0"), 1).ok());
  std::vector<BoardStore::BatchItem> items;
  items.emplace_back(MakeSigned("b1"), Ballot("run1", "lao-cai", "c1"));
  items.emplace_back(MakeSigned("b2"), Ballot("run1", "cao-bang", "c2"));  // on the board
  items.emplace_back(MakeSigned("b3"), Ballot("run1", "son-la", "c3"));
  items.emplace_back(MakeSigned("b4"), Ballot("run1", "lao-cai", "c4"));         // earlier in batch
  items.emplace_back(MakeSigned("b5"), EntryIndex{"ballot", "run1", "", "c5"});  // no unit
  items.emplace_back(MakeSigned("b6"), EntryIndex{"", "", "", ""});              // no kind
  items.emplace_back(MakeSigned("ci"), CheckIn("ha-giang"));
  auto out = store->AppendBatch(std::move(items), 50);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), 7u);
  EXPECT_TRUE((*out)[0].ok());
  EXPECT_EQ((*out)[1].status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE((*out)[1].status().message().find("c0"), std::string::npos);
  EXPECT_TRUE((*out)[2].ok());
  EXPECT_EQ((*out)[3].status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE((*out)[3].status().message().find("c1"), std::string::npos);
  EXPECT_EQ((*out)[4].status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*out)[5].status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE((*out)[6].ok());
  // Accepted items took consecutive positions, in order, one timestamp.
  EXPECT_EQ((*out)[0]->seq(), 1u);
  EXPECT_EQ((*out)[2]->seq(), 2u);
  EXPECT_EQ((*out)[6]->seq(), 3u);
  EXPECT_EQ((*out)[2]->prev_hash(), (*out)[0]->hash());
  EXPECT_EQ((*out)[6]->server_time_ms(), 50);
  EXPECT_EQ(store->Length(), 4u);
  EXPECT_EQ(store->Head(), (*out)[6]->hash());
  EXPECT_TRUE(store->CheckIntegrity().ok());
  auto all = store->Read(0, 10);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[2].SerializeAsString(), (*out)[2]->SerializeAsString());
}

TEST_F(BoardStoreTest, BatchWithNothingAcceptableStoresNothing) {
  auto store = OpenOrDie();
  ASSERT_TRUE(store->Append(MakeSigned("b0"), Ballot("r", "u", "c0"), 1).ok());
  std::vector<BoardStore::BatchItem> items;
  items.emplace_back(MakeSigned("b1"), Ballot("r", "u", "c1"));
  auto out = store->AppendBatch(std::move(items), 2);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE((*out)[0].ok());
  EXPECT_EQ(store->Length(), 1u);
  auto empty = store->AppendBatch({}, 3);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(BoardStoreTest, CorruptedBodyNamedByCheckIntegrity) {
  FillThenTamper(6, "UPDATE entries SET body = x'0102' WHERE seq = 3");
  auto store = OpenOrDie();  // the tail (entry 5) is intact, so Open succeeds
  ASSERT_NE(store, nullptr);
  Status st = store->CheckIntegrity();
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("entry 3: hash does not match its contents"), std::string::npos)
      << st.message();
}

TEST_F(BoardStoreTest, DeletedRowNamedByCheckIntegrityAndOpen) {
  FillThenTamper(6, "DELETE FROM entries WHERE seq = 2");
  ExpectOpenDataLoss("entries are missing");
}

TEST_F(BoardStoreTest, BrokenTailReportedAtOpen) {
  FillThenTamper(4, "UPDATE entries SET server_time_ms = 1 WHERE seq = 3");
  const std::string message = ExpectOpenDataLoss("entry 3: hash does not match its contents");
  EXPECT_NE(message.find(path_), std::string::npos) << message;
}

TEST_F(BoardStoreTest, AppendRefusesWhenTheFileChangedUnderneath) {
  auto store = OpenOrDie();
  Fill(*store, 3);
  {
    RawDb raw(path_);
    ASSERT_EQ(raw.Exec("UPDATE entries SET body = x'00' WHERE seq = 2"), SQLITE_OK);
  }
  auto e = store->Append(MakeSigned("x"), CheckIn("x"), 1);
  EXPECT_EQ(e.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(store->Length(), 3u);
}

TEST_F(BoardStoreTest, NotABoard) {
  {
    std::ofstream out(path_);
    out << "this is not a database, and it is long enough to have a header............\n";
  }
  auto opened = BoardStore::Open(path_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss) << opened.status().ToString();

  const std::string other = (dir_ / "other.sqlite").string();
  {
    RawDb raw(other);
    ASSERT_EQ(raw.Exec("PRAGMA application_id=1234; CREATE TABLE t(x)"), SQLITE_OK);
  }
  auto foreign = BoardStore::Open(other);
  EXPECT_EQ(foreign.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(BoardStore::OpenReadOnly(other).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(BoardStoreTest, ReadOnlyStore) {
  EXPECT_EQ(BoardStore::OpenReadOnly(path_).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(path_));  // and it did not create one

  auto writer = OpenOrDie();
  Fill(*writer, 2);
  auto ro = BoardStore::OpenReadOnly(path_);
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  BoardStore& reader = **ro;
  EXPECT_EQ(reader.Length(), 2u);
  auto e = reader.Append(MakeSigned("x"), CheckIn("x"), 1);
  EXPECT_EQ(e.status().code(), StatusCode::kFailedPrecondition);
  // It follows a server that keeps writing.
  Fill(*writer, 1);
  EXPECT_EQ(reader.Length(), 3u);
  EXPECT_EQ(reader.Head(), writer->Head());
  EXPECT_EQ(reader.Export()->entries_size(), 3);
  EXPECT_TRUE(reader.CheckIntegrity().ok());
  EXPECT_EQ(reader.Settings()->journal_mode, "wal");
}

TEST_F(BoardStoreTest, ReadOnlyOpenBesideABusyWriter) {
  auto writer = OpenOrDie();
  Fill(*writer, 1);
  std::atomic<bool> done{false};
  std::thread appender([&] {
    for (int i = 0; !done && i < 2000; ++i) {
      std::vector<BoardStore::BatchItem> items;
      items.emplace_back(MakeSigned("w" + std::to_string(i)), CheckIn("w"));
      if (!writer->AppendBatch(std::move(items), i).ok()) break;
    }
  });
  // Each open counts rows and reads the tail: one snapshot, or an append
  // between the two would look like a missing entry.
  for (int i = 0; i < 30; ++i) {
    auto ro = BoardStore::OpenReadOnly(path_);
    ASSERT_TRUE(ro.ok()) << ro.status().ToString();
    auto rec = (*ro)->Export();
    ASSERT_TRUE(rec.ok());
    EXPECT_TRUE(record::VerifyChain(rec->entries()).ok());
  }
  done = true;
  appender.join();
}

TEST_F(BoardStoreTest, ConcurrentAppendsAndReads) {
  auto store = OpenOrDie();
  constexpr int kThreads = 4;
  constexpr int kBatches = 5;
  constexpr int kPerBatch = 5;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<BoardStore::BatchItem> items;
        for (int i = 0; i < kPerBatch; ++i) {
          std::string unit =
              "t" + std::to_string(t) + "b" + std::to_string(b) + "i" + std::to_string(i);
          items.emplace_back(MakeSigned(unit), Ballot("run", unit, unit));
        }
        auto out = store->AppendBatch(std::move(items), b);
        if (!out.ok()) {
          ++failures;
          continue;
        }
        for (const auto& o : *out) failures += o.ok() ? 0 : 1;
      }
    });
  }
  std::thread reader([&] {
    while (!done) {
      uint64_t n = store->Length();
      auto page = store->Read(0, 1000);
      if (!page.ok() || page->size() < n || !record::VerifyChain(*page).ok()) ++failures;
    }
  });
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store->Length(), static_cast<uint64_t>(kThreads * kBatches * kPerBatch));
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

}  // namespace
}  // namespace phieu::board

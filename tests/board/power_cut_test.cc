// Power cuts under the ballot box store, through the test VFS of
// power_cut_vfs.h: the power goes at a random write or sync (during an
// append, a commit, or the checkpoint of a clean close), the disk keeps only
// what was synced (and, in some rounds, a random part of the rest), and the
// board is reopened with SQLite's normal VFS and checked: PRAGMA
// integrity_check, the hash chain from entry 0, every entry whose append
// returned present at its seq with its hash, at most one ballot per unit per
// run; and a ballot whose append was cut off is either on the board with its
// own body or can be appended again.
//
// The seed is printed; PHIEU_POWER_CUT_SEED=N replays a run, and
// PHIEU_POWER_CUT_ROUNDS=N changes the number of rounds.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "core/board/board_store.h"
#include "tests/board/power_cut_vfs.h"

namespace phieu::board {
namespace {

namespace fs = std::filesystem;
using testing::PowerCutVfs;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

class PowerCutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "phieu-power-cut-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "board.sqlite").string();
    PowerCutVfs::Get().Forget();
  }
  void TearDown() override {
    PowerCutVfs::Get().Forget();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  std::string path_;
};

// One ballot the test tried to append, and what it was told.
struct Cast {
  v1::SignedEntry entry;
  EntryIndex index;
  std::optional<v1::BoardEntry> stored;  // set when the append returned it
};

Cast MakeCast(int round, int unit, std::mt19937_64& rng) {
  Cast c;
  const std::string run = "run-" + std::to_string(round);
  const std::string u = "unit-" + std::to_string(unit);
  // The store never decodes bodies: any bytes do. Some bulk, so that entries
  // span pages and the WAL grows.
  std::string body = run + "/" + u + "/";
  body.resize(body.size() + 200 + rng() % 3000);
  for (size_t i = run.size() + u.size() + 2; i < body.size(); ++i) body[i] = static_cast<char>(rng());
  c.entry.set_body(body);
  c.entry.set_author("pin-" + u);
  c.entry.set_signature("sig-" + run + "-" + u);
  c.index = EntryIndex{std::string(kBallotKind), run, u, "code-" + run + "-" + u};
  return c;
}

// Appends casts[from..from+n) in one batch; records what came back. False
// when the call failed as a whole (the power went).
bool AppendBatch(BoardStore& store, std::vector<Cast>& casts, size_t from, size_t n) {
  std::vector<BoardStore::BatchItem> items;
  for (size_t i = from; i < from + n; ++i) items.emplace_back(casts[i].entry, casts[i].index);
  auto out = store.AppendBatch(std::move(items), 1700000000000 + static_cast<int64_t>(from));
  if (!out.ok()) return false;
  for (size_t i = 0; i < n; ++i) {
    EXPECT_TRUE((*out)[i].ok()) << (*out)[i].status().ToString();
    if ((*out)[i].ok()) casts[from + i].stored = (*out)[i].value();
  }
  return true;
}

// The invariants after a power cut, on a board opened with the normal VFS.
void CheckBoard(BoardStore& store, const std::vector<Cast>& casts, uint64_t receipted_before,
                const std::string& replay) {
  Status integrity = store.CheckIntegrity();
  ASSERT_TRUE(integrity.ok()) << integrity.ToString() << replay;
  uint64_t receipted = 0;
  for (const Cast& c : casts) {
    if (!c.stored) continue;
    ++receipted;
    auto got = store.Get(c.stored->seq());
    ASSERT_TRUE(got.ok()) << "receipted entry " << c.stored->seq() << " lost: "
                          << got.status().ToString() << replay;
    EXPECT_EQ(got->hash(), c.stored->hash()) << "entry " << c.stored->seq() << replay;
    EXPECT_EQ(got->signed_().body(), c.entry.body()) << "entry " << c.stored->seq() << replay;
  }
  EXPECT_GE(store.Length(), receipted_before + receipted) << replay;
  // One ballot per (run, unit), and every ballot on the board is one we sent.
  std::map<std::string, const Cast*> sent;
  for (const Cast& c : casts) sent[c.index.run_id + "/" + c.index.unit_id] = &c;
  std::set<std::string> seen;
  auto record = store.Export();
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  for (const v1::BoardEntry& e : record->entries()) {
    auto index = store.GetIndex(e.seq());
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    if (index->kind != kBallotKind) continue;
    const std::string key = index->run_id + "/" + index->unit_id;
    EXPECT_TRUE(seen.insert(key).second) << key << " counted twice" << replay;
    auto it = sent.find(key);
    if (it == sent.end()) continue;  // an earlier round's ballot
    EXPECT_EQ(e.signed_().body(), it->second->entry.body()) << key << replay;
  }
}

TEST_F(PowerCutTest, AppendsSurviveAPowerCutAtARandomWriteOrSync) {
  const uint64_t seed = EnvOr("PHIEU_POWER_CUT_SEED", std::random_device{}());
  const uint64_t rounds = EnvOr("PHIEU_POWER_CUT_ROUNDS", 40);
  const std::string replay = "\n(replay: PHIEU_POWER_CUT_SEED=" + std::to_string(seed) + ")";
  std::cout << "power cut: seed " << seed << ", " << rounds << " rounds" << std::endl;
  std::mt19937_64 rng(seed);
  PowerCutVfs& vfs = PowerCutVfs::Get();
  uint64_t cuts_in_flight = 0, lost_in_flight = 0, landed_in_flight = 0;

  for (uint64_t round = 0; round < rounds; ++round) {
    uint64_t before = 0;
    {
      auto s = BoardStore::Open(path_);
      ASSERT_TRUE(s.ok()) << s.status().ToString() << replay;
      before = (*s)->Length();
    }
    std::vector<Cast> casts;
    const int units = 8 + static_cast<int>(rng() % 24);
    for (int u = 0; u < units; ++u) casts.push_back(MakeCast(static_cast<int>(round), u, rng));
    // Each append costs a few writes and one sync; the cut falls anywhere
    // from the open to past the end (then the power goes while idle).
    vfs.Arm(1 + rng() % (static_cast<uint64_t>(units) * 4 + 8));
    // keep: 0 = the disk holds nothing unsynced; 1 = everything written
    // reached it (what SIGKILL leaves); 0.5 = any part of it.
    const double keeps[] = {0.0, 0.0, 0.5, 1.0};
    const double keep = keeps[rng() % 4];

    size_t next = 0;
    std::vector<size_t> in_flight;  // casts whose append failed when the power went
    {
      std::unique_ptr<BoardStore> store;
      auto opened = BoardStore::Open(path_, PowerCutVfs::kName);
      if (opened.ok()) store = std::move(*opened);
      while (store != nullptr && next < casts.size() && !vfs.dead()) {
        size_t n = std::min<size_t>(1 + rng() % 4, casts.size() - next);
        if (!AppendBatch(*store, casts, next, n)) {
          for (size_t i = next; i < next + n; ++i) in_flight.push_back(i);
          break;
        }
        next += n;
        if (rng() % 8 == 0) {
          // A clean close checkpoints the WAL into the database file: the
          // power may go in the middle of that too.
          store.reset();
          if (vfs.dead()) break;
          auto again = BoardStore::Open(path_, PowerCutVfs::kName);
          if (!again.ok()) break;
          store = std::move(*again);
        }
      }
      // The store closes here: if the power is still on, cleanly.
    }
    if (!in_flight.empty()) ++cuts_in_flight;
    Status cut = vfs.PowerCut(keep, rng);
    ASSERT_TRUE(cut.ok()) << cut.ToString();

    auto reopened = BoardStore::Open(path_);
    ASSERT_TRUE(reopened.ok()) << "round " << round << " (keep " << keep
                               << "): " << reopened.status().ToString() << replay;
    BoardStore& store = **reopened;
    CheckBoard(store, casts, before, replay);
    if (::testing::Test::HasFailure()) return;

    // The caster whose append was cut off learns for sure: its ballot is on
    // the board with its own body, or absent and can be cast again.
    for (size_t i : in_flight) {
      Cast& c = casts[i];
      auto found = store.FindBallot(c.index.run_id, c.index.unit_id);
      ASSERT_TRUE(found.ok()) << found.status().ToString();
      if (found->has_value()) {
        ++landed_in_flight;
        EXPECT_EQ((*found)->signed_().body(), c.entry.body()) << replay;
      } else {
        ++lost_in_flight;
        auto again = store.Append(c.entry, c.index, 1);
        ASSERT_TRUE(again.ok()) << again.status().ToString() << replay;
      }
    }
  }
  std::cout << "power cut: " << vfs.writes() << " writes, " << vfs.syncs() << " syncs; "
            << cuts_in_flight << " cuts during an append (" << landed_in_flight
            << " ballots in flight landed, " << lost_in_flight << " did not and were cast again)"
            << std::endl;
}

// The VFS really drops what was not synced: without fsync at commit
// (synchronous=OFF), committed rows are gone after the cut. This is what the
// board's synchronous=FULL prevents, and shows the test above can fail.
TEST_F(PowerCutTest, WithoutSyncCommittedRowsAreLost) {
  PowerCutVfs& vfs = PowerCutVfs::Get();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            PowerCutVfs::kName),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                         "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "PRAGMA synchronous=OFF; INSERT INTO t VALUES (2);"
                         "INSERT INTO t VALUES (3);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  vfs.Arm(1);  // the close's checkpoint is the first write: the power goes there
  sqlite3_close(db);
  ASSERT_TRUE(vfs.dead());
  std::mt19937_64 rng(1);
  ASSERT_TRUE(vfs.PowerCut(0.0, rng).ok());

  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), 1) << "the unsynced commits should be gone";
  sqlite3_finalize(s);
  sqlite3_close(db);
}

// The same with the store: what Append returned survives even with nothing
// unsynced kept, because every commit is synced.
TEST_F(PowerCutTest, AStoreCommitIsSyncedBeforeAppendReturns) {
  PowerCutVfs& vfs = PowerCutVfs::Get();
  std::mt19937_64 rng(2);
  std::vector<Cast> casts;
  for (int u = 0; u < 3; ++u) casts.push_back(MakeCast(0, u, rng));
  {
    auto store = BoardStore::Open(path_, PowerCutVfs::kName);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (size_t i = 0; i < casts.size(); ++i) ASSERT_TRUE(AppendBatch(**store, casts, i, 1));
    vfs.Arm(1);  // the next write: the checkpoint at close
  }
  ASSERT_TRUE(vfs.dead());
  ASSERT_TRUE(vfs.PowerCut(0.0, rng).ok());
  auto store = BoardStore::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Length(), 3u);
  CheckBoard(**store, casts, 0, "");
}

}  // namespace
}  // namespace phieu::board

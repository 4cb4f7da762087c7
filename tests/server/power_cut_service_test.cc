// Power cuts under MeetingService in-process (the meeting: tests/server/
// meeting_harness.h; the cut: tests/board/power_cut_vfs.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/board/board_store.h"
#include "core/crypto/ballot_crypto.h"
#include "core/util/bytes.h"
#include "server/meeting_service.h"
#include "tests/board/power_cut_vfs.h"
#include "tests/server/meeting_harness.h"

namespace phieu::server {
namespace {

class MeetingServicePowerCutTest : public MeetingHarness {};

// The power goes at a random write or sync of the board while the delegates
// cast one after another; the disk keeps only what was synced (or a random
// part of the rest). After a restart with the normal VFS: integrity_check
// and the chain hold, every ballot that got a receipt is counted under that
// same receipt, the ballot whose cast was cut off is either counted (MyBallot
// says so, with its tracking code) or is cast again, and in the end each
// unit has exactly one ballot. PHIEU_POWER_CUT_SEED=N replays a run.
TEST_F(MeetingServicePowerCutTest, EveryReceiptedBallotSurvivesACutDuringCasts) {
  const std::string run_id = OpenRun();
  ASSERT_FALSE(run_id.empty());
  // Every unit's ballot, signed by its delegate, made once.
  std::vector<std::pair<std::string, v1::SignedEntry>> casts;  // (unit, entry)
  std::map<std::string, std::string> caster;                    // unit -> participant
  for (const auto& p : view_.meeting().participants()) {
    if (p.unit_id().empty()) continue;
    caster[p.unit_id()] = p.id();
    const std::string choice = p.unit_id() == "son-la" ? "cao-bang" : "son-la";
    casts.emplace_back(p.unit_id(), SignAs(p.id(), Ballot(run_id, p.unit_id(), choice)));
  }
  ASSERT_GE(casts.size(), 5u);
  svc_.reset();
  const std::string snapshot = NewTempDir("snapshot");
  std::filesystem::copy(data_dir_, snapshot, std::filesystem::copy_options::recursive |
                                                 std::filesystem::copy_options::overwrite_existing);

  const char* env = std::getenv("PHIEU_POWER_CUT_SEED");
  const uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : std::random_device{}();
  const std::string replay = "\n(replay: PHIEU_POWER_CUT_SEED=" + std::to_string(seed) + ")";
  std::cout << "power cut under MeetingService: seed " << seed << std::endl;
  std::mt19937_64 rng(seed);
  testing::PowerCutVfs& vfs = testing::PowerCutVfs::Get();
  int cut_in_flight = 0;
  size_t receipted = 0;

  for (int round = 0; round < 8; ++round) {
    std::filesystem::remove_all(data_dir_);
    std::filesystem::copy(snapshot, data_dir_, std::filesystem::copy_options::recursive);
    vfs.Forget();
    MeetingServiceOptions cut_options = ServiceOptions();
    cut_options.board_vfs = testing::PowerCutVfs::kName;
    ASSERT_TRUE(OpenService(nullptr, cut_options)) << replay;
    std::shuffle(casts.begin(), casts.end(), rng);
    vfs.Arm(1 + rng() % 48);  // a cast is a few writes and one sync
    std::map<std::string, std::string> receipts;  // unit -> receipt bytes
    std::optional<size_t> in_flight;
    for (size_t i = 0; i < casts.size() && !vfs.dead(); ++i) {
      v1::Envelope req;
      *req.mutable_post()->mutable_entry() = casts[i].second;
      v1::Envelope resp = svc_->Handle(Who(caster[casts[i].first]), req);
      if (resp.has_posted()) {
        receipts[casts[i].first] = resp.posted().receipt().receipt();
        continue;
      }
      // Only the power may stop a cast here, and then no receipt was given.
      ASSERT_TRUE(vfs.dead()) << resp.DebugString() << replay;
      EXPECT_EQ(resp.error().code(), v1::ERROR_UNAVAILABLE) << resp.DebugString();
      in_flight = i;
    }
    receipted += receipts.size();
    svc_.reset();
    const double keep = (rng() % 3) * 0.5;
    ASSERT_TRUE(vfs.PowerCut(keep, rng).ok());

    ASSERT_TRUE(OpenService(nullptr)) << "round " << round << replay;
    {
      auto store = board::BoardStore::OpenReadOnly(data_dir_ + "/board.sqlite");
      ASSERT_TRUE(store.ok()) << store.status().ToString() << replay;
      Status integrity = (*store)->CheckIntegrity();
      ASSERT_TRUE(integrity.ok()) << integrity.ToString() << replay;
    }
    auto my_ballot = [&](const std::string& unit) {
      v1::Envelope req;
      req.mutable_my_ballot()->set_run_id(run_id);
      req.mutable_my_ballot()->set_unit_id(unit);
      return svc_->Handle(Who(caster[unit]), req);
    };
    for (const auto& [unit, receipt] : receipts) {
      v1::Envelope mine = my_ballot(unit);
      ASSERT_TRUE(mine.has_my_ballot_answer()) << mine.DebugString();
      ASSERT_TRUE(mine.my_ballot_answer().counted()) << unit << ": receipted ballot lost" << replay;
      EXPECT_EQ(mine.my_ballot_answer().receipt().receipt(), receipt) << unit << replay;
    }
    if (in_flight) {
      ++cut_in_flight;
      const auto& [unit, entry] = casts[*in_flight];
      v1::Envelope mine = my_ballot(unit);
      ASSERT_TRUE(mine.has_my_ballot_answer()) << mine.DebugString();
      if (mine.my_ballot_answer().counted()) {
        v1::Receipt r;
        ASSERT_TRUE(r.ParseFromString(mine.my_ballot_answer().receipt().receipt()));
        v1::EntryBody body;
        ASSERT_TRUE(body.ParseFromString(entry.body()));
        EXPECT_EQ(r.tracking_code(), Hex(crypto::TrackingCode(body.ballot()))) << replay;
      }
    }
    // Everyone (re)sends: a counted ballot gets its original receipt, the
    // others are counted now; nothing is refused and nothing counted twice.
    for (const auto& [unit, entry] : casts) {
      v1::Envelope resp = PostSigned(Who(caster[unit]), entry);
      ASSERT_TRUE(resp.has_posted()) << unit << ": " << resp.DebugString() << replay;
      if (receipts.count(unit)) {
        EXPECT_EQ(resp.posted().receipt().receipt(), receipts[unit]);
      }
    }
    const record::Run* run = view_.FindRun(run_id);
    ASSERT_NE(run, nullptr);
    EXPECT_EQ(run->ballots.size(), casts.size()) << replay;
    auto record = svc_->Export();
    ASSERT_TRUE(record.ok());
    size_t ballots = 0;
    for (const auto& e : record->entries()) {
      v1::EntryBody body;
      ASSERT_TRUE(body.ParseFromString(e.signed_().body()));
      ballots += body.has_ballot() ? 1 : 0;
    }
    EXPECT_EQ(ballots, casts.size()) << "a unit counted twice" << replay;
    svc_.reset();
  }
  std::cout << "power cut under MeetingService: " << cut_in_flight
            << " of 8 cuts fell during a cast; " << receipted
            << " receipted ballots before the cuts, all kept" << std::endl;
  vfs.Forget();
  std::filesystem::remove_all(snapshot);
}

}  // namespace
}  // namespace phieu::server

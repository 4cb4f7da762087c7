// The two example meetings: every scripted demo vote goes through its voter
// layout and MarksFor, the marks are added into full totals (weights
// applied), and ComputeOutcome must reproduce the published outcomes.
#include <gtest/gtest.h>

#include <map>

#include "core/meeting/meeting_file.h"
#include "core/rules/layout.h"
#include "core/rules/outcome.h"
#include "tests/rules/tally.h"

namespace phieu::rules {
namespace {

using Ids = std::vector<std::string>;

v1::Meeting Load(const std::string& name) {
  auto m =
      meeting::LoadMeetingFile(std::string(PHIEU_SOURCE_DIR) + "/examples/" + name + ".textproto");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : v1::Meeting();
}

std::map<std::string, v1::Outcome> Outcomes(const v1::Meeting& m) {
  std::map<std::string, v1::Outcome> out;
  for (const auto& spec : m.ballots()) {
    std::vector<testing::Vote> votes;
    for (const auto& v : m.demo_votes()) {
      if (v.ballot_id() == spec.id())
        votes.push_back({v.unit_id(), Ids(v.choices().begin(), v.choices().end())});
    }
    EXPECT_EQ(votes.size(), static_cast<size_t>(m.units_size()))
        << spec.id() << ": every unit votes";
    const Ids run = AllCandidates(spec);
    auto totals = testing::Tally(m, spec, run, votes);
    EXPECT_TRUE(totals.ok()) << spec.id() << ": " << totals.status().ToString();
    if (!totals.ok()) continue;
    auto o = ComputeOutcome(m, spec, run, *totals, testing::AllPresentCounts(m, votes));
    EXPECT_TRUE(o.ok()) << spec.id() << ": " << o.status().ToString();
    if (o.ok()) out[spec.id()] = *o;
  }
  return out;
}

Ids Elected(const v1::Outcome& o) { return Ids(o.elected().begin(), o.elected().end()); }

TEST(ExamplesTest, Cum4ReproducesThePublishedOutcomes) {
  v1::Meeting m = Load("cum4-2024");
  auto o = Outcomes(m);
  ASSERT_EQ(o.size(), 4u);
  EXPECT_EQ(Elected(o["co-thi-dua"]), Ids{"son-la"});
  Ids merit = Elected(o["bang-khen"]);
  std::sort(merit.begin(), merit.end());
  EXPECT_EQ(merit, (Ids{"cao-bang", "lai-chau", "lang-son"}));
  EXPECT_EQ(Elected(o["cum-truong"]), Ids{"cao-bang"});
  EXPECT_EQ(Elected(o["cum-pho"]), Ids{"lang-son"});
  for (const auto& [id, out] : o) {
    EXPECT_FALSE(out.no_winner()) << id;
    EXPECT_EQ(out.notes_size(), 0) << id << ": " << (out.notes_size() ? out.notes(0) : "");
  }
}

TEST(ExamplesTest, Cum4SonLaCannotVoteForItself) {
  v1::Meeting m = Load("cum4-2024");
  const v1::BallotSpec& flag = m.ballots(0);
  auto l = VoterLayout(flag, AllCandidates(flag), "son-la");
  ASSERT_TRUE(l.ok());
  auto marks = MarksFor(*l, flag, {"son-la"}, "son-la");
  ASSERT_FALSE(marks.ok());
  EXPECT_EQ(marks.status().message(), "Sơn La cannot vote for itself");
}

TEST(ExamplesTest, BacKanReproducesTheRanking) {
  v1::Meeting m = Load("khoi1-backan-2022");
  auto o = Outcomes(m);
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(Elected(o["suy-ton"]), (Ids{"tp-bac-kan", "bach-thong", "na-ri"}));
  const auto& rank = o["suy-ton"];
  EXPECT_EQ(rank.candidates(0).place(), 1u);
  EXPECT_EQ(rank.candidates(1).place(), 2u);
  EXPECT_EQ(rank.candidates(2).place(), 3u);
  EXPECT_EQ(rank.candidates(0).rank_counts_size(), 3);
  // Illustrative officer elections (no published outcome).
  EXPECT_EQ(Elected(o["truong-khoi"]), Ids{"ba-be"});
  EXPECT_EQ(Elected(o["pho-truong-khoi"]), Ids{"na-ri"});
}

}  // namespace
}  // namespace phieu::rules

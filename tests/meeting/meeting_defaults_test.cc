#include "core/meeting/meeting_defaults.h"

#include <gtest/gtest.h>

namespace phieu::meeting {
namespace {

TEST(MeetingDefaultsTest, WeightDefaultsToOne) {
  v1::Meeting m;
  m.add_units()->set_id("a");
  auto* b = m.add_units();
  b->set_id("b");
  b->set_weight(3);
  EXPECT_EQ(EffectiveWeight(m.units(0)), 1u);
  EXPECT_EQ(EffectiveWeight(m, "b"), 3u);
  EXPECT_EQ(MembersVotes(m), 4u);
  EXPECT_TRUE(AnyWeighted(m));
}

TEST(MeetingDefaultsTest, SeatsApprovalsRanks) {
  struct Case {
    v1::BallotKind kind;
    uint32_t seats, max_approvals, ranks;
    uint32_t want_seats, want_k, want_r;
  };
  const Case cases[] = {
      {v1::KIND_ELECT_ONE, 0, 0, 0, 1, 1, 3}, {v1::KIND_APPROVE, 0, 0, 0, 1, 1, 3},
      {v1::KIND_APPROVE, 3, 0, 0, 3, 3, 3},   {v1::KIND_APPROVE, 0, 4, 0, 4, 4, 3},
      {v1::KIND_APPROVE, 2, 4, 0, 2, 4, 3},   {v1::KIND_RANK, 0, 0, 0, 3, 0, 3},
      {v1::KIND_RANK, 0, 0, 2, 2, 0, 2},      {v1::KIND_RANK, 1, 0, 3, 1, 0, 3},
  };
  for (const auto& c : cases) {
    v1::BallotSpec s;
    s.set_kind(c.kind);
    s.set_seats(c.seats);
    s.set_max_approvals(c.max_approvals);
    s.set_ranks(c.ranks);
    EXPECT_EQ(EffectiveSeats(s), c.want_seats) << s.ShortDebugString();
    if (c.kind != v1::KIND_RANK) {
      EXPECT_EQ(EffectiveMaxApprovals(s), c.want_k) << s.ShortDebugString();
    }
    EXPECT_EQ(EffectiveRanks(s), c.want_r) << s.ShortDebugString();
  }
}

TEST(MeetingDefaultsTest, SharesBaseQuorum) {
  v1::BallotSpec s;
  v1::Share d = EffectiveShare(s);
  EXPECT_EQ(d.num(), 1u);
  EXPECT_EQ(d.den(), 2u);
  EXPECT_FALSE(d.at_least());
  EXPECT_EQ(EffectiveBase(s), v1::BASE_PRESENT);
  EXPECT_EQ(EffectiveTieRule(s), v1::TIE_REPORT);
  *s.mutable_share() = MakeShare(2, 3, true);
  s.set_base(v1::BASE_VALID);
  EXPECT_EQ(EffectiveShare(s).den(), 3u);
  EXPECT_EQ(EffectiveBase(s), v1::BASE_VALID);

  v1::Meeting m;
  v1::Share q = EffectiveQuorum(m);
  EXPECT_EQ(q.num(), 2u);
  EXPECT_EQ(q.den(), 3u);
  EXPECT_TRUE(q.at_least());
  EXPECT_EQ(EffectiveTimeZone(m), "Asia/Ho_Chi_Minh");
}

TEST(MeetingDefaultsTest, ThresholdAndMinBallots) {
  v1::Meeting m;
  for (int i = 0; i < 3; ++i) m.mutable_tellers()->add_participant_ids("t" + std::to_string(i));
  EXPECT_EQ(EffectiveThreshold(m.tellers()), 2u);
  m.mutable_tellers()->add_participant_ids("t3");
  EXPECT_EQ(EffectiveThreshold(m.tellers()), 3u);
  m.mutable_tellers()->set_threshold(2);
  EXPECT_EQ(EffectiveThreshold(m.tellers()), 2u);

  m.add_units()->set_id("a");
  m.add_units()->set_id("b");
  EXPECT_EQ(MinBallots(m), 2u);  // fewer members than 3
  for (int i = 0; i < 5; ++i) m.add_units()->set_id("u" + std::to_string(i));
  EXPECT_EQ(MinBallots(m), 3u);
  m.mutable_tellers()->set_min_ballots(5);
  EXPECT_EQ(MinBallots(m), 5u);
}

}  // namespace
}  // namespace phieu::meeting

#include "core/rules/counts.h"

#include <gtest/gtest.h>

#include "core/meeting/meeting_defaults.h"
#include "tests/rules/tally.h"

namespace phieu::rules {
namespace {

TEST(CountsTest, OpeningCountsWithWeightsRemoteAndProxy) {
  v1::Meeting m = testing::UnitsMeeting(5);
  m.mutable_units(0)->set_weight(2);
  Attendance a{{"u1", "u2"}, {"u3"}, {"u4"}};
  auto c = CountsAtOpening(m, a);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->members_units(), 5u);
  EXPECT_EQ(c->members_votes(), 6u);
  EXPECT_EQ(c->present_units(), 4u);
  EXPECT_EQ(c->present_votes(), 5u);
  EXPECT_EQ(c->remote_units(), 1u);
  EXPECT_EQ(c->proxy_units(), 1u);
  EXPECT_EQ(c->issued_votes(), 5u);

  m.set_remote_not_present(true);
  c = CountsAtOpening(m, a);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->present_votes(), 4u);
  EXPECT_EQ(c->issued_votes(), 5u);  // the remote unit may still cast
}

TEST(CountsTest, RefusesUnknownOrTwice) {
  v1::Meeting m = testing::UnitsMeeting(3);
  EXPECT_FALSE(CountsAtOpening(m, {{"u1", "u9"}, {}, {}}).ok());
  EXPECT_FALSE(CountsAtOpening(m, {{"u1"}, {"u1"}, {}}).ok());
}

TEST(CountsTest, BallotsAndPaperBatch) {
  v1::Meeting m = testing::UnitsMeeting(7);
  auto c = CountsAtOpening(m, {{"u1", "u2", "u3", "u4", "u5", "u6", "u7"}, {}, {}});
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(AddElectronicBallots(m, {"u1", "u2", "u3", "u4"}, &*c).ok());
  ASSERT_TRUE(AddPaperBatch(m, {"u5", "u6"}, 1, &*c).ok());
  EXPECT_EQ(c->received_units(), 6u);
  EXPECT_EQ(c->received_votes(), 6u);
  EXPECT_EQ(c->valid_votes(), 5u);
  EXPECT_EQ(c->invalid_votes(), 1u);
  EXPECT_EQ(c->paper_units(), 2u);
  EXPECT_FALSE(AddPaperBatch(m, {"u7"}, 2, &*c).ok());
}

TEST(CountsTest, Quorum) {
  v1::Meeting m = testing::UnitsMeeting(7);
  EXPECT_TRUE(CheckQuorum(m, 5).ok());  // 5/7 >= 2/3
  Status s = CheckQuorum(m, 4);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "quorum not met: 4 of 7 votes present, at least 2/3 (5 votes) needed");
  m = testing::UnitsMeeting(6);
  EXPECT_TRUE(CheckQuorum(m, 4).ok());  // exactly 2/3
  *m.mutable_quorum() = meeting::MakeShare(2, 3, false);
  EXPECT_FALSE(CheckQuorum(m, 4).ok());  // not more than 2/3
  EXPECT_TRUE(CheckQuorum(m, 5).ok());
}

}  // namespace
}  // namespace phieu::rules

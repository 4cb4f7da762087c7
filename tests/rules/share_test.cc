#include "core/rules/share.h"

#include <gtest/gtest.h>

#include "core/meeting/meeting_defaults.h"

namespace phieu::rules {
namespace {

using meeting::MakeShare;

TEST(ShareTest, BoundariesAreExact) {
  struct Case {
    uint64_t votes, base;
    uint32_t num, den;
    bool at_least, want;
  };
  const Case cases[] = {
      {4, 6, 2, 3, true, true},    // exactly 2/3, at least
      {4, 6, 2, 3, false, false},  // exactly 2/3, more than
      {5, 6, 2, 3, false, true},
      {3, 6, 1, 2, false, false},  // exactly half is not "more than half"
      {3, 6, 1, 2, true, true},
      {4, 7, 1, 2, false, true},
      {2, 3, 2, 3, true, true},
      {66, 99, 2, 3, true, true},
      {65, 99, 2, 3, true, false},
      {9, 10, 9, 10, true, true},  // 90%
      {8, 9, 9, 10, true, false},
      {7, 10, 7, 10, true, true},  // 70%
      {0, 0, 1, 2, true, false},   // base 0 meets nothing
      {4294967295u, 4294967295u, 4294967295u, 4294967295u, true, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MeetsShare(c.votes, c.base, MakeShare(c.num, c.den, c.at_least)), c.want)
        << c.votes << "/" << c.base << " vs " << c.num << "/" << c.den
        << " at_least=" << c.at_least;
  }
}

TEST(ShareTest, MinVotes) {
  EXPECT_EQ(MinVotesFor(6, MakeShare(1, 2, false)), 4u);
  EXPECT_EQ(MinVotesFor(7, MakeShare(1, 2, false)), 4u);
  EXPECT_EQ(MinVotesFor(6, MakeShare(2, 3, true)), 4u);
  EXPECT_EQ(MinVotesFor(6, MakeShare(2, 3, false)), 5u);
  EXPECT_EQ(MinVotesFor(7, MakeShare(2, 3, true)), 5u);
  for (uint64_t base = 1; base < 40; ++base) {
    for (auto s : {MakeShare(1, 2, false), MakeShare(2, 3, true), MakeShare(9, 10, true)}) {
      uint64_t need = MinVotesFor(base, s);
      EXPECT_TRUE(need > base || MeetsShare(need, base, s));
      EXPECT_FALSE(MeetsShare(need - 1, base, s));
    }
  }
}

TEST(ShareTest, Wording) {
  EXPECT_EQ(FormatPercent(2, 3, Lang::kVi), "66,67%");
  EXPECT_EQ(FormatPercent(2, 3, Lang::kEn), "66.67%");
  EXPECT_EQ(FormatPercent(1, 2, Lang::kVi), "50,00%");
  EXPECT_EQ(FormatPercent(1, 8, Lang::kEn), "12.50%");
  EXPECT_EQ(FormatPercent(7, 7, Lang::kVi), "100,00%");
  EXPECT_EQ(FormatPercent(1, 0, Lang::kVi), "—");
  EXPECT_EQ(ShareText(MakeShare(1, 2, false), Lang::kVi), "trên 50%");
  EXPECT_EQ(ShareText(MakeShare(2, 3, true), Lang::kVi), "từ 2/3 trở lên");
  EXPECT_EQ(ShareText(MakeShare(2, 3, true), Lang::kEn), "at least 2/3");
  EXPECT_EQ(ShareText(MakeShare(7, 10, true), Lang::kEn), "at least 70%");
  EXPECT_EQ(BaseText(v1::BASE_PRESENT, Lang::kVi), "tổng số đại biểu có mặt");
  EXPECT_EQ(BaseText(v1::BASE_VALID, Lang::kVi), "tổng số phiếu hợp lệ");
  EXPECT_EQ(BaseText(v1::BASE_MEMBERS, Lang::kVi), "tổng số thành viên");
}

}  // namespace
}  // namespace phieu::rules

#include "core/rules/layout.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/rules/tally.h"

namespace phieu::rules {
namespace {

using testing::Spec;

// The kind's rule written directly from docs/rules.md, independent of the
// constraints: is this 0/1 pattern a valid ballot?
bool Valid(const v1::BallotSpec& spec, const v1::BallotLayout& l, const std::vector<uint32_t>& x) {
  int blank = 0;
  std::map<std::string, int> per_candidate;
  std::map<uint32_t, int> per_rank;
  std::map<std::string, int> per_item;
  std::set<std::string> items;
  int marked = 0;
  for (int i = 0; i < l.cells_size(); ++i) {
    const auto& c = l.cells(i);
    if (c.option() == kBlankOption) {
      blank += x[i];
      continue;
    }
    items.insert(c.candidate_id());
    marked += x[i];
    per_candidate[c.candidate_id()] += x[i];
    if (c.rank() > 0) per_rank[c.rank()] += x[i];
    if (!c.option().empty()) per_item[c.candidate_id()] += x[i];
  }
  if (blank) return marked == 0;
  switch (spec.kind()) {
    case v1::KIND_ELECT_ONE:
      return marked == 1;
    case v1::KIND_APPROVE: {
      const int k = spec.max_approvals() ? spec.max_approvals() : spec.seats();
      return marked >= 1 && marked <= k;
    }
    case v1::KIND_RANK: {
      for (const auto& [c, n] : per_candidate) {
        if (n > 1) return false;
      }
      uint32_t used = 0;
      for (uint32_t j = 1;; ++j) {
        int n = per_rank.count(j) ? per_rank[j] : 0;
        if (n > 1) return false;
        if (n == 0) break;
        used = j;
      }
      if (static_cast<int>(used) != marked || used == 0)
        return false;  // ranks are a prefix 1..used
      if (spec.require_full_ranking()) {
        const uint32_t r = spec.ranks() ? spec.ranks() : 3;
        return used == std::min<uint32_t>(r, static_cast<uint32_t>(items.size()));
      }
      return true;
    }
    case v1::KIND_YES_NO_ABSTAIN:
      for (const auto& it : items) {
        if (per_item[it] != 1) return false;
      }
      return true;
    default:
      return false;
  }
}

struct Exhaustive {
  const char* name;
  v1::BallotSpec spec;
  std::string voter_unit;  // "" for the full layout
  int want_cells;
  int want_valid;  // number of valid patterns
};

v1::BallotSpec With(v1::BallotSpec s, std::function<void(v1::BallotSpec&)> f) {
  f(s);
  return s;
}

TEST(LayoutTest, ConstraintsAcceptExactlyTheValidBallots) {
  const Exhaustive cases[] = {
      {"elect one of 3", Spec(v1::KIND_ELECT_ONE, 3), "", 4, 4},
      {"elect one, no blank",
       With(Spec(v1::KIND_ELECT_ONE, 3), [](auto& s) { s.set_no_blank(true); }), "", 3, 3},
      {"approve 2 of 4", With(Spec(v1::KIND_APPROVE, 4), [](auto& s) { s.set_max_approvals(2); }),
       "", 5, 1 + 4 + 6},
      {"approve 3 of 4, no blank",
       With(Spec(v1::KIND_APPROVE, 4),
            [](auto& s) {
              s.set_max_approvals(3);
              s.set_no_blank(true);
            }),
       "", 4, 4 + 6 + 4},
      {"approve 2 of 4, barred",
       With(Spec(v1::KIND_APPROVE, 4, true), [](auto& s) { s.set_max_approvals(2); }), "u2", 4,
       1 + 3 + 3},
      {"rank 2 of 3", With(Spec(v1::KIND_RANK, 3), [](auto& s) { s.set_ranks(2); }), "", 7,
       1 + 3 + 6},
      {"rank 3 of 3", Spec(v1::KIND_RANK, 3), "", 10, 1 + 3 + 6 + 6},
      {"rank 3 of 3, full",
       With(Spec(v1::KIND_RANK, 3), [](auto& s) { s.set_require_full_ranking(true); }), "", 10,
       1 + 6},
      {"rank 3 of 3, full, no blank",
       With(Spec(v1::KIND_RANK, 3),
            [](auto& s) {
              s.set_require_full_ranking(true);
              s.set_no_blank(true);
            }),
       "", 9, 6},
      // Barring leaves 2 candidates for 3 ranks: a full ranking is 2 ranks.
      {"rank 3 of 3, full, barred",
       With(Spec(v1::KIND_RANK, 3, true), [](auto& s) { s.set_require_full_ranking(true); }), "u1",
       7, 1 + 2},
      {"rank 3 of 3, barred", With(Spec(v1::KIND_RANK, 3, true), [](auto&) {}), "u3", 7, 1 + 2 + 2},
      {"yes/no/abstain on 2", Spec(v1::KIND_YES_NO_ABSTAIN, 2), "", 7, 1 + 9},
      {"yes/no/abstain on 2, no blank",
       With(Spec(v1::KIND_YES_NO_ABSTAIN, 2), [](auto& s) { s.set_no_blank(true); }), "", 6, 9},
  };
  for (const auto& c : cases) {
    auto run = AllCandidates(c.spec);
    auto layout =
        c.voter_unit.empty() ? FullLayout(c.spec, run) : VoterLayout(c.spec, run, c.voter_unit);
    ASSERT_TRUE(layout.ok()) << c.name << ": " << layout.status().ToString();
    ASSERT_TRUE(CheckLayout(*layout).ok()) << c.name << ": " << CheckLayout(*layout).ToString();
    ASSERT_EQ(layout->cells_size(), c.want_cells) << c.name;
    for (const auto& k : layout->constraints()) EXPECT_FALSE(k.name().empty()) << c.name;
    int valid = 0;
    const int n = layout->cells_size();
    for (uint32_t bits = 0; bits < (1u << n); ++bits) {
      std::vector<uint32_t> x(n);
      for (int i = 0; i < n; ++i) x[i] = (bits >> i) & 1;
      const bool want = Valid(c.spec, *layout, x);
      const bool got = CheckMarks(*layout, x).ok();
      ASSERT_EQ(got, want) << c.name << ": pattern " << bits << " "
                           << CheckMarks(*layout, x).ToString();
      valid += got;
    }
    EXPECT_EQ(valid, c.want_valid) << c.name;
  }
}

TEST(LayoutTest, CellOrderAndNames) {
  auto l = FullLayout(Spec(v1::KIND_RANK, 2), {"c1", "c2"});
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->cells_size(), 2 * 3 + 1);
  EXPECT_EQ(l->cells(0).candidate_id(), "c1");
  EXPECT_EQ(l->cells(0).rank(), 1u);
  EXPECT_EQ(l->cells(2).rank(), 3u);
  EXPECT_EQ(l->cells(3).candidate_id(), "c2");
  EXPECT_EQ(l->cells(6).option(), "blank");
  std::set<std::string> names;
  for (const auto& k : l->constraints()) names.insert(k.name());
  EXPECT_TRUE(names.count("rank 2 only after rank 1"));
  EXPECT_TRUE(names.count("rank 1 or blank"));
  EXPECT_TRUE(names.count("'c1' given at most one rank"));

  auto e = FullLayout(Spec(v1::KIND_ELECT_ONE, 2), {"c1", "c2"});
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->constraints_size(), 1);
  EXPECT_EQ(e->constraints(0).name(), "one choice or blank");

  auto y = FullLayout(Spec(v1::KIND_YES_NO_ABSTAIN, 1), {"c1"});
  ASSERT_TRUE(y.ok());
  ASSERT_EQ(y->cells_size(), 4);
  EXPECT_EQ(y->cells(0).option(), "yes");
  EXPECT_EQ(y->cells(1).option(), "no");
  EXPECT_EQ(y->cells(2).option(), "abstain");
}

TEST(LayoutTest, ApproveConstraintWeighsBlankByK) {
  auto s = Spec(v1::KIND_APPROVE, 4);
  s.set_max_approvals(3);
  auto l = FullLayout(s, AllCandidates(s));
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->constraints_size(), 1);
  const auto& k = l->constraints(0);
  EXPECT_EQ(k.name(), "1 to 3 choices, or blank");
  EXPECT_EQ(k.lo(), 1);
  EXPECT_EQ(k.hi(), 3);
  EXPECT_EQ(k.coefficients(k.coefficients_size() - 1), 3);
}

TEST(LayoutTest, SelfVoteBarredIsABallotStyle) {
  auto s = Spec(v1::KIND_ELECT_ONE, 3, true);
  s.mutable_candidates(0)->set_name("Sơn La");
  auto run = AllCandidates(s);
  auto mine = VoterLayout(s, run, "u1");
  ASSERT_TRUE(mine.ok());
  for (const auto& c : mine->cells()) EXPECT_NE(c.candidate_id(), "c1");
  EXPECT_EQ(mine->cells_size(), 3);  // c2, c3, blank

  auto refused = MarksFor(*mine, s, {"c1"}, "u1");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(), "Sơn La cannot vote for itself");

  auto other = VoterLayout(s, run, "u2");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->cells(0).candidate_id(), "c1");

  s.set_allow_self_vote(true);
  auto allowed = VoterLayout(s, run, "u1");
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(allowed->cells_size(), 4);
  EXPECT_TRUE(MarksFor(*allowed, s, {"c1"}, "u1").ok());
}

TEST(LayoutTest, MarksForRefusesInPlainWords) {
  auto approve = Spec(v1::KIND_APPROVE, 4);
  approve.set_max_approvals(3);
  auto one = Spec(v1::KIND_ELECT_ONE, 3);
  auto rank = Spec(v1::KIND_RANK, 4);
  rank.set_require_full_ranking(true);
  auto no_blank = Spec(v1::KIND_ELECT_ONE, 2);
  no_blank.set_no_blank(true);
  auto yn = Spec(v1::KIND_YES_NO_ABSTAIN, 2);
  struct Case {
    const v1::BallotSpec* spec;
    std::vector<std::string> choices;
    const char* want;
  };
  const Case cases[] = {
      {&approve, {"c1", "c2", "c3", "c4"}, "choose at most 3"},
      {&approve, {"x"}, "unknown candidate 'x'"},
      {&approve, {"c1", "c1"}, "C1 is chosen twice"},
      {&one, {"c1", "c2"}, "choose one"},
      {&rank, {"c1", "c2", "c3", "c4"}, "rank at most 3"},
      {&rank, {"c1", "c2"}, "rank 3 candidates: a full ranking is required"},
      {&no_blank, {}, "a blank ballot is not allowed"},
      {&yn, {"yes"}, "answer each of the 2 items"},
      {&yn, {"yes", "maybe"}, "answer 2 is 'maybe'"},
  };
  for (const auto& c : cases) {
    auto l = VoterLayout(*c.spec, AllCandidates(*c.spec), "u9");
    ASSERT_TRUE(l.ok());
    auto m = MarksFor(*l, *c.spec, c.choices);
    ASSERT_FALSE(m.ok()) << c.want;
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument) << c.want;
    EXPECT_NE(m.status().message().find(c.want), std::string::npos) << m.status().message();
  }
}

TEST(LayoutTest, MarksForValidChoices) {
  auto rank = Spec(v1::KIND_RANK, 3);
  auto l = FullLayout(rank, AllCandidates(rank));
  ASSERT_TRUE(l.ok());
  auto m = MarksFor(*l, rank, {"c3", "c1"});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  // c1 rank 2 is cell 1; c3 rank 1 is cell 6.
  std::vector<uint32_t> want(10, 0);
  want[1] = 1;
  want[6] = 1;
  EXPECT_EQ(*m, want);
  auto blank = MarksFor(*l, rank, {});
  ASSERT_TRUE(blank.ok());
  EXPECT_EQ((*blank)[9], 1u);

  auto yn = Spec(v1::KIND_YES_NO_ABSTAIN, 2);
  auto ly = FullLayout(yn, AllCandidates(yn));
  auto my = MarksFor(*ly, yn, {"no", "abstain"});
  ASSERT_TRUE(my.ok());
  EXPECT_EQ(*my, (std::vector<uint32_t>{0, 1, 0, 0, 0, 1, 0}));
}

TEST(LayoutTest, DescribeMarksNamesWhatAVoterChose) {
  auto rank = Spec(v1::KIND_RANK, 3);
  auto l = FullLayout(rank, AllCandidates(rank));
  ASSERT_TRUE(l.ok());
  auto name = [&](const std::string& id) {
    for (const auto& c : rank.candidates()) {
      if (c.id() == id) return c.name().empty() ? id : c.name();
    }
    return id;
  };
  // Ranks come out first to last whatever the cell order.
  auto d = DescribeMarks(rank, *l, MarksFor(*l, rank, {"c3", "c1"}).value());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, (std::vector<std::string>{"Nhất: " + name("c3"), "Nhì: " + name("c1")}));
  auto blank = DescribeMarks(rank, *l, MarksFor(*l, rank, {}).value());
  ASSERT_TRUE(blank.ok());
  EXPECT_EQ(*blank, (std::vector<std::string>{"phiếu trắng (blank)"}));

  auto yn = Spec(v1::KIND_YES_NO_ABSTAIN, 2);
  auto ly = FullLayout(yn, AllCandidates(yn));
  auto dy = DescribeMarks(yn, *ly, MarksFor(*ly, yn, {"no", "abstain"}).value());
  ASSERT_TRUE(dy.ok());
  ASSERT_EQ(dy->size(), 2u);
  EXPECT_NE((*dy)[0].find(": không đồng ý"), std::string::npos) << (*dy)[0];
  EXPECT_NE((*dy)[1].find(": không ý kiến"), std::string::npos) << (*dy)[1];

  // Marks that are no valid ballot are refused, not described.
  std::vector<uint32_t> two_firsts(l->cells_size(), 0);
  two_firsts[0] = two_firsts[3] = 1;  // c1 and c2 both rank 1
  EXPECT_FALSE(DescribeMarks(rank, *l, two_firsts).ok());
}

TEST(LayoutTest, SecondRoundRunsOnASubset) {
  auto s = Spec(v1::KIND_ELECT_ONE, 4);
  auto l = FullLayout(s, {"c3", "c1"});  // any order: ballot order is kept
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->cells_size(), 3);
  EXPECT_EQ(l->cells(0).candidate_id(), "c1");
  EXPECT_EQ(l->cells(1).candidate_id(), "c3");
  auto m = MarksFor(*l, s, {"c2"});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("is not on this ballot"), std::string::npos);
  EXPECT_FALSE(FullLayout(s, {"c9"}).ok());
  EXPECT_FALSE(FullLayout(s, {"c1", "c1"}).ok());
  EXPECT_FALSE(FullLayout(s, {}).ok());
}

TEST(LayoutTest, FullIndexMapsVoterCells) {
  auto s = Spec(v1::KIND_RANK, 3, true);
  auto run = AllCandidates(s);
  auto full = FullLayout(s, run);
  auto mine = VoterLayout(s, run, "u2");
  ASSERT_TRUE(full.ok() && mine.ok());
  for (int i = 0; i < mine->cells_size(); ++i) {
    auto at = FullIndex(*full, mine->cells(i));
    ASSERT_TRUE(at.ok());
    const auto& f = full->cells(*at);
    EXPECT_EQ(f.candidate_id(), mine->cells(i).candidate_id());
    EXPECT_EQ(f.rank(), mine->cells(i).rank());
    EXPECT_EQ(f.option(), mine->cells(i).option());
  }
  v1::Cell bogus;
  bogus.set_candidate_id("c1");
  bogus.set_rank(4);
  EXPECT_FALSE(FullIndex(*full, bogus).ok());
}

TEST(LayoutTest, NothingToVoteFor) {
  auto s = Spec(v1::KIND_ELECT_ONE, 1, true);
  auto l = VoterLayout(s, {"c1"}, "u1");
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->cells_size(), 1);
  EXPECT_EQ(l->cells(0).option(), "blank");
  auto r = Spec(v1::KIND_RANK, 1, true);
  r.set_ranks(1);
  auto lr = VoterLayout(r, {"c1"}, "u1");
  ASSERT_TRUE(lr.ok()) << lr.status().ToString();
  EXPECT_TRUE(CheckLayout(*lr).ok());
  EXPECT_EQ(lr->cells_size(), 1);
  s.set_no_blank(true);
  auto none = VoterLayout(s, {"c1"}, "u1");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
}

TEST(LayoutTest, CheckMarksNamesTheConstraint) {
  auto s = Spec(v1::KIND_ELECT_ONE, 2);
  auto l = FullLayout(s, AllCandidates(s));
  Status st = CheckMarks(*l, {1, 1, 0});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'one choice or blank'"), std::string::npos);
  EXPECT_FALSE(CheckMarks(*l, {2, 0, 0}).ok());
  EXPECT_FALSE(CheckMarks(*l, {1, 0}).ok());
}

}  // namespace
}  // namespace phieu::rules

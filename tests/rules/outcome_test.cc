#include "core/rules/outcome.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/meeting/meeting_defaults.h"
#include "core/rules/counts.h"
#include "core/rules/layout.h"
#include "tests/rules/tally.h"

namespace phieu::rules {
namespace {

using meeting::MakeShare;
using testing::AllPresentCounts;
using testing::Spec;
using testing::Tally;
using testing::UnitsMeeting;
using testing::Vote;
using Ids = std::vector<std::string>;

// `n` ballots for `choices`, cast by units u<first>.. in turn.
std::vector<Vote> Many(int n, Ids choices, int* next_unit) {
  std::vector<Vote> v;
  for (int i = 0; i < n; ++i) v.push_back({"u" + std::to_string((*next_unit)++), choices});
  return v;
}

struct Case {
  const char* name;
  v1::BallotSpec spec;
  int units;                                              // members u1..u<units>
  std::vector<std::pair<int, Ids>> ballots;               // (how many, choices)
  std::function<void(v1::Meeting&, v1::Counts&)> adjust;  // weights, bases, ...
  Ids elected;
  bool no_winner;
  Ids runoff;
  uint32_t unfilled;
  const char* note;  // substring of some English note, or ""
};

v1::BallotSpec S(v1::BallotKind kind, int m, std::function<void(v1::BallotSpec&)> f = {}) {
  v1::BallotSpec s = Spec(kind, m);
  if (f) f(s);
  return s;
}

void NoChange(v1::Meeting&, v1::Counts&) {}

Result<v1::Outcome> RunCase(const Case& c, v1::Meeting* meeting_out = nullptr) {
  v1::Meeting m = UnitsMeeting(c.units);
  std::vector<Vote> votes;
  int next = 1;
  for (const auto& [n, choices] : c.ballots) {
    auto more = Many(n, choices, &next);
    votes.insert(votes.end(), more.begin(), more.end());
  }
  v1::Counts counts;
  c.adjust(m, counts);  // first call: the meeting (weights); counts ignored
  counts = AllPresentCounts(m, votes);
  c.adjust(m, counts);
  const Ids run = AllCandidates(c.spec);
  auto totals = Tally(m, c.spec, run, votes);
  if (!totals.ok()) return totals.status();
  if (meeting_out) *meeting_out = m;
  return ComputeOutcome(m, c.spec, run, *totals, counts);
}

std::string AllNotes(const v1::Outcome& o) {
  std::string s;
  for (const auto& n : o.notes()) s += n + "\n";
  return s;
}

TEST(OutcomeTest, Table) {
  auto at_least = [](uint32_t n, uint32_t d) {
    return [=](v1::BallotSpec& s) { *s.mutable_share() = MakeShare(n, d, true); };
  };
  auto more_than = [](uint32_t n, uint32_t d) {
    return [=](v1::BallotSpec& s) { *s.mutable_share() = MakeShare(n, d, false); };
  };
  auto present = [](uint32_t p) {
    return [=](v1::Meeting&, v1::Counts& c) {
      if (c.members_votes()) c.set_present_votes(p);
    };
  };
  const Case cases[] = {
      // ELECT_ONE: exactly half.
      {"elect: exactly 1/2, more than",
       S(v1::KIND_ELECT_ONE, 3),
       6,
       {{3, {"c1"}}, {2, {"c2"}}, {1, {"c3"}}},
       NoChange,
       {},
       true,
       {"c1", "c2"},
       0,
       "No winner: nobody reached more than 50% of delegates present (6 votes)"},
      {"elect: exactly 1/2, at least",
       S(v1::KIND_ELECT_ONE, 3, at_least(1, 2)),
       6,
       {{3, {"c1"}}, {2, {"c2"}}, {1, {"c3"}}},
       NoChange,
       {"c1"},
       false,
       {},
       0,
       ""},
      {"elect: tie at the top",
       S(v1::KIND_ELECT_ONE, 3),
       7,
       {{3, {"c1"}}, {3, {"c2"}}, {1, {"c3"}}},
       NoChange,
       {},
       true,
       {"c1", "c2"},
       0,
       "Tie at the top: C1, C2 with 3 votes each"},
      {"elect: top two plus tied with second",
       S(v1::KIND_ELECT_ONE, 4),
       7,
       {{3, {"c1"}}, {2, {"c2"}}, {2, {"c3"}}},
       NoChange,
       {},
       true,
       {"c1", "c2", "c3"},
       0,
       "Second round between C1, C2, C3"},
      {"elect: blank ballots count in the base",
       S(v1::KIND_ELECT_ONE, 2),
       7,
       {{4, {"c1"}}, {3, {}}},
       NoChange,
       {"c1"},
       false,
       {},
       0,
       ""},
      // Exactly 2/3.
      {"approve: exactly 2/3, at least",
       S(v1::KIND_APPROVE, 3,
         [&](auto& s) {
           at_least(2, 3)(s);
           s.set_seats(2);
         }),
       6,
       {{4, {"c1", "c2"}}, {2, {"c3"}}},
       NoChange,
       {"c1", "c2"},
       false,
       {},
       0,
       ""},
      {"approve: exactly 2/3, more than",
       S(v1::KIND_APPROVE, 3,
         [&](auto& s) {
           more_than(2, 3)(s);
           s.set_seats(2);
         }),
       6,
       {{4, {"c1", "c2"}}, {2, {"c3"}}},
       NoChange,
       {},
       true,
       {"c1", "c2", "c3"},
       2,
       "2 of 2 seat(s) unfilled: only 0 candidate(s) reached more than 2/3"},
      // Bases: the same ballots, three outcomes.
      {"base present: 3 of 5 present",
       S(v1::KIND_ELECT_ONE, 2),
       9,
       {{3, {"c1"}}, {1, {"c2"}}, {1, {}}},
       present(5),
       {"c1"},
       false,
       {},
       0,
       ""},
      {"base members: 3 of 9",
       S(v1::KIND_ELECT_ONE, 2, [](auto& s) { s.set_base(v1::BASE_MEMBERS); }),
       9,
       {{3, {"c1"}}, {1, {"c2"}}, {1, {}}},
       present(5),
       {},
       true,
       {"c1", "c2"},
       0,
       "of members (9 votes)"},
      {"base valid: 3 of 5 valid, 7 present",
       S(v1::KIND_ELECT_ONE, 2, [](auto& s) { s.set_base(v1::BASE_VALID); }),
       9,
       {{3, {"c1"}}, {1, {"c2"}}, {1, {}}},
       present(7),
       {"c1"},
       false,
       {},
       0,
       ""},
      {"base present: 3 of 7 present",
       S(v1::KIND_ELECT_ONE, 2),
       9,
       {{3, {"c1"}}, {1, {"c2"}}, {1, {}}},
       present(7),
       {},
       true,
       {"c1", "c2"},
       0,
       "No winner"},
      // APPROVE: tie at the last seat.
      {"approve: tie at the last seat",
       S(v1::KIND_APPROVE, 4, [](auto& s) { s.set_seats(2); }),
       7,
       {{2, {"c1", "c2"}}, {2, {"c1", "c3"}}, {1, {"c1"}}, {2, {"c2", "c3"}}},
       NoChange,
       {"c1"},
       false,
       {"c2", "c3"},
       1,
       "Tie for the last 1 seat(s): C2, C3 (4 votes each)"},
      {"approve: more pass than seats",
       S(v1::KIND_APPROVE, 4,
         [](auto& s) {
           s.set_seats(2);
           s.set_max_approvals(3);
         }),
       5,
       {{3, {"c1", "c2", "c3"}}, {2, {"c1", "c2"}}},
       NoChange,
       {"c1", "c2"},
       false,
       {},
       0,
       ""},
      {"approve: unfilled seat",
       S(v1::KIND_APPROVE, 4, [](auto& s) { s.set_seats(3); }),
       5,
       {{3, {"c1", "c2"}}, {2, {"c3", "c4"}}},
       NoChange,
       {"c1", "c2"},
       false,
       {"c3", "c4"},
       1,
       "1 of 3 seat(s) unfilled"},
      // YES_NO_ABSTAIN.
      {"yes/no: at least 2/3 of valid",
       S(v1::KIND_YES_NO_ABSTAIN, 2,
         [&](auto& s) {
           at_least(2, 3)(s);
           s.set_base(v1::BASE_VALID);
         }),
       7,
       {{4, {"yes", "no"}}, {1, {"abstain", "yes"}}, {1, {}}},
       NoChange,
       {"c1"},
       false,
       {},
       0,
       ""},
      {"yes/no: 5 of 6 (half of 7 present + 1)",
       S(v1::KIND_YES_NO_ABSTAIN, 1),
       7,
       {{4, {"yes"}}, {2, {"no"}}},
       NoChange,
       {"c1"},
       false,
       {},
       0,
       ""},
      {"yes/no: 3 of 6 present is not more than half",
       S(v1::KIND_YES_NO_ABSTAIN, 1),
       6,
       {{3, {"yes"}}, {2, {"no"}}, {1, {"abstain"}}},
       NoChange,
       {},
       false,
       {},
       0,
       ""},
  };
  for (const auto& c : cases) {
    auto o = RunCase(c);
    ASSERT_TRUE(o.ok()) << c.name << ": " << o.status().ToString();
    EXPECT_EQ(Ids(o->elected().begin(), o->elected().end()), c.elected) << c.name << "\n"
                                                                        << AllNotes(*o);
    EXPECT_EQ(o->no_winner(), c.no_winner) << c.name;
    EXPECT_EQ(Ids(o->runoff_candidates().begin(), o->runoff_candidates().end()), c.runoff)
        << c.name;
    EXPECT_EQ(o->unfilled_seats(), c.unfilled) << c.name;
    EXPECT_EQ(o->notes_size(), o->notes_vi_size()) << c.name;
    if (*c.note) {
      EXPECT_NE(AllNotes(*o).find(c.note), std::string::npos) << c.name << "\n" << AllNotes(*o);
    }
    if (c.no_winner || c.unfilled || !c.runoff.empty()) {
      EXPECT_GT(o->notes_size(), 0) << c.name;
    }
  }
}

TEST(OutcomeTest, TieAtLastSeatBrokenByPrecedence) {
  v1::Meeting m = UnitsMeeting(7);
  m.add_precedence("u3");
  m.add_precedence("u2");
  auto s = Spec(v1::KIND_APPROVE, 4, true);
  s.set_seats(2);
  s.set_tie_rule(v1::TIE_PRECEDENCE);
  // c1: 5, c2: 4, c3: 4 (all above half of 7); units vote, none for itself.
  std::vector<Vote> votes = {{"u4", {"c1", "c2"}}, {"u5", {"c1", "c2"}}, {"u6", {"c1", "c3"}},
                             {"u7", {"c1", "c3"}}, {"u2", {"c1", "c3"}}, {"u3", {"c2", "c4"}},
                             {"u1", {"c2", "c3"}}};
  auto totals = Tally(m, s, AllCandidates(s), votes);
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  auto o = ComputeOutcome(m, s, AllCandidates(s), *totals, AllPresentCounts(m, votes));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ASSERT_EQ(o->elected_size(), 2) << AllNotes(*o);
  EXPECT_EQ(o->elected(0), "c1");
  EXPECT_EQ(o->elected(1), "c3");  // u3 precedes u2
  EXPECT_EQ(o->unfilled_seats(), 0u);
  bool flagged = false;
  for (const auto& r : o->candidates()) {
    if (r.candidate_id() == "c3") {
      EXPECT_EQ(r.standing(), v1::STANDING_ELECTED);
      flagged = r.tie_broken_by_precedence();
    }
    if (r.candidate_id() == "c2") {
      EXPECT_EQ(r.standing(), v1::STANDING_NOT_ELECTED);
    }
  }
  EXPECT_TRUE(flagged);
  EXPECT_NE(AllNotes(*o).find("broken by the meeting's order of precedence: C3 elected"),
            std::string::npos)
      << AllNotes(*o);
  EXPECT_NE(o->notes_vi(0).find("thứ tự ưu tiên"), std::string::npos);

  // A tied candidate missing from the list: the tie is reported instead.
  m.clear_precedence();
  m.add_precedence("u3");
  o = ComputeOutcome(m, s, AllCandidates(s), *totals, AllPresentCounts(m, votes));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->unfilled_seats(), 1u);
  EXPECT_EQ(o->runoff_candidates_size(), 2);
}

// Rank: c1 and c2 tie on points, c1 has more first places; c3 and c4 tie on
// everything and straddle the last seat.
TEST(OutcomeTest, RankTiesBrokenByFirstPlacesAndLeftUnbroken) {
  v1::Meeting m = UnitsMeeting(6);
  auto s = Spec(v1::KIND_RANK, 5);
  s.set_ranks(2);
  s.set_seats(3);
  std::vector<Vote> votes = {
      {"u1", {"c1", "c3"}},  // c1 first
      {"u2", {"c1", "c4"}},  // c1 first
      {"u3", {"c2", "c1"}},  // c2 first, c1 second
      {"u4", {"c2", "c1"}},  // c2 first, c1 second
      {"u5", {"c2", "c3"}},  // c2 first
      {"u6", {"c4", "c5"}},  // c4 first
  };
  // c1: 2 firsts + 2 seconds = 6; c2: 3 firsts + 0 seconds = 6 -> c2 above (more firsts).
  // c3: 0 firsts + 2 seconds = 2; c4: 1 first + 1 second = 3; c5: 1 second = 1.
  auto totals = Tally(m, s, AllCandidates(s), votes);
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  auto o = ComputeOutcome(m, s, AllCandidates(s), *totals, AllPresentCounts(m, votes));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(Ids(o->elected().begin(), o->elected().end()), (Ids{"c2", "c1", "c4"})) << AllNotes(*o);
  EXPECT_NE(
      AllNotes(*o).find(
          "C2 and C1 have 6 points each; C2 places above with more rank-1 votes (3 against 2)"),
      std::string::npos)
      << AllNotes(*o);
  ASSERT_EQ(o->candidates(0).candidate_id(), "c2");
  EXPECT_EQ(o->candidates(0).points(), 6u);
  EXPECT_EQ(o->candidates(0).rank_counts(0), 3u);
  EXPECT_EQ(o->candidates(0).rank_counts(1), 0u);
  EXPECT_EQ(o->candidates(1).rank_counts(1), 2u);
  EXPECT_EQ(o->candidates(2).place(), 3u);

  // Unbroken: c3 and c4 equal in everything, fighting for the third seat.
  votes = {
      {"u1", {"c1", "c3"}}, {"u2", {"c1", "c4"}}, {"u3", {"c2", "c1"}},
      {"u4", {"c2", "c5"}}, {"u5", {"c3", "c2"}}, {"u6", {"c4", "c5"}},
  };
  // c1: 2 firsts + 1 second = 5; c2: 2 firsts + 1 second = 5 -> equal in all; both within seats.
  // c3: 1 + 1 = 3; c4: 1 + 1 = 3 -> equal, straddle seat 3. c5: 2 seconds = 2.
  totals = Tally(m, s, AllCandidates(s), votes);
  ASSERT_TRUE(totals.ok());
  o = ComputeOutcome(m, s, AllCandidates(s), *totals, AllPresentCounts(m, votes));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(Ids(o->elected().begin(), o->elected().end()), (Ids{"c1", "c2"})) << AllNotes(*o);
  EXPECT_EQ(Ids(o->runoff_candidates().begin(), o->runoff_candidates().end()), (Ids{"c3", "c4"}));
  EXPECT_EQ(o->unfilled_seats(), 1u);
  EXPECT_EQ(o->runoff_seats(), 1u);
  EXPECT_NE(AllNotes(*o).find("Tie for place 1: C1, C2"), std::string::npos) << AllNotes(*o);
  EXPECT_NE(
      AllNotes(*o).find(
          "Tie for the last 1 seat(s): C3, C4 (3 points each and the same votes at every rank)"),
      std::string::npos)
      << AllNotes(*o);
  for (const auto& r : o->candidates()) {
    if (r.candidate_id() == "c3" || r.candidate_id() == "c4") {
      EXPECT_EQ(r.standing(), v1::STANDING_TIED);
    }
    if (r.candidate_id() == "c1" || r.candidate_id() == "c2") {
      EXPECT_EQ(r.place(), 1u);
    }
  }
}

TEST(OutcomeTest, RankFirstPlaceShare) {
  v1::Meeting m = UnitsMeeting(5);
  auto s = Spec(v1::KIND_RANK, 3);
  *s.mutable_first_place_share() = MakeShare(1, 2, false);
  std::vector<Vote> votes = {{"u1", {"c1", "c2", "c3"}},
                             {"u2", {"c1", "c3", "c2"}},
                             {"u3", {"c2", "c1", "c3"}},
                             {"u4", {"c3", "c1", "c2"}},
                             {"u5", {}}};
  auto totals = Tally(m, s, AllCandidates(s), votes);
  ASSERT_TRUE(totals.ok());
  auto o = ComputeOutcome(m, s, AllCandidates(s), *totals, AllPresentCounts(m, votes));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  // c1 leads on points but has 2 first places of 5 present: not more than half.
  EXPECT_TRUE(o->no_winner());
  EXPECT_EQ(o->elected_size(), 0);
  EXPECT_EQ(o->candidates(0).candidate_id(), "c1");
  EXPECT_NE(
      AllNotes(*o).find("First place needs more than 50% of delegates present in rank-1 votes (3)"),
      std::string::npos)
      << AllNotes(*o);
  s.mutable_first_place_share()->set_num(2);
  s.mutable_first_place_share()->set_den(5);
  s.mutable_first_place_share()->set_at_least(true);
  o = ComputeOutcome(m, s, AllCandidates(s), *totals, AllPresentCounts(m, votes));
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->no_winner());
  EXPECT_EQ(o->elected(0), "c1");
}

TEST(OutcomeTest, WeightedUnitDecides) {
  v1::Meeting m = UnitsMeeting(3);
  m.mutable_units(0)->set_weight(3);  // u1 carries 3 votes: members = 5
  auto s = Spec(v1::KIND_ELECT_ONE, 2, true);
  std::vector<Vote> votes = {{"u1", {"c2"}}, {"u2", {"c1"}}, {"u3", {"c1"}}};
  auto totals = Tally(m, s, AllCandidates(s), votes);
  ASSERT_TRUE(totals.ok());
  auto counts = AllPresentCounts(m, votes);
  EXPECT_EQ(counts.present_votes(), 5u);
  EXPECT_EQ(counts.present_units(), 3u);
  auto o = ComputeOutcome(m, s, AllCandidates(s), *totals, counts);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ASSERT_EQ(o->elected_size(), 1);
  EXPECT_EQ(o->elected(0), "c2");
  EXPECT_EQ(o->candidates(0).votes(), 3u);
  EXPECT_EQ(o->base_votes(), 5u);
}

// u4 is absent; its vote is carried by a proxy and cast separately. On the
// members' base (5) the proxy's vote decides: 3 of 5 is more than half,
// 2 of 5 is not.
TEST(OutcomeTest, ProxyVoteCountsInThePresentAndDecides) {
  v1::Meeting m = UnitsMeeting(5);
  auto s = Spec(v1::KIND_ELECT_ONE, 2);
  s.set_base(v1::BASE_MEMBERS);
  for (bool with_proxy : {true, false}) {
    Attendance a;
    a.in_hall = {"u1", "u2", "u3"};
    std::vector<Vote> votes = {{"u1", {"c1"}}, {"u2", {"c1"}}, {"u3", {"c2"}}};
    if (with_proxy) {
      a.by_proxy = {"u4"};
      votes.push_back({"u4", {"c1"}});
    }
    auto counts = CountsAtOpening(m, a);
    ASSERT_TRUE(counts.ok()) << counts.status().ToString();
    std::vector<std::string> voted;
    for (const auto& v : votes) voted.push_back(v.unit);
    ASSERT_TRUE(AddElectronicBallots(m, voted, &*counts).ok());
    EXPECT_EQ(counts->present_units(), with_proxy ? 4u : 3u);
    EXPECT_EQ(counts->proxy_units(), with_proxy ? 1u : 0u);
    auto totals = Tally(m, s, AllCandidates(s), votes);
    ASSERT_TRUE(totals.ok()) << totals.status().ToString();
    auto o = ComputeOutcome(m, s, AllCandidates(s), *totals, *counts);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    EXPECT_EQ(o->no_winner(), !with_proxy) << (with_proxy ? "with" : "without") << " the proxy";
    if (with_proxy) {
      ASSERT_EQ(o->elected_size(), 1);
      EXPECT_EQ(o->elected(0), "c1");
      EXPECT_EQ(o->counts().proxy_units(), 1u);
    }
  }
}

// Paper ballots add to the totals and the counts: 2 electronic votes for c1,
// a paper batch of u3 (c2), u4 (blank) and u5 (invalid). Valid = 4 (blank
// included), invalid 1; on the valid base c1's 2 of 4 is not more than half.
TEST(OutcomeTest, PaperBatchCountsLikeBallots) {
  v1::Meeting m = UnitsMeeting(5);
  auto s = Spec(v1::KIND_ELECT_ONE, 2);
  s.set_base(v1::BASE_VALID);
  Attendance a;
  a.in_hall = {"u1", "u2", "u3", "u4", "u5"};
  auto counts = CountsAtOpening(m, a);
  ASSERT_TRUE(counts.ok());
  ASSERT_TRUE(AddElectronicBallots(m, {"u1", "u2"}, &*counts).ok());
  ASSERT_TRUE(AddPaperBatch(m, {"u3", "u4", "u5"}, 1, &*counts).ok());
  std::vector<uint64_t> totals = {2 + 0, 0 + 1, 0 + 1};  // electronic + paper: c1, c2, blank
  auto o = ComputeOutcome(m, s, AllCandidates(s), totals, *counts);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->counts().received_units(), 5u);
  EXPECT_EQ(o->counts().paper_units(), 3u);
  EXPECT_EQ(o->counts().valid_votes(), 4u);
  EXPECT_EQ(o->counts().blank_votes(), 1u);
  EXPECT_EQ(o->counts().invalid_votes(), 1u);
  EXPECT_EQ(o->base_votes(), 4u);
  EXPECT_TRUE(o->no_winner());
}

TEST(OutcomeTest, TotalsThatDoNotAddUpAreRefused) {
  v1::Meeting m = UnitsMeeting(3);
  auto s = Spec(v1::KIND_ELECT_ONE, 2);
  v1::Counts counts;
  counts.set_present_votes(3);
  counts.set_valid_votes(3);
  // c1, c2, blank: 2 + 2 + 0 = 4 marks for 3 valid votes.
  auto o = ComputeOutcome(m, s, AllCandidates(s), {2, 2, 0}, counts);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("do not add up"), std::string::npos);
  EXPECT_FALSE(ComputeOutcome(m, s, AllCandidates(s), {1, 2}, counts).ok());  // wrong length
  auto a = Spec(v1::KIND_APPROVE, 3);
  a.set_max_approvals(2);
  EXPECT_FALSE(ComputeOutcome(m, a, AllCandidates(a), {3, 3, 1, 0}, counts).ok());  // 7 > 2·3
}

TEST(OutcomeTest, BlankVotesComeFromTheBlankCell) {
  v1::Meeting m = UnitsMeeting(4);
  auto s = Spec(v1::KIND_ELECT_ONE, 2);
  std::vector<Vote> votes = {{"u1", {"c1"}}, {"u2", {"c1"}}, {"u3", {"c1"}}, {"u4", {}}};
  auto totals = Tally(m, s, AllCandidates(s), votes);
  ASSERT_TRUE(totals.ok());
  auto o = ComputeOutcome(m, s, AllCandidates(s), *totals, AllPresentCounts(m, votes));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->counts().blank_votes(), 1u);
  EXPECT_EQ(o->counts().valid_votes(), 4u);
  EXPECT_EQ(o->elected(0), "c1");
}

TEST(OutcomeTest, SecondRoundAmongTheNamed) {
  v1::Meeting m = UnitsMeeting(7);
  auto s = Spec(v1::KIND_ELECT_ONE, 4);
  std::vector<Vote> votes = {{"u1", {"c1"}}, {"u2", {"c3"}}, {"u3", {"c3"}}, {"u4", {"c1"}},
                             {"u5", {"c1"}}, {"u6", {"c3"}}, {"u7", {"c1"}}};
  const Ids run = {"c1", "c3"};
  auto totals = Tally(m, s, run, votes);
  ASSERT_TRUE(totals.ok());
  ASSERT_EQ(totals->size(), 3u);
  auto o = ComputeOutcome(m, s, run, *totals, AllPresentCounts(m, votes));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->candidates_size(), 2);
  EXPECT_EQ(o->elected(0), "c1");
}

TEST(OutcomeTest, Names) {
  EXPECT_EQ(RankNameVi(1), "Nhất");
  EXPECT_EQ(RankNameVi(2), "Nhì");
  EXPECT_EQ(RankNameVi(3), "Ba");
  EXPECT_EQ(RankNameVi(7), "7");
}

}  // namespace
}  // namespace phieu::rules

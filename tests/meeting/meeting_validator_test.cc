#include "core/meeting/meeting_validator.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/meeting/meeting_defaults.h"
#include "core/meeting/meeting_file.h"

namespace phieu::meeting {
namespace {

constexpr char kBase[] = R"(
id: "m" title: "Hội nghị" date: "2024-08-02"
units { id: "a" name: "A" } units { id: "b" name: "B" } units { id: "c" name: "C" }
units { id: "d" name: "D" }
participants { id: "pa" name: "P A" roles: [ROLE_CHAIR, ROLE_DELEGATE] unit_id: "a" }
participants { id: "pb" name: "P B" roles: [ROLE_DELEGATE, ROLE_TELLER] unit_id: "b" }
participants { id: "pc" name: "P C" roles: [ROLE_DELEGATE, ROLE_TELLER] unit_id: "c" }
participants { id: "pd" name: "P D" roles: [ROLE_DELEGATE, ROLE_TELLER] unit_id: "d" }
participants { id: "obs" name: "Khách" roles: [ROLE_OBSERVER] }
tellers { participant_ids: ["pb", "pc", "pd"] threshold: 2 }
ballots { id: "one" question: "Q" kind: KIND_ELECT_ONE
  candidates { id: "a" name: "A" unit_id: "a" } candidates { id: "b" name: "B" unit_id: "b" } }
ballots { id: "bang-khen" question: "Q" kind: KIND_APPROVE seats: 2
  candidates { id: "a" name: "A" } candidates { id: "b" name: "B" } candidates { id: "c" name: "C" } }
ballots { id: "rank" question: "Q" kind: KIND_RANK ranks: 2
  candidates { id: "a" name: "A" } candidates { id: "b" name: "B" } candidates { id: "c" name: "C" } }
ballots { id: "yn" question: "Q" kind: KIND_YES_NO_ABSTAIN candidates { id: "x" name: "X" } }
)";

v1::Meeting Base() {
  auto m = ParseMeeting(kBase);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return *m;
}

TEST(MeetingValidatorTest, BaseIsValid) {
  EXPECT_TRUE(ValidateMeeting(Base()).ok()) << ValidateMeeting(Base()).ToString();
}

TEST(MeetingValidatorTest, NamesTheFirstProblem) {
  struct Case {
    const char* what;
    std::function<void(v1::Meeting&)> mutate;
    const char* want;
  };
  auto ballot = [](v1::Meeting& m, const char* id) -> v1::BallotSpec& {
    for (auto& b : *m.mutable_ballots()) {
      if (b.id() == id) return b;
    }
    return *m.add_ballots();
  };
  const Case cases[] = {
      {"bad meeting id", [](v1::Meeting& m) { m.set_id("M_1"); },
       "meeting id 'M_1' is not [a-z0-9-]+"},
      {"bad date", [](v1::Meeting& m) { m.set_date("2023-02-29"); }, "meeting date '2023-02-29'"},
      {"unknown zone", [](v1::Meeting& m) { m.set_time_zone("Mars/Base"); },
       "time zone 'Mars/Base'"},
      {"duplicate unit", [](v1::Meeting& m) { m.add_units()->CopyFrom(m.units(0)); },
       "duplicate unit id 'a'"},
      {"bad unit id", [](v1::Meeting& m) { m.mutable_units(1)->set_id("B"); },
       "unit id 'B' is not"},
      {"duplicate participant",
       [](v1::Meeting& m) { m.add_participants()->CopyFrom(m.participants(4)); },
       "duplicate participant id 'obs'"},
      {"delegate without unit", [](v1::Meeting& m) { m.mutable_participants(1)->clear_unit_id(); },
       "participant 'pb' is a delegate without a unit"},
      {"unknown unit", [](v1::Meeting& m) { m.mutable_participants(1)->set_unit_id("zz"); },
       "participant 'pb': unit 'zz' is not a member unit"},
      {"two delegates", [](v1::Meeting& m) { m.mutable_participants(2)->set_unit_id("b"); },
       "unit 'b' has two delegates: 'pb' and 'pc'"},
      {"no chair",
       [](v1::Meeting& m) { m.mutable_participants(0)->set_roles(0, v1::ROLE_OBSERVER); },
       "no participant has ROLE_CHAIR"},
      {"teller not a participant",
       [](v1::Meeting& m) { m.mutable_tellers()->set_participant_ids(0, "ghost"); },
       "tellers: 'ghost' is not a participant"},
      {"teller lacks role",
       [](v1::Meeting& m) { m.mutable_tellers()->set_participant_ids(2, "pa"); },
       "tellers: participant 'pa' lacks ROLE_TELLER"},
      {"threshold > n", [](v1::Meeting& m) { m.mutable_tellers()->set_threshold(4); },
       "tellers: threshold 4 exceeds 3 tellers"},
      {"t < 2", [](v1::Meeting& m) { m.mutable_tellers()->set_threshold(1); },
       "threshold 1 lets one teller decrypt alone"},
      {"too few tellers",
       [](v1::Meeting& m) {
         m.mutable_tellers()->mutable_participant_ids()->RemoveLast();
         m.mutable_participants(3)->mutable_roles()->RemoveLast();
       },
       "tellers: 2 tellers; at least 3"},
      {"tellers of one unit",
       [](v1::Meeting& m) {
         auto* p = m.add_participants();
         p->set_id("pb2");
         p->set_name("P B2");
         p->add_roles(v1::ROLE_TELLER);
         p->set_unit_id("b");
         m.mutable_tellers()->set_participant_ids(2, "pb2");
         m.mutable_participants(3)->mutable_roles()->RemoveLast();
       },
       "tellers: 'pb' and 'pb2' are both from unit 'b'"},
      {"max_approvals > n", [&](v1::Meeting& m) { ballot(m, "bang-khen").set_max_approvals(9); },
       "ballot 'bang-khen': max_approvals 9 exceeds 3 candidates"},
      {"seats > k", [&](v1::Meeting& m) { ballot(m, "bang-khen").set_max_approvals(1); },
       "ballot 'bang-khen': seats 2 exceed max_approvals 1"},
      {"ranks > n", [&](v1::Meeting& m) { ballot(m, "rank").set_ranks(4); },
       "ballot 'rank': ranks 4 exceeds 3 candidates"},
      {"elect one seats", [&](v1::Meeting& m) { ballot(m, "one").set_seats(2); },
       "ballot 'one': seats 2 on an elect-one ballot"},
      {"share den 0", [&](v1::Meeting& m) { ballot(m, "one").mutable_share()->set_num(1); },
       "ballot 'one': share: den is 0"},
      {"share > 1",
       [&](v1::Meeting& m) {
         ballot(m, "one").mutable_share()->set_num(3);
         ballot(m, "one").mutable_share()->set_den(2);
       },
       "ballot 'one': share: 3/2 is more than 1"},
      {"quorum den 0", [](v1::Meeting& m) { m.mutable_quorum()->set_num(2); }, "quorum: den is 0"},
      {"duplicate candidate",
       [&](v1::Meeting& m) {
         ballot(m, "one").add_candidates()->CopyFrom(ballot(m, "one").candidates(0));
       },
       "ballot 'one': duplicate candidate id 'a'"},
      {"candidate unit unknown",
       [&](v1::Meeting& m) { ballot(m, "one").mutable_candidates(0)->set_unit_id("q"); },
       "ballot 'one': candidate 'a': unit 'q' is not a member unit"},
      {"duplicate ballot", [](v1::Meeting& m) { m.add_ballots()->CopyFrom(m.ballots(0)); },
       "duplicate ballot id 'one'"},
      {"no kind", [&](v1::Meeting& m) { ballot(m, "yn").set_kind(v1::KIND_UNSPECIFIED); },
       "ballot 'yn': kind is not set"},
      {"precedence without list",
       [&](v1::Meeting& m) { ballot(m, "one").set_tie_rule(v1::TIE_PRECEDENCE); },
       "ballot 'one': tie_rule TIE_PRECEDENCE but the meeting has no precedence list"},
      {"precedence unknown unit", [](v1::Meeting& m) { m.add_precedence("zz"); },
       "precedence: 'zz' is not a member unit"},
      {"share on rank",
       [&](v1::Meeting& m) { *ballot(m, "rank").mutable_share() = MakeShare(1, 2, false); },
       "ballot 'rank': share on a rank ballot"},
      {"demo vote unknown ballot",
       [](v1::Meeting& m) {
         auto* v = m.add_demo_votes();
         v->set_ballot_id("nope");
         v->set_unit_id("a");
       },
       "demo vote: ballot 'nope'"},
      {"demo vote twice",
       [](v1::Meeting& m) {
         for (int i = 0; i < 2; ++i) {
           auto* v = m.add_demo_votes();
           v->set_ballot_id("one");
           v->set_unit_id("a");
         }
       },
       "unit 'a' votes twice"},
  };
  for (const auto& c : cases) {
    v1::Meeting m = Base();
    c.mutate(m);
    Status s = ValidateMeeting(m);
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.what;
    EXPECT_NE(s.message().find(c.want), std::string::npos) << c.what << ": " << s.message();
  }
}

TEST(MeetingValidatorTest, DemoFlagAllowsOneTeller) {
  v1::Meeting m = Base();
  m.mutable_tellers()->clear_participant_ids();
  m.mutable_tellers()->add_participant_ids("pb");
  m.mutable_tellers()->set_threshold(1);
  for (int i : {2, 3}) m.mutable_participants(i)->mutable_roles()->RemoveLast();
  EXPECT_FALSE(ValidateMeeting(m).ok());
  m.mutable_tellers()->set_demo_single_teller(true);
  EXPECT_TRUE(ValidateMeeting(m).ok()) << ValidateMeeting(m).ToString();
}

TEST(MeetingValidatorTest, Ids) {
  EXPECT_TRUE(IsValidId("son-la"));
  EXPECT_TRUE(IsValidId("a1"));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("Sơn La"));
  EXPECT_FALSE(IsValidId("a_b"));
  EXPECT_FALSE(IsValidId(std::string(65, 'a')));
}

}  // namespace
}  // namespace phieu::meeting

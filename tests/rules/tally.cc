#include "tests/rules/tally.h"

#include "core/meeting/meeting_defaults.h"
#include "core/rules/counts.h"
#include "core/rules/layout.h"

namespace phieu::rules::testing {

Result<std::vector<uint64_t>> Tally(const v1::Meeting& meeting, const v1::BallotSpec& spec,
                                    const std::vector<std::string>& run,
                                    const std::vector<Vote>& votes) {
  ASSIGN_OR_RETURN(v1::BallotLayout full, FullLayout(spec, run));
  std::vector<uint64_t> totals(full.cells_size(), 0);
  for (const auto& v : votes) {
    ASSIGN_OR_RETURN(v1::BallotLayout mine, VoterLayout(spec, run, v.unit));
    ASSIGN_OR_RETURN(std::vector<uint32_t> marks, MarksFor(mine, spec, v.choices, v.unit));
    RETURN_IF_ERROR(CheckMarks(mine, marks));
    const uint32_t w = meeting::EffectiveWeight(meeting, v.unit);
    for (int i = 0; i < mine.cells_size(); ++i) {
      ASSIGN_OR_RETURN(uint32_t at, FullIndex(full, mine.cells(i)));
      totals[at] += static_cast<uint64_t>(marks[i]) * w;
    }
  }
  return totals;
}

v1::Counts AllPresentCounts(const v1::Meeting& meeting, const std::vector<Vote>& votes) {
  Attendance a;
  for (const auto& u : meeting.units()) a.in_hall.push_back(u.id());
  auto c = CountsAtOpening(meeting, a);
  std::vector<std::string> units;
  for (const auto& v : votes) units.push_back(v.unit);
  Status s = AddElectronicBallots(meeting, units, &*c);
  (void)s;
  return *c;
}

v1::Meeting UnitsMeeting(int n) {
  v1::Meeting m;
  m.set_id("m");
  for (int i = 1; i <= n; ++i) {
    auto* u = m.add_units();
    u->set_id("u" + std::to_string(i));
    u->set_name("Unit " + std::to_string(i));
  }
  return m;
}

v1::BallotSpec Spec(v1::BallotKind kind, int m, bool of_units) {
  v1::BallotSpec s;
  s.set_id("b");
  s.set_question("Q");
  s.set_kind(kind);
  for (int i = 1; i <= m; ++i) {
    auto* c = s.add_candidates();
    c->set_id("c" + std::to_string(i));
    c->set_name("C" + std::to_string(i));
    if (of_units) c->set_unit_id("u" + std::to_string(i));
  }
  return s;
}

}  // namespace phieu::rules::testing

#include "core/meeting/meeting_defaults.h"

#include <algorithm>

namespace phieu::meeting {

uint32_t EffectiveWeight(const v1::Unit& unit) { return unit.weight() == 0 ? 1 : unit.weight(); }

uint32_t EffectiveWeight(const v1::Meeting& meeting, const std::string& unit_id) {
  for (const auto& u : meeting.units()) {
    if (u.id() == unit_id) return EffectiveWeight(u);
  }
  return 1;
}

uint64_t MembersVotes(const v1::Meeting& meeting) {
  uint64_t sum = 0;
  for (const auto& u : meeting.units()) sum += EffectiveWeight(u);
  return sum;
}

bool AnyWeighted(const v1::Meeting& meeting) {
  return std::any_of(meeting.units().begin(), meeting.units().end(),
                     [](const v1::Unit& u) { return EffectiveWeight(u) != 1; });
}

uint32_t EffectiveSeats(const v1::BallotSpec& spec) {
  switch (spec.kind()) {
    case v1::KIND_ELECT_ONE:
      return 1;
    case v1::KIND_APPROVE:
      if (spec.seats() != 0) return spec.seats();
      return spec.max_approvals() != 0 ? spec.max_approvals() : 1;
    case v1::KIND_RANK:
      return spec.seats() != 0 ? spec.seats() : EffectiveRanks(spec);
    case v1::KIND_YES_NO_ABSTAIN:
      // Every item is decided on its own.
      return static_cast<uint32_t>(spec.candidates_size());
    default:
      return spec.seats() != 0 ? spec.seats() : 1;
  }
}

uint32_t EffectiveMaxApprovals(const v1::BallotSpec& spec) {
  if (spec.kind() == v1::KIND_ELECT_ONE) return 1;
  if (spec.max_approvals() != 0) return spec.max_approvals();
  return EffectiveSeats(spec);
}

uint32_t EffectiveRanks(const v1::BallotSpec& spec) { return spec.ranks() != 0 ? spec.ranks() : 3; }

v1::Share MakeShare(uint32_t num, uint32_t den, bool at_least) {
  v1::Share s;
  s.set_num(num);
  s.set_den(den);
  s.set_at_least(at_least);
  return s;
}

v1::Share EffectiveShare(const v1::BallotSpec& spec) {
  return spec.has_share() ? spec.share() : MakeShare(1, 2, false);
}

v1::Base EffectiveBase(const v1::BallotSpec& spec) {
  return spec.base() == v1::BASE_UNSPECIFIED ? v1::BASE_PRESENT : spec.base();
}

v1::TieRule EffectiveTieRule(const v1::BallotSpec& spec) {
  return spec.tie_rule() == v1::TIE_UNSPECIFIED ? v1::TIE_REPORT : spec.tie_rule();
}

v1::Share EffectiveQuorum(const v1::Meeting& meeting) {
  return meeting.has_quorum() ? meeting.quorum() : MakeShare(2, 3, true);
}

uint32_t EffectiveThreshold(const v1::TellerSettings& tellers) {
  if (tellers.threshold() != 0) return tellers.threshold();
  return static_cast<uint32_t>(tellers.participant_ids_size()) / 2 + 1;
}

uint32_t MinBallots(const v1::Meeting& meeting) {
  if (meeting.tellers().min_ballots() != 0) return meeting.tellers().min_ballots();
  return std::min<uint32_t>(3, static_cast<uint32_t>(meeting.units_size()));
}

std::string EffectiveTimeZone(const v1::Meeting& meeting) {
  return meeting.time_zone().empty() ? std::string(kDefaultTimeZone) : meeting.time_zone();
}

}  // namespace phieu::meeting

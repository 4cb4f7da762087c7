#include "core/rules/counts.h"

#include <set>

#include "core/meeting/meeting_defaults.h"
#include "core/rules/share.h"

namespace phieu::rules {
namespace {

bool IsUnit(const v1::Meeting& m, const std::string& id) {
  for (const auto& u : m.units()) {
    if (u.id() == id) return true;
  }
  return false;
}

// Sum of the weights of `units`; each must be a member unit, none twice
// across the calls sharing `seen`.
Result<uint64_t> Votes(const v1::Meeting& m, const std::vector<std::string>& units,
                       std::set<std::string>* seen, const char* what) {
  uint64_t sum = 0;
  for (const auto& u : units) {
    if (!IsUnit(m, u))
      return InvalidArgument(std::string(what) + ": '" + u + "' is not a member unit");
    if (!seen->insert(u).second)
      return InvalidArgument(std::string(what) + ": unit '" + u + "' counted twice");
    sum += meeting::EffectiveWeight(m, u);
  }
  return sum;
}

}  // namespace

Result<v1::Counts> CountsAtOpening(const v1::Meeting& m, const Attendance& a) {
  std::set<std::string> seen;
  ASSIGN_OR_RETURN(uint64_t hall, Votes(m, a.in_hall, &seen, "attendance"));
  ASSIGN_OR_RETURN(uint64_t remote, Votes(m, a.remote, &seen, "attendance"));
  ASSIGN_OR_RETURN(uint64_t proxy, Votes(m, a.by_proxy, &seen, "attendance"));
  v1::Counts c;
  c.set_members_units(static_cast<uint32_t>(m.units_size()));
  c.set_members_votes(static_cast<uint32_t>(meeting::MembersVotes(m)));
  const bool remote_counts = !m.remote_not_present();
  c.set_present_units(static_cast<uint32_t>(a.in_hall.size() + a.by_proxy.size() +
                                            (remote_counts ? a.remote.size() : 0)));
  c.set_present_votes(static_cast<uint32_t>(hall + proxy + (remote_counts ? remote : 0)));
  c.set_remote_units(static_cast<uint32_t>(a.remote.size()));
  c.set_proxy_units(static_cast<uint32_t>(a.by_proxy.size()));
  c.set_issued_votes(static_cast<uint32_t>(hall + remote + proxy));
  return c;
}

Status AddElectronicBallots(const v1::Meeting& m, const std::vector<std::string>& units,
                            v1::Counts* counts) {
  std::set<std::string> seen;
  ASSIGN_OR_RETURN(uint64_t votes, Votes(m, units, &seen, "ballots"));
  counts->set_received_units(counts->received_units() + static_cast<uint32_t>(units.size()));
  counts->set_received_votes(counts->received_votes() + static_cast<uint32_t>(votes));
  counts->set_valid_votes(counts->valid_votes() + static_cast<uint32_t>(votes));
  return Status::Ok();
}

Status AddPaperBatch(const v1::Meeting& m, const std::vector<std::string>& units,
                     uint32_t invalid_votes, v1::Counts* counts) {
  std::set<std::string> seen;
  ASSIGN_OR_RETURN(uint64_t votes, Votes(m, units, &seen, "paper batch"));
  if (invalid_votes > votes) {
    return InvalidArgument("paper batch: " + std::to_string(invalid_votes) +
                           " invalid votes in a batch of " + std::to_string(votes) + " votes");
  }
  counts->set_received_units(counts->received_units() + static_cast<uint32_t>(units.size()));
  counts->set_received_votes(counts->received_votes() + static_cast<uint32_t>(votes));
  counts->set_valid_votes(counts->valid_votes() + static_cast<uint32_t>(votes - invalid_votes));
  counts->set_invalid_votes(counts->invalid_votes() + invalid_votes);
  counts->set_paper_units(counts->paper_units() + static_cast<uint32_t>(units.size()));
  return Status::Ok();
}

Status CheckQuorum(const v1::Meeting& m, uint64_t present_votes) {
  const v1::Share q = meeting::EffectiveQuorum(m);
  const uint64_t members = meeting::MembersVotes(m);
  if (MeetsShare(present_votes, members, q)) return Status::Ok();
  return FailedPrecondition("quorum not met: " + std::to_string(present_votes) + " of " +
                            std::to_string(members) + " votes present, " + ShareText(q, Lang::kEn) +
                            " (" + std::to_string(MinVotesFor(members, q)) + " votes) needed");
}

}  // namespace phieu::rules

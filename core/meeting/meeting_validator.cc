#include "core/meeting/meeting_validator.h"

#include <map>
#include <set>
#include <string>

#include "core/meeting/meeting_defaults.h"
#include "core/meeting/time_zone.h"

namespace phieu::meeting {
namespace {

bool HasRole(const v1::Participant& p, v1::Role role) {
  for (int r : p.roles()) {
    if (r == role) return true;
  }
  return false;
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

bool ValidDate(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  int y = std::stoi(d.substr(0, 4)), m = std::stoi(d.substr(5, 2)), day = std::stoi(d.substr(8, 2));
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || day < 1 || day > kDays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && day == 29 && !leap);
}

Status ValidateBallot(const v1::Meeting& meeting, const v1::BallotSpec& b,
                      const std::set<std::string>& units) {
  const std::string where = "ballot " + Quote(b.id());
  auto fail = [&](const std::string& what) { return InvalidArgument(where + ": " + what); };
  if (b.question().empty()) return fail("question is empty");
  if (b.kind() != v1::KIND_ELECT_ONE && b.kind() != v1::KIND_APPROVE && b.kind() != v1::KIND_RANK &&
      b.kind() != v1::KIND_YES_NO_ABSTAIN) {
    return fail("kind is not set (KIND_ELECT_ONE, KIND_APPROVE, KIND_RANK or KIND_YES_NO_ABSTAIN)");
  }
  const bool yes_no = b.kind() == v1::KIND_YES_NO_ABSTAIN;
  const char* noun = yes_no ? "item" : "candidate";
  if (b.candidates_size() == 0) return fail(std::string("no ") + noun + "s");
  std::set<std::string> ids;
  for (const auto& c : b.candidates()) {
    if (!IsValidId(c.id()))
      return fail(std::string(noun) + " id " + Quote(c.id()) + " is not [a-z0-9-]+");
    if (!ids.insert(c.id()).second)
      return fail("duplicate " + std::string(noun) + " id " + Quote(c.id()));
    if (c.name().empty()) return fail(std::string(noun) + " " + Quote(c.id()) + " has no name");
    if (!c.unit_id().empty() && !units.count(c.unit_id())) {
      return fail(std::string(noun) + " " + Quote(c.id()) + ": unit " + Quote(c.unit_id()) +
                  " is not a member unit");
    }
  }
  const uint32_t n = static_cast<uint32_t>(b.candidates_size());
  const std::string n_text = std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
  switch (b.kind()) {
    case v1::KIND_ELECT_ONE:
      if (b.seats() > 1)
        return fail("seats " + std::to_string(b.seats()) +
                    " on an elect-one ballot (use KIND_APPROVE)");
      if (b.max_approvals() > 1) return fail("max_approvals on an elect-one ballot");
      if (b.ranks() != 0) return fail("ranks on an elect-one ballot");
      break;
    case v1::KIND_APPROVE: {
      if (b.max_approvals() > n) {
        return fail("max_approvals " + std::to_string(b.max_approvals()) + " exceeds " + n_text);
      }
      if (b.seats() > n) return fail("seats " + std::to_string(b.seats()) + " exceeds " + n_text);
      if (EffectiveSeats(b) > EffectiveMaxApprovals(b)) {
        return fail("seats " + std::to_string(EffectiveSeats(b)) + " exceed max_approvals " +
                    std::to_string(EffectiveMaxApprovals(b)));
      }
      if (b.ranks() != 0) return fail("ranks on an approve ballot");
      break;
    }
    case v1::KIND_RANK:
      if (EffectiveRanks(b) > n)
        return fail("ranks " + std::to_string(EffectiveRanks(b)) + " exceeds " + n_text);
      if (EffectiveRanks(b) > 10)
        return fail("ranks " + std::to_string(EffectiveRanks(b)) + " exceeds 10");
      if (b.seats() > n) return fail("seats " + std::to_string(b.seats()) + " exceeds " + n_text);
      if (b.max_approvals() != 0) return fail("max_approvals on a rank ballot");
      if (b.has_share()) return fail("share on a rank ballot (use first_place_share)");
      break;
    case v1::KIND_YES_NO_ABSTAIN:
      if (b.seats() != 0)
        return fail("seats on a yes/no/abstain ballot (each item is decided on its own)");
      if (b.max_approvals() != 0 || b.ranks() != 0)
        return fail("max_approvals or ranks on a yes/no/abstain ballot");
      break;
    default:
      break;
  }
  if (b.kind() != v1::KIND_RANK && b.require_full_ranking()) {
    return fail("require_full_ranking on a ballot that is not KIND_RANK");
  }
  if (b.kind() != v1::KIND_RANK && b.has_first_place_share()) {
    return fail("first_place_share on a ballot that is not KIND_RANK");
  }
  if (b.has_share()) RETURN_IF_ERROR(ValidateShare(b.share(), where + ": share"));
  if (b.has_first_place_share()) {
    RETURN_IF_ERROR(ValidateShare(b.first_place_share(), where + ": first_place_share"));
  }
  if (!v1::Base_IsValid(b.base())) return fail("unknown base " + std::to_string(b.base()));
  if (!v1::TieRule_IsValid(b.tie_rule()))
    return fail("unknown tie_rule " + std::to_string(b.tie_rule()));
  if (b.tie_rule() == v1::TIE_PRECEDENCE && meeting.precedence_size() == 0) {
    return fail("tie_rule TIE_PRECEDENCE but the meeting has no precedence list");
  }
  return Status::Ok();
}

}  // namespace

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Status ValidateShare(const v1::Share& share, std::string_view what) {
  if (share.den() == 0) return InvalidArgument(std::string(what) + ": den is 0");
  if (share.num() > share.den()) {
    return InvalidArgument(std::string(what) + ": " + std::to_string(share.num()) + "/" +
                           std::to_string(share.den()) + " is more than 1");
  }
  return Status::Ok();
}

Status ValidateMeeting(const v1::Meeting& m) {
  if (!IsValidId(m.id()))
    return InvalidArgument("meeting id " + Quote(m.id()) + " is not [a-z0-9-]+");
  if (m.title().empty()) return InvalidArgument("meeting title is empty");
  if (!ValidDate(m.date()))
    return InvalidArgument("meeting date " + Quote(m.date()) + " is not YYYY-MM-DD");
  RETURN_IF_ERROR(UtcOffsetMinutes(EffectiveTimeZone(m)).status());

  // Units.
  if (m.units_size() == 0) return InvalidArgument("no member units");
  std::set<std::string> units;
  for (const auto& u : m.units()) {
    if (!IsValidId(u.id()))
      return InvalidArgument("unit id " + Quote(u.id()) + " is not [a-z0-9-]+");
    if (!units.insert(u.id()).second) return InvalidArgument("duplicate unit id " + Quote(u.id()));
    if (u.name().empty()) return InvalidArgument("unit " + Quote(u.id()) + " has no name");
    if (u.weight() > 1000) {
      return InvalidArgument("unit " + Quote(u.id()) + ": weight " + std::to_string(u.weight()) +
                             " exceeds 1000");
    }
  }

  // Participants.
  std::map<std::string, const v1::Participant*> people;
  std::map<std::string, std::string> delegate_of;  // unit -> participant
  bool have_chair = false;
  for (const auto& p : m.participants()) {
    const std::string where = "participant " + Quote(p.id());
    if (!IsValidId(p.id()))
      return InvalidArgument("participant id " + Quote(p.id()) + " is not [a-z0-9-]+");
    if (!people.emplace(p.id(), &p).second)
      return InvalidArgument("duplicate participant id " + Quote(p.id()));
    if (p.name().empty()) return InvalidArgument(where + " has no name");
    if (p.roles_size() == 0) return InvalidArgument(where + " has no role");
    std::set<int> roles;
    for (int r : p.roles()) {
      if (r == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(r)) {
        return InvalidArgument(where + ": unknown role " + std::to_string(r));
      }
      if (!roles.insert(r).second) return InvalidArgument(where + ": role listed twice");
    }
    if (!p.unit_id().empty() && !units.count(p.unit_id())) {
      return InvalidArgument(where + ": unit " + Quote(p.unit_id()) + " is not a member unit");
    }
    if (HasRole(p, v1::ROLE_DELEGATE)) {
      if (p.unit_id().empty()) return InvalidArgument(where + " is a delegate without a unit");
      auto [it, fresh] = delegate_of.emplace(p.unit_id(), p.id());
      if (!fresh) {
        return InvalidArgument("unit " + Quote(p.unit_id()) + " has two delegates: " +
                               Quote(it->second) + " and " + Quote(p.id()));
      }
    }
    if (HasRole(p, v1::ROLE_CHAIR)) have_chair = true;
  }
  if (!have_chair) return InvalidArgument("no participant has ROLE_CHAIR");

  // Tellers.
  const auto& t = m.tellers();
  const uint32_t n = static_cast<uint32_t>(t.participant_ids_size());
  if (n == 0) return InvalidArgument("tellers: none listed");
  std::set<std::string> tellers;
  std::map<std::string, std::string> teller_unit;
  for (const auto& id : t.participant_ids()) {
    auto it = people.find(id);
    if (it == people.end())
      return InvalidArgument("tellers: " + Quote(id) + " is not a participant");
    if (!tellers.insert(id).second)
      return InvalidArgument("tellers: " + Quote(id) + " listed twice");
    if (!HasRole(*it->second, v1::ROLE_TELLER)) {
      return InvalidArgument("tellers: participant " + Quote(id) + " lacks ROLE_TELLER");
    }
    const std::string& unit = it->second->unit_id();
    if (!unit.empty() && !t.demo_single_teller()) {
      auto [u, fresh] = teller_unit.emplace(unit, id);
      if (!fresh) {
        return InvalidArgument("tellers: " + Quote(u->second) + " and " + Quote(id) +
                               " are both from unit " + Quote(unit) +
                               " (tellers come from different units)");
      }
    }
  }
  for (const auto& p : m.participants()) {
    if (HasRole(p, v1::ROLE_TELLER) && !tellers.count(p.id())) {
      return InvalidArgument("participant " + Quote(p.id()) +
                             " has ROLE_TELLER but is not in tellers");
    }
  }
  const uint32_t threshold = EffectiveThreshold(t);
  if (threshold > n) {
    return InvalidArgument("tellers: threshold " + std::to_string(threshold) + " exceeds " +
                           std::to_string(n) + " tellers");
  }
  if (threshold < 2 && !t.demo_single_teller()) {
    return InvalidArgument("tellers: threshold " + std::to_string(threshold) +
                           " lets one teller decrypt alone (needs demo_single_teller: true)");
  }
  if (n < 3 && !t.demo_single_teller()) {
    return InvalidArgument("tellers: " + std::to_string(n) +
                           " tellers; at least 3 are required (or demo_single_teller: true)");
  }

  // Meeting-wide settings.
  if (m.has_quorum()) RETURN_IF_ERROR(ValidateShare(m.quorum(), "quorum"));
  std::set<std::string> prec;
  for (const auto& u : m.precedence()) {
    if (!units.count(u))
      return InvalidArgument("precedence: " + Quote(u) + " is not a member unit");
    if (!prec.insert(u).second) return InvalidArgument("precedence: " + Quote(u) + " listed twice");
  }

  // Ballots.
  std::map<std::string, const v1::BallotSpec*> ballots;
  for (const auto& b : m.ballots()) {
    if (!IsValidId(b.id()))
      return InvalidArgument("ballot id " + Quote(b.id()) + " is not [a-z0-9-]+");
    if (!ballots.emplace(b.id(), &b).second)
      return InvalidArgument("duplicate ballot id " + Quote(b.id()));
    RETURN_IF_ERROR(ValidateBallot(m, b, units));
  }

  // Demo votes (shape only; the rules check the choices against the layout).
  std::set<std::pair<std::string, std::string>> voted;
  for (const auto& v : m.demo_votes()) {
    if (!ballots.count(v.ballot_id())) {
      return InvalidArgument("demo vote: ballot " + Quote(v.ballot_id()) +
                             " is not in the meeting");
    }
    if (!units.count(v.unit_id())) {
      return InvalidArgument("demo vote on " + Quote(v.ballot_id()) + ": unit " +
                             Quote(v.unit_id()) + " is not a member unit");
    }
    if (!voted.emplace(v.ballot_id(), v.unit_id()).second) {
      return InvalidArgument("demo vote on " + Quote(v.ballot_id()) + ": unit " +
                             Quote(v.unit_id()) + " votes twice");
    }
  }
  return Status::Ok();
}

}  // namespace phieu::meeting

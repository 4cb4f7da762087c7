// The defaults of the meeting file, applied in ONE place. Every reader of a
// setting (rules, server, minutes, verifier) asks these accessors instead of
// reading a field whose zero value means "the default".
//
// Defaults (docs/meeting-file.md):
//   unit weight 0            -> 1
//   ELECT_ONE seats          -> 1
//   APPROVE seats 0          -> max_approvals, or 1;  max_approvals 0 -> seats
//   RANK ranks 0             -> 3;  seats 0 -> ranks
//   share unset              -> more than 1/2
//   base unset               -> BASE_PRESENT
//   quorum unset             -> at least 2/3 of the members' votes
//   tellers threshold 0      -> floor(n/2) + 1
//   min_ballots 0            -> 3, or the number of members when fewer
//   time_zone ""             -> Asia/Ho_Chi_Minh
//   tie_rule unset           -> TIE_REPORT
// Thread-safety: pure functions. They never fail: they assume a meeting that
// passed ValidateMeeting (an unknown unit id has weight 1).
#ifndef PHIEU_CORE_MEETING_MEETING_DEFAULTS_H_
#define PHIEU_CORE_MEETING_MEETING_DEFAULTS_H_

#include <cstdint>
#include <string>

#include "phieu/v1/meeting.pb.h"

namespace phieu::meeting {

inline constexpr char kDefaultTimeZone[] = "Asia/Ho_Chi_Minh";

uint32_t EffectiveWeight(const v1::Unit& unit);
// Weight of the unit with this id in the meeting (1 when not found).
uint32_t EffectiveWeight(const v1::Meeting& meeting, const std::string& unit_id);
// Sum of the weights of all member units.
uint64_t MembersVotes(const v1::Meeting& meeting);
// True when some unit carries a weight other than 1.
bool AnyWeighted(const v1::Meeting& meeting);

uint32_t EffectiveSeats(const v1::BallotSpec& spec);
uint32_t EffectiveMaxApprovals(const v1::BallotSpec& spec);
uint32_t EffectiveRanks(const v1::BallotSpec& spec);
v1::Share EffectiveShare(const v1::BallotSpec& spec);
v1::Base EffectiveBase(const v1::BallotSpec& spec);
v1::TieRule EffectiveTieRule(const v1::BallotSpec& spec);
v1::Share EffectiveQuorum(const v1::Meeting& meeting);
uint32_t EffectiveThreshold(const v1::TellerSettings& tellers);
uint32_t MinBallots(const v1::Meeting& meeting);
std::string EffectiveTimeZone(const v1::Meeting& meeting);

// Convenience: a Share value.
v1::Share MakeShare(uint32_t num, uint32_t den, bool at_least);

}  // namespace phieu::meeting

#endif  // PHIEU_CORE_MEETING_MEETING_DEFAULTS_H_

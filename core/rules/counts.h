// The counts of a run (members, present, issued, received, valid, blank,
// invalid, remote, proxy, paper) built the same way by the server and the
// verifier, and the quorum check that gates the opening of a ballot.
// Every count is in votes (unit weights) and, where the minutes show it, in
// units too (DECISIONS.md "Counting").
//
// Present = units checked in (in the hall, remote unless the meeting file says
// remote_not_present) plus units carried by proxy. Issued = every unit that
// may cast when the run opens (in the hall, remote, proxy), in votes.
//
// Errors: InvalidArgument for an unknown unit or a unit counted twice;
// FailedPrecondition from CheckQuorum with the numbers when it is not met.
// Thread-safety: pure functions.
#ifndef PHIEU_CORE_RULES_COUNTS_H_
#define PHIEU_CORE_RULES_COUNTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/util/status.h"
#include "phieu/v1/meeting.pb.h"
#include "phieu/v1/rules.pb.h"

namespace phieu::rules {

struct Attendance {
  std::vector<std::string> in_hall;   // units whose delegate checked in, in the hall
  std::vector<std::string> remote;    // units whose delegate checked in remotely
  std::vector<std::string> by_proxy;  // absent units whose vote a proxy carries
};

// Members, present, remote, proxy and issued counts when a run opens.
Result<v1::Counts> CountsAtOpening(const v1::Meeting& meeting, const Attendance& attendance);

// Adds the electronic ballots in the box at the close (one per unit): received
// and valid (an electronic ballot in the box passed every check).
Status AddElectronicBallots(const v1::Meeting& meeting, const std::vector<std::string>& units,
                            v1::Counts* counts);

// Adds a paper batch: the units whose paper ballots it holds and how many of
// its votes the tellers found invalid. Received += the units, valid += the
// rest, paper_units += the units.
Status AddPaperBatch(const v1::Meeting& meeting, const std::vector<std::string>& units,
                     uint32_t invalid_votes, v1::Counts* counts);

// OK when present_votes meets the meeting's quorum (default: at least 2/3 of
// the members' votes); otherwise FailedPrecondition, e.g. "quorum not met: 4
// of 7 votes present, at least 2/3 (5 votes) needed".
Status CheckQuorum(const v1::Meeting& meeting, uint64_t present_votes);

}  // namespace phieu::rules

#endif  // PHIEU_CORE_RULES_COUNTS_H_

// The outcome engine: a pure function from the decrypted per-cell totals of a
// run and the ballot's settings to its outcome (DESIGN.md "The meeting's
// rules", DECISIONS.md "Counting", docs/rules.md "Outcomes").
//
//   ELECT_ONE  the single top candidate wins if its votes meet the share of the
//              base; a tie at the top names the tied candidates for a second
//              round; nobody reaching the share names the top two plus any
//              candidate tied with the second.
//   APPROVE    candidates meeting the share pass; if more pass than seats the
//              highest win; a tie at the last seat is reported (TIE_REPORT) or
//              broken by the meeting's precedence list (TIE_PRECEDENCE);
//              seats nobody fills are stated.
//   RANK       Borda points (r for rank 1 ... 1 for rank r); ties broken by
//              more rank-1 votes, then rank-2, ...; a tie left is reported (or
//              broken by precedence); optional first_place_share.
//   YES_NO_ABSTAIN  each item passes when its yes votes meet the share.
// Every tie, "no winner" and unfilled seat is written in notes (en) and
// notes_vi, never left implicit. Shares are compared in exact integers.
//
// Errors: InvalidArgument when the totals do not fit the run's full layout
// (wrong length) or do not add up with the counts (e.g. ELECT_ONE: marks +
// blank != valid votes), or the spec is malformed.
// Thread-safety: pure function.
#ifndef PHIEU_CORE_RULES_OUTCOME_H_
#define PHIEU_CORE_RULES_OUTCOME_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/util/status.h"
#include "phieu/v1/meeting.pb.h"
#include "phieu/v1/rules.pb.h"

namespace phieu::rules {

// `full_totals`: votes per cell of FullLayout(spec, run_candidates), weights
// applied. `counts`: from counts.h; its blank_votes is replaced by the blank
// cell's total.
Result<v1::Outcome> ComputeOutcome(const v1::Meeting& meeting, const v1::BallotSpec& spec,
                                   const std::vector<std::string>& run_candidates,
                                   const std::vector<uint64_t>& full_totals,
                                   const v1::Counts& counts);

// The value of a base in `counts` (BASE_UNSPECIFIED means present).
uint64_t BaseVotes(const v1::Counts& counts, v1::Base base);

// "Nhất", "Nhì", "Ba", "Tư", "Năm", then the number.
std::string RankNameVi(uint32_t rank);

}  // namespace phieu::rules

#endif  // PHIEU_CORE_RULES_OUTCOME_H_

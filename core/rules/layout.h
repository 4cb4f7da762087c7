// Ballot layouts: the cells of a ballot and the constraints a valid ballot
// satisfies, for every kind. docs/rules.md ("Layouts") is the normative
// description; the crypto core proves each cell in [0,1] and each constraint's
// weighted sum in [lo, hi], so what is written here IS the rule a ballot is
// held to.
//
// Cell order (x = cell):
//   ELECT_ONE / APPROVE: one cell per candidate (ballot order), then blank.
//   RANK r:              for each candidate, cells for rank 1..r; then blank.
//   YES_NO_ABSTAIN:      for each item, cells yes, no, abstain; then blank.
// The blank cell (candidate_id "", option "blank") is absent when no_blank.
// A voter's layout (its ballot style) omits the cells of candidates of its own
// unit unless allow_self_vote; FullIndex maps its cells onto the full layout,
// into which every voter's cells are added.
//
// Errors: InvalidArgument for run candidates not on the ballot or repeated,
// an unknown kind, choices that break the rules (the message says, in plain
// words, what is wrong: "choose at most 3", "unknown candidate 'x'",
// "Sơn La cannot vote for itself"); FailedPrecondition when a voter has
// nothing it may validly mark. Messages never contain a voter's choices
// beyond the one that is refused, shown back to that voter.
// Thread-safety: pure functions.
#ifndef PHIEU_CORE_RULES_LAYOUT_H_
#define PHIEU_CORE_RULES_LAYOUT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/util/status.h"
#include "phieu/v1/crypto.pb.h"
#include "phieu/v1/meeting.pb.h"

namespace phieu::rules {

inline constexpr char kBlankOption[] = "blank";
inline constexpr char kYes[] = "yes";
inline constexpr char kNo[] = "no";
inline constexpr char kAbstain[] = "abstain";

// Every candidate id of the spec, in ballot order (the first round's run).
std::vector<std::string> AllCandidates(const v1::BallotSpec& spec);

// Every cell of the ballot for this run (no barring).
Result<v1::BallotLayout> FullLayout(const v1::BallotSpec& spec,
                                    const std::vector<std::string>& run_candidates);

// The ballot style of a delegate of `voter_unit`.
Result<v1::BallotLayout> VoterLayout(const v1::BallotSpec& spec,
                                     const std::vector<std::string>& run_candidates,
                                     const std::string& voter_unit);

// The 0/1 marks, in `voter_layout` cell order, for the choices as a voter
// gives them: candidate ids (RANK: in rank order); YES_NO_ABSTAIN: "yes" /
// "no" / "abstain" per item of the voter's ballot, in order; empty: a blank
// ballot. `voter_unit`, when given, lets the refusal of an own-unit candidate
// say so ("Sơn La cannot vote for itself").
Result<std::vector<uint32_t>> MarksFor(const v1::BallotLayout& voter_layout,
                                       const v1::BallotSpec& spec,
                                       const std::vector<std::string>& choices,
                                       const std::string& voter_unit = "");

// Index in `full` of the cell equal to `cell` (candidate, rank, option).
Result<uint32_t> FullIndex(const v1::BallotLayout& full, const v1::Cell& cell);

// Checks a layout's shape: every constraint's cells in range and as many
// coefficients as cells, lo <= hi, no cell twice.
Status CheckLayout(const v1::BallotLayout& layout);

// Checks marks against a layout: one mark per cell, each 0 or 1, every
// constraint's sum in [lo, hi]. The error names the constraint:
// "constraint '1 to 3 choices, or blank' not met (allowed 1..3)"; never the sum.
Status CheckMarks(const v1::BallotLayout& layout, const std::vector<uint32_t>& marks);

// What marks say, in the words a voter reads, one line per marked cell:
// "Nhất: Sở GD&ĐT Sơn La" (RANK, in rank order), "Báo cáo: đồng ý"
// (YES_NO_ABSTAIN), "Sở GD&ĐT Cao Bằng", "phiếu trắng (blank)". For showing a
// revealed (spoiled) ballot back to its voter; CheckMarks first.
Result<std::vector<std::string>> DescribeMarks(const v1::BallotSpec& spec,
                                               const v1::BallotLayout& layout,
                                               const std::vector<uint32_t>& marks);

}  // namespace phieu::rules

#endif  // PHIEU_CORE_RULES_LAYOUT_H_

// Test support: casts plaintext ballots through the voter layouts into full
// totals, the way the server adds encrypted ballots (weights applied), but
// with no crypto. Also a small builder for ballot specs.
#ifndef PHIEU_TESTS_RULES_TALLY_H_
#define PHIEU_TESTS_RULES_TALLY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/util/status.h"
#include "phieu/v1/meeting.pb.h"
#include "phieu/v1/rules.pb.h"

namespace phieu::rules::testing {

struct Vote {
  std::string unit;
  std::vector<std::string> choices;
};

// Full totals of `votes` for the run; fails on any refused ballot.
Result<std::vector<uint64_t>> Tally(const v1::Meeting& meeting, const v1::BallotSpec& spec,
                                    const std::vector<std::string>& run,
                                    const std::vector<Vote>& votes);

// Counts with every member present and every listed vote received (valid).
v1::Counts AllPresentCounts(const v1::Meeting& meeting, const std::vector<Vote>& votes);

// A meeting with units u1..un (weight 1) and nothing else.
v1::Meeting UnitsMeeting(int n);

// A spec of `kind` with candidates c1..cm, candidate ci of unit ui when
// `of_units`.
v1::BallotSpec Spec(v1::BallotKind kind, int m, bool of_units = false);

}  // namespace phieu::rules::testing

#endif  // PHIEU_TESTS_RULES_TALLY_H_

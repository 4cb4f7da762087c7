// Validation of a meeting file: everything that can be checked before the
// meeting starts. The server refuses to load, and the verifier to accept, a
// meeting that fails it.
//
// Errors: InvalidArgument naming the FIRST problem found, with the ids
// involved, e.g. "ballot 'bang-khen': max_approvals 9 exceeds 7 candidates",
// "participant 'x': unit 'y' is not a member unit", "tellers: threshold 4
// exceeds 3 tellers". The full list of checks is in docs/meeting-file.md.
// Thread-safety: pure function.
#ifndef PHIEU_CORE_MEETING_MEETING_VALIDATOR_H_
#define PHIEU_CORE_MEETING_MEETING_VALIDATOR_H_

#include <string_view>

#include "core/util/status.h"
#include "phieu/v1/meeting.pb.h"

namespace phieu::meeting {

Status ValidateMeeting(const v1::Meeting& meeting);

// True when `id` is non-empty, at most 64 characters, only [a-z0-9-].
bool IsValidId(std::string_view id);

// Checks one share: den > 0 and num <= den. `what` names it in the error.
Status ValidateShare(const v1::Share& share, std::string_view what);

}  // namespace phieu::meeting

#endif  // PHIEU_CORE_MEETING_MEETING_VALIDATOR_H_

// The minutes input of a run's published result, after checking the
// server's signature on it (shared by `phieu result` and `phieu app`).
// VerificationFailed when the signature or the outcome does not check out.
#ifndef PHIEU_CLIENT_RESULT_MINUTES_H_
#define PHIEU_CLIENT_RESULT_MINUTES_H_

#include "core/record/board_view.h"
#include "core/rules/minutes.h"
#include "core/util/status.h"

namespace phieu::client {

Result<rules::MinutesInput> MinutesFor(const record::BoardView& view, const record::Run& run);

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_RESULT_MINUTES_H_

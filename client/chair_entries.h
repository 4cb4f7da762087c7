// The chair's board entries for a ballot's life, shared by `phieu open|close|
// runoff` and the chair's page of `phieu app`: each is built from what the
// board says (the ceremony in force, the run that is open, the result's
// runoff candidates), never from what a page or a server answer claims.
//
// Errors: NotFound for an unknown ballot; FailedPrecondition when the board's
// state does not allow it ("ballot 'x' is not open", "has no result to
// follow", "names no candidates for a second round").
// Thread-safety: pure functions of the view.
#ifndef PHIEU_CLIENT_CHAIR_ENTRIES_H_
#define PHIEU_CLIENT_CHAIR_ENTRIES_H_

#include <string>
#include <vector>

#include "core/record/board_view.h"
#include "core/util/status.h"
#include "phieu/v1/record.pb.h"

namespace phieu::client {

// The run a command means: the open (or, want_open false, the latest) run of
// `ballot_id`; with no ballot id, the only open run.
Result<const record::Run*> PickRun(const record::BoardView& view, const std::string& ballot_id, bool want_open);

// Round 1 of `ballot_id`.
Result<v1::EntryBody> OpenEntry(const record::BoardView& view, const std::string& ballot_id);
// The next round among the result's runoff candidates (or `candidates`, when given).
Result<v1::EntryBody> RunoffEntry(const record::BoardView& view, const std::string& ballot_id,
                                  const std::vector<std::string>& candidates = {});
// Closes the open run of `ballot_id`.
Result<v1::EntryBody> CloseEntry(const record::BoardView& view, const std::string& ballot_id);

// The chair records that `holder_id` (a delegate) carries the vote of the
// absent unit `unit_id` (ủy quyền bỏ phiếu). Checked against the board as the
// server will check it: the unit exists and has not checked in, the holder is
// a delegate, and the unit has no proxy yet.
Result<v1::EntryBody> ProxyEntry(const record::BoardView& view, const std::string& unit_id,
                                 const std::string& holder_id);
// `participant_id` accepts carrying `unit_id`'s vote: the proxy on the board
// must name it and not be accepted yet.
Result<v1::EntryBody> ProxyAcceptanceEntry(const record::BoardView& view, const std::string& unit_id,
                                           const std::string& participant_id);

// The end of the meeting: refused while a run is neither counted (its result
// posted) nor cancelled, as the server refuses it.
Result<v1::EntryBody> CloseMeetingEntry(const record::BoardView& view);

// The next attempt of the tellers' key ceremony, with the meeting file's
// tellers and threshold unless `tellers` / `threshold` (non-zero) are given.
v1::EntryBody CeremonyStartEntry(const record::BoardView& view, const std::vector<std::string>& tellers = {},
                                 uint32_t threshold = 0);

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_CHAIR_ENTRIES_H_

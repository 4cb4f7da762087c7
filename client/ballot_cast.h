// Casting a delegate's ballot, shared by `phieu vote` and `phieu app`.
//
// The ballot is encrypted and signed once, stored in the profile before it is
// sent (ballots/<run>-<unit>.entry), and from then on only ever resent as it
// is: the server answers an identical resend with the original receipt, so a
// retry after a dropped connection, a reload of the page or a second `phieu
// vote` never makes a second ballot. The receipt is checked (server
// signature, names the ballot sent) and stored (receipts/<run>-<unit>.receipt).
//
// Errors: InvalidArgument when the choices break the ballot's rules
// (rules::MarksFor / CheckMarks, in plain words); PermissionDenied when this
// participant does not cast the unit's ballot; FailedPrecondition when the
// run is closed (the server's refusal); Unavailable when the server cannot be
// reached even after one reconnect; VerificationFailed for a bad receipt.
// Thread-safety: none; one thread uses a client.
#ifndef PHIEU_CLIENT_BALLOT_CAST_H_
#define PHIEU_CLIENT_BALLOT_CAST_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/meeting_client.h"
#include "core/record/board_view.h"
#include "core/util/status.h"

namespace phieu::client {

// The marks for `choices` on `unit`'s ballot style in `run`, checked twice:
// by rules::MarksFor (the choices as the delegate gave them) and again by
// rules::CheckMarks (the layout's constraints the proofs will attest).
Result<std::vector<uint32_t>> CheckedMarks(const record::BoardView& view, const record::Run& run,
                                           const std::string& unit,
                                           const std::vector<std::string>& choices);
// The same on a given ballot style (`layout` from rules::VoterLayout).
Result<std::vector<uint32_t>> CheckedMarks(const v1::BallotLayout& layout, const v1::BallotSpec& spec,
                                           const std::string& unit, const std::vector<std::string>& choices);

// Ok when this participant casts `unit`'s ballot in `run` (its own unit
// present at the opening, or an accepted proxy); PermissionDenied names who does.
Status CheckCaster(const MeetingClient& c, const record::Run& run, const std::string& unit);

// The ballot stored earlier for this run and unit, if any.
std::optional<v1::SignedEntry> StoredBallot(const std::string& profile_dir, const std::string& run_id,
                                            const std::string& unit);

// The stored receipt for this run and unit, if any.
std::optional<v1::SignedReceipt> StoredReceipt(const std::string& profile_dir, const std::string& run_id,
                                               const std::string& unit);

struct CastResult {
  v1::SignedReceipt receipt;
  bool resent = false;  // a ballot stored earlier was sent again
};

// Casts (or resends) `unit`'s ballot in `run`. `choices` are used only when no
// ballot was stored for the run. `*client` is replaced by a fresh connection
// when the first one drops mid-cast.
Result<CastResult> CastBallot(std::unique_ptr<MeetingClient>* client, const record::Run& run,
                              const std::string& unit, const std::vector<std::string>& choices);

// The receipt's tracking code, position and chain head (hex).
struct ReceiptInfo {
  std::string tracking_code;
  uint64_t seq = 0;
  std::string entry_hash;
};
ReceiptInfo DescribeReceipt(const v1::SignedReceipt& receipt);

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_BALLOT_CAST_H_

// The participant's side of the audit (docs/cli.md, docs/crypto.md):
//   - checking an encryption before casting (Benaloh challenge): a
//     PreparedBallot (client/ballot_cast.h) the delegate decides to check
//     reveals its choices and randomness in a SpoiledBallot entry, which is
//     published and never counted;
//   - checking someone's spoiled ballot on a second device by its tracking code;
//   - the signed receipts `phieu vote` keeps in the profile, and their check
//     against the final record or the live board (core/record/receipt_check.h).
//
// Thread-safety: none needed (free functions on values).
#ifndef PHIEU_CLIENT_AUDIT_H_
#define PHIEU_CLIENT_AUDIT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "client/ballot_cast.h"
#include "client/meeting_client.h"
#include "core/record/board_view.h"
#include "core/record/receipt_check.h"
#include "core/util/status.h"
#include "phieu/v1/meeting.pb.h"
#include "phieu/v1/record.pb.h"

namespace phieu::client {

// Shortest tracking-code prefix `phieu spoiled` accepts.
inline constexpr size_t kMinCodePrefix = 8;

struct SpoiledCheck {
  std::string run_id;
  std::string ballot_id;
  uint64_t seq = 0;
  std::string tracking_code;         // hex
  std::string unit_id;
  std::vector<std::string> choices;  // rules::DescribeMarks lines
};

// Finds the spoiled ballot whose tracking code is `code` (or starts with it:
// at least kMinCodePrefix hex digits, matching one spoiled ballot only) and
// checks it (record::CheckSpoiled). NotFound / InvalidArgument when none or
// several match; VerificationFailed when the encryption does not match what
// was revealed.
Result<SpoiledCheck> CheckSpoiledByCode(const record::BoardView& view, const std::string& code);

// profile_dir/receipts, where `phieu vote` stores each signed receipt.
std::string ReceiptsDir(const std::string& profile_dir);
// Every *.receipt file there, by file name. A file that does not parse is
// kept (parsed = false) so that the check reports it rather than skipping it.
Result<std::vector<record::StoredReceipt>> LoadReceipts(const std::string& profile_dir);

// `phieu vote`'s "kt" answer: checks `prepared` (posts its SpoiledBallot,
// PreparedBallot::Check), then prints the tracking code, the revealed choices
// as the board holds them and what to do on a second device. Nothing is cast.
int CheckPrepared(MeetingClient& client, PreparedBallot& prepared);

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_AUDIT_H_

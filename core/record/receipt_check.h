// Checking a delegate's receipts against a chain: the final election record
// (offline) or the live board (online). Pure: receipts and a board view in,
// findings out; the caller reads the files and prints.
//
// For each signed receipt (docs/crypto.md "Receipts"):
//   1. it parses and its Ed25519 signature verifies with the server signing
//      key of this chain's genesis, and it names this meeting;
//   2. the entry at its position `seq` has the chain hash `entry_hash` the
//      receipt saw. Each chain hash covers the hash before it, so this also
//      proves that the whole chain the receipt saw (entries 0..seq) is a
//      prefix of this one; otherwise the chain forked (the ballot is found
//      elsewhere, or nowhere: missing) or ends before it (missing);
//   3. that entry is the ballot the receipt names (tracking code, run, unit)
//      and it is its unit's counted ballot in the run;
//   4. it was counted: listed in its run's tally — or the run is still open,
//      closed and not yet tallied, or cancelled (said so, not a failure).
//
// The view must hold a chain whose links were verified from entry 0
// (MeetingClient::Sync does; ViewOfRecord below does for a record file).
//
// Thread-safety: pure functions.
#ifndef PHIEU_CORE_RECORD_RECEIPT_CHECK_H_
#define PHIEU_CORE_RECORD_RECEIPT_CHECK_H_

#include <string>
#include <vector>

#include "core/record/board_view.h"
#include "core/util/status.h"
#include "phieu/v1/record.pb.h"

namespace phieu::record {

struct StoredReceipt {
  std::string name;  // where it came from (a file name), for the report
  bool parsed = true;  // false: the file does not hold a SignedReceipt
  v1::SignedReceipt signed_receipt;
};

enum class ReceiptStatus {
  kCounted,        // at its position and listed in its run's tally
  kRunOpen,        // at its position; the run is still open
  kAwaitingTally,  // at its position; the run is closed, its tally not yet on the board
  kRunCancelled,   // at its position; the run was cancelled, so nothing of it counts
  kFailed,         // a check failed: `message` says which, in plain words
};

struct ReceiptFinding {
  std::string name;
  v1::Receipt receipt;  // as parsed (empty when it does not parse)
  std::string ballot_id;  // of the receipt's run, when the run is in the chain
  ReceiptStatus status = ReceiptStatus::kFailed;
  std::string message;
  bool failed() const { return status == ReceiptStatus::kFailed; }
};

// One finding per receipt, in the order given.
std::vector<ReceiptFinding> CheckReceipts(const BoardView& view,
                                          const std::vector<StoredReceipt>& receipts);

// The view of an election record, each entry's chain link and hash checked
// from entry 0 (VerificationFailed names the entry).
Result<BoardView> ViewOfRecord(const v1::ElectionRecord& record);

}  // namespace phieu::record

#endif  // PHIEU_CORE_RECORD_RECEIPT_CHECK_H_

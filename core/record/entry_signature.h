// Checking a board entry's author signature (docs/crypto.md "Keys and
// signatures"): one helper for everyone who reads the board — the offline
// verifier, the server, the tellers' clients and `phieu result`.
//
// The author is "ca" (the meeting CA of the genesis: the genesis and roster
// changes), "server" (the Ed25519 key of the genesis: tallies, results,
// CeremonyDone) or a participant's pin, which must be on the roster and not
// revoked before the entry.
//
// Thread-safety: free functions; `view` must not change during the call.
// Errors: VerificationFailed naming the entry and the failed check.
#ifndef PHIEU_CORE_RECORD_ENTRY_SIGNATURE_H_
#define PHIEU_CORE_RECORD_ENTRY_SIGNATURE_H_

#include "core/record/board_view.h"
#include "core/util/status.h"
#include "phieu/v1/record.pb.h"

namespace phieu::record {

// `e`'s signature by its author, as the board `view` knows the roster (the
// view may already hold `e` and later entries: a pin revoked at or after
// `e` still counts for `e`).
Status VerifyEntrySignature(const BoardView& view, const v1::BoardEntry& e);

// The same for an entry not yet on the board (the server, before appending
// it at position `seq`).
Status VerifySignedEntry(const BoardView& view, const v1::SignedEntry& se, uint64_t seq);

// `e` is authored by "server" and signed by the genesis' server key.
Status VerifyServerSignature(const BoardView& view, const v1::BoardEntry& e);

}  // namespace phieu::record

#endif  // PHIEU_CORE_RECORD_ENTRY_SIGNATURE_H_

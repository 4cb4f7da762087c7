// The server's acceptance rules for the tellers' key ceremony entries, and
// when the server fixes the key (CeremonyDone).
//
// The server holds no share and learns nothing secret here: it only checks
// that each message comes from the teller it names, in its step, for the
// attempt in force, and that its public proofs verify (docs/crypto.md
// "Tellers' key ceremony"), so that a bad message is refused at the door.
// Everyone (tellers, verifier) checks the same messages again on their own.
//
// Errors: PermissionDenied (wrong teller), FailedPrecondition (wrong step or
// attempt), VerificationFailed naming the failed proof.
#ifndef PHIEU_SERVER_CEREMONY_ACCEPTANCE_H_
#define PHIEU_SERVER_CEREMONY_ACCEPTANCE_H_

#include <optional>
#include <string>

#include "core/record/board_view.h"
#include "core/util/status.h"
#include "phieu/v1/record.pb.h"

namespace phieu::server {

bool IsCeremonyMessage(const v1::EntryBody& body);

// The chair's CeremonyStart: the tellers are the meeting's, t fits n, one
// ceremony per meeting (a restart only before the key is fixed).
Status CheckCeremonyStart(const record::BoardView& view, const v1::CeremonyStart& start);

// A teller's commit / reveal / shares / complaint / answer / test decryption.
Status CheckCeremonyMessage(const record::BoardView& view, const std::string& participant_id,
                            const v1::EntryBody& body);

// The CeremonyDone entry the server appends once every qualified teller's
// test decryption verified and no complaint is open; nullopt until then.
Result<std::optional<v1::CeremonyDone>> CeremonyCompletion(const record::BoardView& view);

}  // namespace phieu::server

#endif  // PHIEU_SERVER_CEREMONY_ACCEPTANCE_H_

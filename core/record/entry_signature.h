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
// AuthorKeys is thread-safe.
// Errors: VerificationFailed naming the entry and the failed check.
#ifndef PHIEU_CORE_RECORD_ENTRY_SIGNATURE_H_
#define PHIEU_CORE_RECORD_ENTRY_SIGNATURE_H_

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/crypto/keys.h"
#include "core/record/board_view.h"
#include "core/util/status.h"
#include "phieu/v1/record.pb.h"

namespace phieu::record {

// `e`'s signature by its author, as the board `view` knows the roster (the
// view may already hold `e` and later entries: a pin revoked at or after
// `e` still counts for `e`).
Status VerifyEntrySignature(const BoardView& view, const v1::BoardEntry& e);

// The public keys of roster certificates, parsed once per pin. Parsing a
// certificate (d2i_X509, which in OpenSSL 3.0 runs the provider decoders)
// costs more CPU than the ECDSA verification itself, so a reader that checks
// many entries keeps one AuthorKeys. A pin is the SHA-256 of the certificate,
// so a key cached under it is that certificate's key.
class AuthorKeys {
 public:
  // The key of `person`'s certificate; InvalidArgument if it does not parse.
  Result<std::shared_ptr<const crypto::PublicKey>> For(const RosterPerson& person);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const crypto::PublicKey>> by_pin_;
};

// The same for an entry not yet on the board (the server, before appending
// it at position `seq`). With `keys`, a participant's key comes from (and
// goes into) that cache instead of being parsed from the certificate.
Status VerifySignedEntry(const BoardView& view, const v1::SignedEntry& se, uint64_t seq,
                         AuthorKeys* keys = nullptr);

// `e` is authored by "server" and signed by the genesis' server key.
Status VerifyServerSignature(const BoardView& view, const v1::BoardEntry& e);

}  // namespace phieu::record

#endif  // PHIEU_CORE_RECORD_ENTRY_SIGNATURE_H_

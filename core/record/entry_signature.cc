#include "core/record/entry_signature.h"

#include <string>

#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"

namespace phieu::record {
namespace {

std::string Name(uint64_t seq) { return "entry " + std::to_string(seq); }

Status VerifyBy(const crypto::PublicKey& key, const v1::SignedEntry& se, uint64_t seq, const std::string& whose) {
  return key.Verify(crypto::kEntryDomain, se.body(), se.signature()).Annotate(Name(seq) + ": " + whose + " signature");
}

}  // namespace

Status VerifyServerSignature(const BoardView& view, const v1::BoardEntry& e) {
  if (e.signed_().author() != "server") return VerificationFailed(Name(e.seq()) + " is not the server's");
  return VerifySignedEntry(view, e.signed_(), e.seq());
}

Status VerifyEntrySignature(const BoardView& view, const v1::BoardEntry& e) {
  return VerifySignedEntry(view, e.signed_(), e.seq());
}

Status VerifySignedEntry(const BoardView& view, const v1::SignedEntry& se, uint64_t seq) {
  const std::string& author = se.author();
  if (author == "server") {
    ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::FromEd25519Raw(view.genesis().server_signing_key()));
    return VerifyBy(key, se, seq, "server");
  }
  if (author == "ca") {
    ASSIGN_OR_RETURN(crypto::Certificate ca, crypto::Certificate::FromDer(view.genesis().ca_certificate()));
    ASSIGN_OR_RETURN(crypto::PublicKey key, ca.Key());
    return VerifyBy(key, se, seq, "meeting CA");
  }
  const RosterPerson* person = view.PersonByPin(author);
  if (!person) return VerificationFailed(Name(seq) + ": author is not on the roster");
  if (person->revoked && person->revoked_seq < seq) {
    return VerificationFailed(Name(seq) + ": author's pin was revoked before it (entry " +
                              std::to_string(person->revoked_seq) + ")");
  }
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromDer(person->certificate));
  ASSIGN_OR_RETURN(crypto::PublicKey key, cert.Key());
  return VerifyBy(key, se, seq, "author");
}

}  // namespace phieu::record

#include "core/record/entry_signature.h"

#include <string>

#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"

namespace phieu::record {
namespace {

std::string Name(const v1::BoardEntry& e) { return "entry " + std::to_string(e.seq()); }

Status VerifyBy(const crypto::PublicKey& key, const v1::BoardEntry& e, const std::string& whose) {
  return key.Verify(crypto::kEntryDomain, e.signed_().body(), e.signed_().signature())
      .Annotate(Name(e) + ": " + whose + " signature");
}

}  // namespace

Status VerifyServerSignature(const BoardView& view, const v1::BoardEntry& e) {
  if (e.signed_().author() != "server") return VerificationFailed(Name(e) + " is not the server's");
  ASSIGN_OR_RETURN(crypto::PublicKey key,
                   crypto::PublicKey::FromEd25519Raw(view.genesis().server_signing_key()));
  return VerifyBy(key, e, "server");
}

Status VerifyEntrySignature(const BoardView& view, const v1::BoardEntry& e) {
  const std::string& author = e.signed_().author();
  if (author == "server") return VerifyServerSignature(view, e);
  if (author == "ca") {
    ASSIGN_OR_RETURN(crypto::Certificate ca, crypto::Certificate::FromDer(view.genesis().ca_certificate()));
    ASSIGN_OR_RETURN(crypto::PublicKey key, ca.Key());
    return VerifyBy(key, e, "meeting CA");
  }
  const RosterPerson* person = view.PersonByPin(author);
  if (!person) return VerificationFailed(Name(e) + ": author is not on the roster");
  if (person->revoked && person->revoked_seq < e.seq()) {
    return VerificationFailed(Name(e) + ": author's pin was revoked before it (entry " +
                              std::to_string(person->revoked_seq) + ")");
  }
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromDer(person->certificate));
  ASSIGN_OR_RETURN(crypto::PublicKey key, cert.Key());
  return VerifyBy(key, e, "author");
}

}  // namespace phieu::record

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

// The public key of a roster person's certificate.
Result<crypto::PublicKey> KeyOf(const RosterPerson& person) {
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromDer(person.certificate));
  return cert.Key();
}

}  // namespace

Status VerifyServerSignature(const BoardView& view, const v1::BoardEntry& e) {
  if (e.signed_().author() != "server") return VerificationFailed(Name(e.seq()) + " is not the server's");
  return VerifySignedEntry(view, e.signed_(), e.seq());
}

Status VerifyEntrySignature(const BoardView& view, const v1::BoardEntry& e) {
  return VerifySignedEntry(view, e.signed_(), e.seq());
}

Result<std::shared_ptr<const crypto::PublicKey>> AuthorKeys::For(const RosterPerson& person) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_pin_.find(person.pin);
    if (it != by_pin_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(crypto::PublicKey key, KeyOf(person));
  auto shared = std::make_shared<const crypto::PublicKey>(std::move(key));
  std::lock_guard<std::mutex> lock(mu_);
  return by_pin_.emplace(person.pin, std::move(shared)).first->second;
}

Status VerifySignedEntry(const BoardView& view, const v1::SignedEntry& se, uint64_t seq, AuthorKeys* keys) {
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
  if (keys) {
    ASSIGN_OR_RETURN(std::shared_ptr<const crypto::PublicKey> key, keys->For(*person));
    return VerifyBy(*key, se, seq, "author");
  }
  ASSIGN_OR_RETURN(crypto::PublicKey key, KeyOf(*person));
  return VerifyBy(key, se, seq, "author");
}

}  // namespace phieu::record

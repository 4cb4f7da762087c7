#include "core/crypto/transcript.h"

#include "core/crypto/sha256.h"

namespace phieu::crypto {

Transcript::Transcript(std::string_view domain_tag) { w_.Bytes(domain_tag); }

Transcript& Transcript::AddBytes(std::string_view label, std::string_view bytes) {
  w_.Bytes(label).Bytes(bytes);
  return *this;
}

Transcript& Transcript::AddU64(std::string_view label, uint64_t v) {
  w_.Bytes(label).U32(8).U64(v);
  return *this;
}

Transcript& Transcript::AddI64(std::string_view label, int64_t v) {
  w_.Bytes(label).U32(8).I64(v);
  return *this;
}

Transcript& Transcript::AddPoint(std::string_view label, const Point& p) {
  Result<std::string> enc = p.Encode();
  // The identity has no 33-byte form; SEC1's one-byte 0x00 stands for it.
  w_.Bytes(label).Bytes(enc.ok() ? std::string_view(*enc) : std::string_view("\0", 1));
  return *this;
}

Transcript& Transcript::AddScalar(std::string_view label, const Scalar& s) {
  w_.Bytes(label).Bytes(s.Encode());
  return *this;
}

std::string Transcript::Digest() const { return Sha256(w_.data()); }

Scalar Transcript::Challenge() const { return Scalar::FromDigest(Digest()); }

}  // namespace phieu::crypto

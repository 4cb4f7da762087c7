// Transcript: the strong Fiat–Shamir hash of every proof in Phiếu, and the
// hash behind every derived context (run context, ballot context).
//
// Encoding (docs/crypto.md "Hashing"), with ByteWriter's Bytes() = u32
// big-endian length || bytes:
//
//   T = Bytes(domain_tag) || item_1 || ... || item_k
//   item = Bytes(label) || Bytes(value)
//   value: bytes  -> the bytes
//          u64    -> 8 bytes big-endian
//          i64    -> 8 bytes big-endian two's complement
//          point  -> 33-byte SEC1 compressed; the identity -> the single byte 0x00
//          scalar -> 32 bytes big-endian
//   Digest()    = SHA-256(T)                       (32 bytes)
//   Challenge() = Digest() read big-endian, mod n  (bias < 2^-32)
//
// Every value is labelled and length-prefixed, so two different sequences of
// (label, value) pairs never produce the same T. The label does not say the
// value's type: each domain tag fixes its item list (docs/crypto.md lists them).
//
// Thread-safety: not thread-safe; a value type. Never fails.
#ifndef PHIEU_CORE_CRYPTO_TRANSCRIPT_H_
#define PHIEU_CORE_CRYPTO_TRANSCRIPT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto/group.h"
#include "core/util/bytes.h"

namespace phieu::crypto {

class Transcript {
 public:
  explicit Transcript(std::string_view domain_tag);

  Transcript& AddBytes(std::string_view label, std::string_view bytes);
  Transcript& AddU64(std::string_view label, uint64_t v);
  Transcript& AddI64(std::string_view label, int64_t v);
  Transcript& AddPoint(std::string_view label, const Point& p);
  Transcript& AddScalar(std::string_view label, const Scalar& s);

  // The bytes T (for documentation tests and vectors).
  const std::string& bytes() const { return w_.data(); }
  std::string Digest() const;
  Scalar Challenge() const;

 private:
  ByteWriter w_;
};

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_TRANSCRIPT_H_

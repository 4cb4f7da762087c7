// Exponential ElGamal on P-256 (ElectionGuard 2.0 spec §3.3, on a curve):
//
//   Encrypt(K, m; r) = (pad, data) = (r·G, r·K + m·G)
//
// K is the tellers' joint key. Ciphertexts add: the sum of encryptions of m1
// and m2 is an encryption of m1 + m2 (randomness r1 + r2), which is how cells
// become constraint sums and ballots become totals. A pad may be the identity
// only inside such a sum (e.g. an empty total); it is never accepted from the
// wire and ToProto refuses it.
//
// Thread-safety: free functions on values; safe from any thread.
// Errors: InvalidArgument from FromProto naming the field and the point check;
// Internal when OpenSSL fails.
#ifndef PHIEU_CORE_CRYPTO_ELGAMAL_H_
#define PHIEU_CORE_CRYPTO_ELGAMAL_H_

#include <cstdint>
#include <vector>

#include "core/crypto/group.h"
#include "phieu/v1/crypto.pb.h"

namespace phieu::crypto {

struct Ciphertext {
  Point pad;   // r·G
  Point data;  // r·K + m·G

  Ciphertext Clone() const { return {pad.Clone(), data.Clone()}; }
  bool Equals(const Ciphertext& o) const { return pad.Equals(o.pad) && data.Equals(o.data); }
  // (identity, identity): the encryption of 0 with randomness 0; the start of a sum.
  static Ciphertext Zero() { return {Point::Identity(), Point::Identity()}; }
};

// One fixed-base and one double multiplication.
Result<Ciphertext> Encrypt(const Point& K, uint64_t m, const Scalar& r);

Result<Ciphertext> Add(const Ciphertext& a, const Ciphertext& b);
Result<Ciphertext> Sub(const Ciphertext& a, const Ciphertext& b);
// w·c (two variable-base multiplications; w = 1 is a copy).
Result<Ciphertext> ScalarMul(const Ciphertext& c, const Scalar& w);
// c multiplied by a small signed integer: ±1 and 0 cost no multiplication.
Result<Ciphertext> SmallMul(const Ciphertext& c, int64_t k);

// Σ coefficients[i]·cells[i]. InvalidArgument "sum: N cells but M
// coefficients" when the sizes differ.
Result<Ciphertext> Sum(const std::vector<const Ciphertext*>& cells,
                       const std::vector<int64_t>& coefficients);
Result<Ciphertext> Sum(const std::vector<Ciphertext>& cells,
                       const std::vector<int64_t>& coefficients);

// Decodes and validates both points ("ciphertext pad: point: identity", ...).
Result<Ciphertext> FromProto(const v1::Ciphertext& proto);
// InvalidArgument when either point is the identity.
Result<v1::Ciphertext> ToProto(const Ciphertext& c);

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_ELGAMAL_H_

// The zero-knowledge proofs of Phiếu, all non-interactive by strong
// Fiat–Shamir (Bernhard, Pereira, Warinschi, "How not to prove yourself",
// ASIACRYPT 2012): each challenge is a Transcript over a domain tag, the
// caller's context bytes (run context, unit, ballot style, position), the
// whole statement and every commitment. docs/crypto.md "Proofs" gives each
// transcript item by item and each verification equation.
//
//  - Range proof (disjunctive Chaum–Pedersen, Cramer–Damgård–Schoenmakers
//    1994; ElectionGuard 2.0 §3.3.5 generalised to [lo, hi]): an ElGamal
//    ciphertext (α, β) under K encrypts some v in [lo, hi]. One
//    (challenge, response) pair per value; the verifier recomputes the
//    commitments a_v = z_v·G − c_v·α, b_v = z_v·K − c_v·(β − v·G) and checks
//    Σ c_v = H(...). A 0/1 cell is the range [0, 1].
//  - Schnorr proof of knowledge of x with X = x·G (h = u·G, v = u + c·x).
//  - Chaum–Pedersen proof of a correct partial decryption M = s·α with
//    K_i = s·G: the verifier recomputes a = v·G − c·K_i, b = v·α − c·M.
//
// Thread-safety: free functions; safe from any thread.
// Errors: provers return InvalidArgument for a false statement (value outside
// the range) and Internal when OpenSSL fails. Verifiers return
// VerificationFailed or InvalidArgument with a message naming the check:
//   "range proof: wrong number of branches (...)", "range proof: challenge 1
//   not a canonical scalar", "range proof: response 0 not a canonical scalar",
//   "range proof: challenge sum mismatch", "schnorr proof: commitment: point:
//   ...", "schnorr proof: equation v·G = h + c·X fails", "decryption proof:
//   challenge mismatch", ...
// Messages never contain a secret, a nonce or a plaintext value.
#ifndef PHIEU_CORE_CRYPTO_PROOFS_H_
#define PHIEU_CORE_CRYPTO_PROOFS_H_

#include <cstdint>
#include <string_view>

#include "core/crypto/elgamal.h"
#include "core/crypto/group.h"
#include "core/crypto/scalar_source.h"
#include "phieu/v1/crypto.pb.h"

namespace phieu::crypto {

// The widest range a proof may cover (hi − lo + 1). Bounds a verifier's work
// per proof; ballot layouts never need more.
inline constexpr int64_t kMaxRangeBranches = 256;

inline constexpr std::string_view kRangeProofTag = "phieu.v1.range-proof";
inline constexpr std::string_view kSchnorrTag = "phieu.v1.schnorr";
inline constexpr std::string_view kDecryptionProofTag = "phieu.v1.decryption-proof";

// ct = Encrypt(K, m, r) with lo <= m <= hi (ct may be a homomorphic sum; r is
// then the same sum of randomness and m may be negative).
Result<v1::RangeProof> ProveRange(std::string_view context, const Point& K, const Ciphertext& ct,
                                  int64_t m, const Scalar& r, int64_t lo, int64_t hi,
                                  ScalarSource* rng = nullptr);
Status VerifyRange(std::string_view context, const Point& K, const Ciphertext& ct, int64_t lo,
                   int64_t hi, const v1::RangeProof& proof);
// The same check with K's precomputed table: each branch costs two double
// multiplications instead of one double and two variable-base ones.
Status VerifyRange(std::string_view context, const FixedBase& K, const Ciphertext& ct, int64_t lo,
                   int64_t hi, const v1::RangeProof& proof);

// X = x·G.
Result<v1::SchnorrProof> ProveSchnorr(std::string_view context, const Scalar& x, const Point& X,
                                      ScalarSource* rng = nullptr);
Status VerifySchnorr(std::string_view context, const Point& X, const v1::SchnorrProof& proof);

// M_i = share·ct.pad with proof that log_G(public_share) = log_pad(M_i).
// InvalidArgument when ct.pad is the identity (nothing to decrypt).
Result<v1::PartialDecryption> PartialDecrypt(std::string_view context, const Scalar& share,
                                             const Point& public_share, const Ciphertext& ct,
                                             ScalarSource* rng = nullptr);
Status VerifyPartial(std::string_view context, const Point& public_share, const Ciphertext& ct,
                     const v1::PartialDecryption& partial);

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_PROOFS_H_

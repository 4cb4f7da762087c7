// Threshold decryption arithmetic (Shamir sharing with Feldman commitments;
// ElectionGuard 2.0 §3.2 and §3.6, on P-256).
//
// Teller j's polynomial P_j(X) = Σ_k a_{j,k} X^k has commitments
// C_{j,k} = a_{j,k}·G. Teller i's share is s_i = Σ_j P_j(i), its public share
// K_i = s_i·G = Σ_j Σ_k i^k·C_{j,k}, the joint key K = Σ_j C_{j,0}. Any t
// tellers in a set I combine partial decryptions M_i = s_i·α into
// s·α = Σ_{i∈I} λ_i·M_i with the Lagrange coefficients at 0,
// λ_i = Π_{j∈I, j≠i} j / (j − i) mod n; then m·G = β − s·α.
//
// Thread-safety: free functions; safe from any thread.
// Errors: InvalidArgument naming the check ("lagrange: index 0", "lagrange:
// duplicate index 3", "lagrange: index 4 not in the set", "combine: 3 indices
// but 2 partials", "public share: teller 2 has 1 commitments, want 3");
// Internal when OpenSSL fails.
#ifndef PHIEU_CORE_CRYPTO_THRESHOLD_H_
#define PHIEU_CORE_CRYPTO_THRESHOLD_H_

#include <cstdint>
#include <vector>

#include "core/crypto/elgamal.h"
#include "core/crypto/group.h"

namespace phieu::crypto {

// λ_i at 0 for the 1-based, distinct indices (i must be among them).
Result<Scalar> Lagrange(uint32_t i, const std::vector<uint32_t>& indices);

// K_i = Σ_j Σ_k i^k·C_{j,k}; coefficient_commitments[j][k] = C_{j,k}. Every
// teller must have the same number (t) of commitments.
Result<Point> PublicShare(uint32_t i, const std::vector<std::vector<Point>>& coefficient_commitments);

// K = Σ_j C_{j,0}.
Result<Point> JointKey(const std::vector<std::vector<Point>>& coefficient_commitments);

// s_i contribution P_j(i) = Σ_k a_{j,k}·i^k (a teller evaluating its polynomial).
Result<Scalar> EvaluatePolynomial(const std::vector<Scalar>& coefficients, uint32_t i);

// Σ λ_i·M_i over the given tellers.
Result<Point> CombinePartials(const std::vector<uint32_t>& indices,
                              const std::vector<Point>& partials);

// β − combined = m·G.
Result<Point> DecryptToPoint(const Ciphertext& ct, const Point& combined);

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_THRESHOLD_H_

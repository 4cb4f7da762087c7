#include "core/crypto/threshold.h"

#include <set>
#include <string>

namespace phieu::crypto {

Result<Scalar> Lagrange(uint32_t i, const std::vector<uint32_t>& indices) {
  std::set<uint32_t> seen;
  bool found = false;
  for (uint32_t j : indices) {
    if (j == 0) return InvalidArgument("lagrange: index 0 (indices are 1-based)");
    if (!seen.insert(j).second) {
      return InvalidArgument("lagrange: duplicate index " + std::to_string(j));
    }
    found |= (j == i);
  }
  if (!found) return InvalidArgument("lagrange: index " + std::to_string(i) + " not in the set");
  Scalar num = Scalar::FromUint64(1), den = Scalar::FromUint64(1);
  const Scalar si = Scalar::FromUint64(i);
  for (uint32_t j : indices) {
    if (j == i) continue;
    Scalar sj = Scalar::FromUint64(j);
    ASSIGN_OR_RETURN(num, num.Mul(sj));
    ASSIGN_OR_RETURN(Scalar diff, sj.Sub(si));
    ASSIGN_OR_RETURN(den, den.Mul(diff));
  }
  ASSIGN_OR_RETURN(Scalar inv, den.Inverse());
  return num.Mul(inv);
}

Result<Point> PublicShare(uint32_t i,
                          const std::vector<std::vector<Point>>& coefficient_commitments) {
  if (i == 0) return InvalidArgument("public share: index 0 (indices are 1-based)");
  if (coefficient_commitments.empty()) return InvalidArgument("public share: no tellers");
  const size_t t = coefficient_commitments[0].size();
  if (t == 0) return InvalidArgument("public share: no commitments");
  // D_k = Σ_j C_{j,k} (additions only), then Horner in i: one small
  // variable-base multiplication per degree instead of one per (j, k).
  std::vector<Point> d(t);
  for (size_t j = 0; j < coefficient_commitments.size(); ++j) {
    const auto& cj = coefficient_commitments[j];
    if (cj.size() != t) {
      return InvalidArgument("public share: teller " + std::to_string(j + 1) + " has " +
                             std::to_string(cj.size()) + " commitments, want " +
                             std::to_string(t));
    }
    for (size_t k = 0; k < t; ++k) {
      ASSIGN_OR_RETURN(d[k], d[k].Add(cj[k]));
    }
  }
  const Scalar si = Scalar::FromUint64(i);
  Point acc = d[t - 1].Clone();
  for (size_t k = t - 1; k-- > 0;) {
    ASSIGN_OR_RETURN(Point scaled, acc.Mul(si));
    ASSIGN_OR_RETURN(acc, scaled.Add(d[k]));
  }
  return acc;
}

Result<Point> JointKey(const std::vector<std::vector<Point>>& coefficient_commitments) {
  Point k;
  for (size_t j = 0; j < coefficient_commitments.size(); ++j) {
    if (coefficient_commitments[j].empty()) {
      return InvalidArgument("joint key: teller " + std::to_string(j + 1) + " has no commitments");
    }
    ASSIGN_OR_RETURN(k, k.Add(coefficient_commitments[j][0]));
  }
  if (k.IsIdentity()) return InvalidArgument("joint key: identity");
  return k;
}

Result<Scalar> EvaluatePolynomial(const std::vector<Scalar>& coefficients, uint32_t i) {
  if (coefficients.empty()) return InvalidArgument("polynomial: no coefficients");
  const Scalar si = Scalar::FromUint64(i);
  Scalar acc = coefficients.back().Clone();
  for (size_t k = coefficients.size() - 1; k-- > 0;) {
    ASSIGN_OR_RETURN(Scalar scaled, acc.Mul(si));
    ASSIGN_OR_RETURN(acc, scaled.Add(coefficients[k]));
  }
  return acc;
}

Result<Point> CombinePartials(const std::vector<uint32_t>& indices,
                              const std::vector<Point>& partials) {
  if (indices.size() != partials.size()) {
    return InvalidArgument("combine: " + std::to_string(indices.size()) + " indices but " +
                           std::to_string(partials.size()) + " partials");
  }
  if (indices.empty()) return InvalidArgument("combine: no partials");
  Point acc;
  for (size_t k = 0; k < indices.size(); ++k) {
    ASSIGN_OR_RETURN(Scalar lambda, Lagrange(indices[k], indices));
    ASSIGN_OR_RETURN(Point term, partials[k].Mul(lambda));
    ASSIGN_OR_RETURN(acc, acc.Add(term));
  }
  return acc;
}

Result<Point> DecryptToPoint(const Ciphertext& ct, const Point& combined) {
  return ct.data.Sub(combined);
}

}  // namespace phieu::crypto

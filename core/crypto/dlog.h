// DlogTable: the discrete logarithm of a small total, x from x·G with
// 0 <= x <= max, by baby-step giant-step (Shanks 1971).
//
// Baby steps: the encodings of j·G for 1 <= j < B in a hash table
// (B = the larger of ⌈√(max+1)⌉ and min(max+1, 4096), so small bounds take a
// handful of giant steps). Giant steps: Q_i = P − i·(B·G) for i = 0, 1, ...
// until Q_i is the identity (x = i·B) or in the table (x = i·B + j).
// Cost: B additions to build; at most ⌈(max+1)/B⌉ additions per solve.
//
// Thread-safety: immutable after Create(); Solve() may run on many threads.
// Errors: Create: InvalidArgument "dlog: bound too large" past 2^34.
//   Solve: ResourceExhausted "dlog: total exceeds bound N" when x > max (or
//   the point is not a small multiple of G at all); Internal on OpenSSL failure.
#ifndef PHIEU_CORE_CRYPTO_DLOG_H_
#define PHIEU_CORE_CRYPTO_DLOG_H_

#include <cstdint>
#include <string>
#include <unordered_map>

#include "core/crypto/group.h"

namespace phieu::crypto {

class DlogTable {
 public:
  static constexpr uint64_t kMaxBound = uint64_t{1} << 34;

  static Result<DlogTable> Create(uint64_t max);

  Result<uint64_t> Solve(const Point& m_g) const;
  uint64_t max() const { return max_; }

  DlogTable(DlogTable&&) = default;
  DlogTable& operator=(DlogTable&&) = default;

 private:
  DlogTable(uint64_t max, uint64_t baby, Point giant)
      : max_(max), baby_(baby), giant_(std::move(giant)) {}

  uint64_t max_;
  uint64_t baby_;                                   // B
  Point giant_;                                     // B·G
  std::unordered_map<std::string, uint64_t> table_;  // enc(j·G) -> j, 1 <= j < B
};

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_DLOG_H_

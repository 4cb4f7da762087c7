#include "core/crypto/dlog.h"

#include <algorithm>
#include <cmath>

namespace phieu::crypto {

Result<DlogTable> DlogTable::Create(uint64_t max) {
  if (max > kMaxBound) return InvalidArgument("dlog: bound too large");
  uint64_t sqrt_bound = static_cast<uint64_t>(std::ceil(std::sqrt(static_cast<double>(max) + 1)));
  uint64_t baby = std::max<uint64_t>(sqrt_bound, std::min<uint64_t>(max + 1, 4096));
  baby = std::max<uint64_t>(baby, 1);

  const Point g = Point::Generator();
  Point jg;  // j·G
  DlogTable table(max, baby, Point());
  table.table_.reserve(baby);
  for (uint64_t j = 1; j < baby; ++j) {
    ASSIGN_OR_RETURN(jg, jg.Add(g));
    ASSIGN_OR_RETURN(std::string enc, jg.Encode());
    table.table_.emplace(std::move(enc), j);
  }
  ASSIGN_OR_RETURN(table.giant_, jg.Add(g));  // B·G
  return table;
}

Result<uint64_t> DlogTable::Solve(const Point& m_g) const {
  Point q = m_g.Clone();
  const uint64_t steps = max_ / baby_ + 1;
  for (uint64_t i = 0; i < steps; ++i) {
    uint64_t x;
    bool hit = false;
    if (q.IsIdentity()) {
      x = i * baby_;
      hit = true;
    } else {
      ASSIGN_OR_RETURN(std::string enc, q.Encode());
      auto it = table_.find(enc);
      if (it != table_.end()) {
        x = i * baby_ + it->second;
        hit = true;
      }
    }
    if (hit) {
      if (x > max_) break;
      return x;
    }
    ASSIGN_OR_RETURN(q, q.Sub(giant_));
  }
  return ResourceExhausted("dlog: total exceeds bound " + std::to_string(max_));
}

}  // namespace phieu::crypto

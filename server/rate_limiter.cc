#include "server/rate_limiter.h"

#include <algorithm>
#include <cstdio>

namespace phieu::server {

Status RateLimiter::Take(const std::string& key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{limit_.burst, now});
  Bucket& b = it->second;
  if (!fresh && now > b.last) {
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(limit_.burst, b.tokens + elapsed * limit_.per_second);
    b.last = now;
  }
  if (b.tokens < 1) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", limit_.per_second);
    return ResourceExhausted("rate limit: more than " + std::string(rate) + " posts per second (burst " +
                             std::to_string(static_cast<long long>(limit_.burst)) +
                             ") from this certificate; retry later");
  }
  b.tokens -= 1;
  return Status::Ok();
}

}  // namespace phieu::server

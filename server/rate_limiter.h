// RateLimiter: a token bucket per key (the server keys it by certificate pin).
//
// Each key starts with `burst` tokens; every Take spends one; tokens come back
// at `per_second`, up to `burst`. A key with no token left is refused with
// ResourceExhausted "rate limit: ...", which the wire reports as
// ERROR_RATE_LIMITED. It costs a map lookup and no curve arithmetic, so the
// meeting service runs it before anything else on a Post.
//
// Memory: one bucket per key that ever posted; keys are authenticated pins,
// so the map is bounded by the roster.
//
// Thread-safety: Take is thread-safe.
// Errors: Take returns ResourceExhausted naming the limit when the bucket is empty.
#ifndef PHIEU_SERVER_RATE_LIMITER_H_
#define PHIEU_SERVER_RATE_LIMITER_H_

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "core/util/status.h"

namespace phieu::server {

struct RateLimit {
  double per_second = 10;  // tokens returned per second (0: none; only the burst is ever spent)
  double burst = 60;       // bucket size; a key starts full
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(RateLimit limit) : limit_(limit) {}

  // Spends one token of `key` at time `now` (tests pass their own clock).
  Status Take(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point last;
  };

  const RateLimit limit_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace phieu::server

#endif  // PHIEU_SERVER_RATE_LIMITER_H_

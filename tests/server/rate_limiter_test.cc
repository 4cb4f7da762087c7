// RateLimiter: a token bucket per key, with the test's own clock.
#include "server/rate_limiter.h"

#include <gtest/gtest.h>

namespace phieu::server {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiterTest, BurstThenRefillPerKey) {
  RateLimiter limiter(RateLimit{2, 4});  // 2 per second, burst 4
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.Take("a", t0).ok()) << i;
  Status refused = limiter.Take("a", t0);
  EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("rate limit"), std::string::npos) << refused.message();
  EXPECT_TRUE(limiter.Take("b", t0).ok());  // another key, its own bucket
  // 500 ms gives one token back, not two.
  EXPECT_TRUE(limiter.Take("a", t0 + milliseconds(500)).ok());
  EXPECT_FALSE(limiter.Take("a", t0 + milliseconds(500)).ok());
  // A long pause refills to the burst, no more.
  const auto later = t0 + std::chrono::minutes(10);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.Take("a", later).ok()) << i;
  EXPECT_FALSE(limiter.Take("a", later).ok());
  // A clock that goes backwards gives nothing back.
  EXPECT_FALSE(limiter.Take("a", t0).ok());
}

TEST(RateLimiterTest, ZeroRateSpendsOnlyTheBurst) {
  RateLimiter limiter(RateLimit{0, 1});
  const auto t0 = RateLimiter::Clock::now();
  EXPECT_TRUE(limiter.Take("a", t0).ok());
  EXPECT_FALSE(limiter.Take("a", t0 + std::chrono::hours(24)).ok());
}

}  // namespace
}  // namespace phieu::server

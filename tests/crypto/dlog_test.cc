#include "core/crypto/dlog.h"

#include <gtest/gtest.h>

#include <chrono>

namespace phieu::crypto {
namespace {

Point Times(uint64_t x) { return *Point::MulGen(Scalar::FromUint64(x)); }

TEST(DlogTest, SolvesSmallBounds) {
  for (uint64_t max : {0u, 1u, 2u, 10u}) {
    auto table = DlogTable::Create(max);
    ASSERT_TRUE(table.ok());
    EXPECT_EQ(*table->Solve(Point::Identity()), 0u);
    for (uint64_t x = 1; x <= max; ++x) EXPECT_EQ(*table->Solve(Times(x)), x) << max;
    auto past = table->Solve(Times(max + 1));
    ASSERT_FALSE(past.ok());
    EXPECT_EQ(past.status().code(), StatusCode::kResourceExhausted);
    EXPECT_EQ(past.status().message(), "dlog: total exceeds bound " + std::to_string(max));
  }
}

TEST(DlogTest, HundredThousandIsQuick) {
  const auto start = std::chrono::steady_clock::now();
  auto table = DlogTable::Create(100000);
  const auto built = std::chrono::steady_clock::now();
  ASSERT_TRUE(table.ok());
  for (uint64_t x : {0ull, 1ull, 4095ull, 4096ull, 4097ull, 65537ull, 99999ull, 100000ull}) {
    EXPECT_EQ(*table->Solve(Times(x)), x);
  }
  EXPECT_FALSE(table->Solve(Times(100001)).ok());
  EXPECT_FALSE(table->Solve(Times(102400)).ok());  // within the last giant step's reach
  EXPECT_FALSE(table->Solve(*Point::MulGen(*Scalar::Random())).ok());
  const double build_s = std::chrono::duration<double>(built - start).count();
  RecordProperty("build_seconds", std::to_string(build_s));
  // "Well under 1 s" in a release build; generous so that ASan builds pass too.
  EXPECT_LT(build_s, 3.0);
}

TEST(DlogTest, RejectsHugeBound) {
  EXPECT_FALSE(DlogTable::Create(DlogTable::kMaxBound + 1).ok());
}

}  // namespace
}  // namespace phieu::crypto

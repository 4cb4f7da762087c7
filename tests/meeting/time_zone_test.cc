#include "core/meeting/time_zone.h"

#include <gtest/gtest.h>

namespace phieu::meeting {
namespace {

TEST(TimeZoneTest, HoChiMinhIsUtcPlus7) {
  // 2024-08-02T09:45:30Z = 16:45:30 in Hà Nội.
  auto t = ToLocalTime(1722591930000, "Asia/Ho_Chi_Minh");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->year, 2024);
  EXPECT_EQ(t->month, 8);
  EXPECT_EQ(t->day, 2);
  EXPECT_EQ(t->hour, 16);
  EXPECT_EQ(t->minute, 45);
  EXPECT_EQ(t->second, 30);
}

TEST(TimeZoneTest, CrossesMidnightAndLeapDay) {
  // 2024-02-28T20:00:00Z is 2024-02-29 03:00 at UTC+7.
  auto t = ToLocalTime(1709150400000, "Asia/Ho_Chi_Minh");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->month, 2);
  EXPECT_EQ(t->day, 29);
  EXPECT_EQ(t->hour, 3);
  auto u = ToLocalTime(1709150400000, "UTC");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->day, 28);
  EXPECT_EQ(u->hour, 20);
}

TEST(TimeZoneTest, UnknownZoneFails) {
  auto t = ToLocalTime(0, "Europe/Berlin");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("Europe/Berlin"), std::string::npos);
}

}  // namespace
}  // namespace phieu::meeting

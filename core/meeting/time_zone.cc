#include "core/meeting/time_zone.h"

#include <array>
#include <string_view>
#include <utility>

namespace phieu::meeting {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 7> kZones = {{
    {"Asia/Ho_Chi_Minh", 7 * 60},
    {"Asia/Saigon", 7 * 60},
    {"Asia/Bangkok", 7 * 60},
    {"Asia/Jakarta", 7 * 60},
    {"Asia/Vientiane", 7 * 60},
    {"UTC", 0},
    {"Etc/UTC", 0},
}};

// Days since 1970-01-01 to civil date (Howard Hinnant's algorithm).
void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yoe + era * 400 + (*m <= 2 ? 1 : 0));
}

}  // namespace

Result<int> UtcOffsetMinutes(const std::string& zone) {
  for (const auto& [name, offset] : kZones) {
    if (name == zone) return offset;
  }
  return InvalidArgument("time zone '" + zone +
                         "' is not supported (use Asia/Ho_Chi_Minh, Asia/Bangkok or UTC)");
}

Result<LocalTime> ToLocalTime(int64_t unix_ms, const std::string& zone) {
  ASSIGN_OR_RETURN(int offset, UtcOffsetMinutes(zone));
  int64_t secs = unix_ms / 1000;
  if (unix_ms % 1000 < 0) secs -= 1;
  secs += static_cast<int64_t>(offset) * 60;
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  LocalTime t;
  CivilFromDays(days, &t.year, &t.month, &t.day);
  t.hour = static_cast<int>(rem / 3600);
  t.minute = static_cast<int>(rem % 3600 / 60);
  t.second = static_cast<int>(rem % 60);
  return t;
}

}  // namespace phieu::meeting

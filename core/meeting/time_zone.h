// Local time for the minutes, without the system tz database: a small table of
// fixed-offset zones that Vietnamese meetings use (none of them has daylight
// saving time). Asia/Ho_Chi_Minh (and its old name Asia/Saigon), Asia/Bangkok,
// Asia/Jakarta and Asia/Vientiane are UTC+7; UTC and Etc/UTC are UTC+0.
//
// Errors: InvalidArgument "time zone 'X' is not supported" for any other name
// (a meeting file must not silently print the wrong hour).
// Thread-safety: pure functions.
#ifndef PHIEU_CORE_MEETING_TIME_ZONE_H_
#define PHIEU_CORE_MEETING_TIME_ZONE_H_

#include <cstdint>
#include <string>

#include "core/util/status.h"

namespace phieu::meeting {

// Offset east of UTC, in minutes.
Result<int> UtcOffsetMinutes(const std::string& zone);

struct LocalTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// Unix milliseconds (UTC) in the zone.
Result<LocalTime> ToLocalTime(int64_t unix_ms, const std::string& zone);

}  // namespace phieu::meeting

#endif  // PHIEU_CORE_MEETING_TIME_ZONE_H_

// Shares ("more than 1/2", "at least 2/3") and their wording, in exact
// integer arithmetic: a share is met when votes·den > num·base ("more than")
// or votes·den >= num·base ("at least"). No floating point decides anything;
// percentages are only printed, rounded half up to two decimals.
//
// Thread-safety: pure functions. No errors: a base of 0 meets no share.
#ifndef PHIEU_CORE_RULES_SHARE_H_
#define PHIEU_CORE_RULES_SHARE_H_

#include <cstdint>
#include <string>

#include "phieu/v1/meeting.pb.h"

namespace phieu::rules {

enum class Lang { kVi, kEn };

// True when `votes` out of `base` meets the share. False when base is 0.
bool MeetsShare(uint64_t votes, uint64_t base, const v1::Share& share);

// The smallest vote count that meets the share of `base` (may exceed base,
// e.g. "more than 1/1").
uint64_t MinVotesFor(uint64_t base, const v1::Share& share);

// "66,67%" (kVi) or "66.67%" (kEn); "0%" style trailing zeros kept: "50,00%".
// Base 0 prints "—".
std::string FormatPercent(uint64_t votes, uint64_t base, Lang lang);

// "trên 1/2" / "more than 1/2", "từ 2/3 trở lên" / "at least 2/3"; a
// fraction whose denominator divides 100 is printed as a percentage
// ("trên 50%", "at least 70%").
std::string ShareText(const v1::Share& share, Lang lang);

// What a base is: "tổng số đại biểu có mặt" / "delegates present", ...
std::string BaseText(v1::Base base, Lang lang);

}  // namespace phieu::rules

#endif  // PHIEU_CORE_RULES_SHARE_H_

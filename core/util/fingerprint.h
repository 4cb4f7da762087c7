// The short fingerprint people compare by eye: the first 16 hex digits (8
// bytes) of a hash. The projector's live chain head (`phieu watch`), `phieu
// status` and the minutes' key fingerprints all print this form, so a short
// head read off the projector is a prefix of the full head on the minutes.
#ifndef PHIEU_CORE_UTIL_FINGERPRINT_H_
#define PHIEU_CORE_UTIL_FINGERPRINT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace phieu {

inline constexpr size_t kShortFingerprintBytes = 8;

// Lowercase hex of the first kShortFingerprintBytes of `hash` (all of it when shorter).
std::string ShortFingerprint(std::string_view hash);

}  // namespace phieu

#endif  // PHIEU_CORE_UTIL_FINGERPRINT_H_

#include "core/rules/share.h"

namespace phieu::rules {

bool MeetsShare(uint64_t votes, uint64_t base, const v1::Share& share) {
  if (base == 0 || share.den() == 0) return false;
  // 128-bit products: exact for every 64-bit count and 32-bit fraction.
  const unsigned __int128 lhs = static_cast<unsigned __int128>(votes) * share.den();
  const unsigned __int128 rhs = static_cast<unsigned __int128>(share.num()) * base;
  return share.at_least() ? lhs >= rhs : lhs > rhs;
}

uint64_t MinVotesFor(uint64_t base, const v1::Share& share) {
  if (share.den() == 0) return base + 1;
  const unsigned __int128 prod = static_cast<unsigned __int128>(share.num()) * base;
  // at least: ceil(num·base/den); more than: floor(num·base/den) + 1.
  if (share.at_least()) return static_cast<uint64_t>((prod + share.den() - 1) / share.den());
  return static_cast<uint64_t>(prod / share.den() + 1);
}

std::string FormatPercent(uint64_t votes, uint64_t base, Lang lang) {
  if (base == 0) return "—";
  // Hundredths of a percent, rounded half up: (votes·10000·2 + base) / (2·base).
  const unsigned __int128 scaled = static_cast<unsigned __int128>(votes) * 20000 + base;
  const uint64_t hundredths =
      static_cast<uint64_t>(scaled / (2 * static_cast<unsigned __int128>(base)));
  std::string frac = std::to_string(hundredths % 100);
  if (frac.size() < 2) frac = "0" + frac;
  return std::to_string(hundredths / 100) + (lang == Lang::kVi ? "," : ".") + frac + "%";
}

std::string ShareText(const v1::Share& share, Lang lang) {
  std::string amount;
  if (share.den() != 0 && 100 % share.den() == 0) {
    amount = std::to_string(share.num() * (100 / share.den())) + "%";
  } else {
    amount = std::to_string(share.num()) + "/" + std::to_string(share.den());
  }
  if (lang == Lang::kVi) return share.at_least() ? "từ " + amount + " trở lên" : "trên " + amount;
  return (share.at_least() ? "at least " : "more than ") + amount;
}

std::string BaseText(v1::Base base, Lang lang) {
  const bool vi = lang == Lang::kVi;
  switch (base) {
    case v1::BASE_MEMBERS:
      return vi ? "tổng số thành viên" : "members";
    case v1::BASE_VALID:
      return vi ? "tổng số phiếu hợp lệ" : "valid ballots";
    case v1::BASE_PRESENT:
    case v1::BASE_UNSPECIFIED:
    default:
      return vi ? "tổng số đại biểu có mặt" : "delegates present";
  }
}

}  // namespace phieu::rules

// The counting minutes (biên bản kiểm phiếu) of one run of a ballot, as text
// for the terminal and as a printable A4 HTML page, in Vietnamese (default)
// or English. Layout and wording follow VOCABULARY.md: the national heading,
// place and date, the title, the question, then the tellers, the method,
// members, present, issued, received, valid / invalid / blank, the result per
// candidate with its share and what it is measured against, the conclusion,
// the time the count ended, the chain head and fingerprints, the signatures.
// Units and votes are shown side by side when any unit's weight is not 1.
//
// Errors: none; an unsupported time zone (ValidateMeeting refuses it) prints
// the time in UTC and says so. HTML output escapes every meeting-file string.
// Thread-safety: pure functions.
#ifndef PHIEU_CORE_RULES_MINUTES_H_
#define PHIEU_CORE_RULES_MINUTES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/rules/share.h"
#include "phieu/v1/meeting.pb.h"
#include "phieu/v1/rules.pb.h"

namespace phieu::rules {

struct MinutesTeller {
  std::string name;         // "Nguyễn Văn A"
  std::string unit_name;    // "Sở Giáo dục và Đào tạo tỉnh Lào Cai" (may be empty)
  std::string teller_role;  // "Trưởng Ban kiểm phiếu", "Thành viên"
};

struct MinutesNote {
  std::string vi;
  std::string en;
};

struct MinutesInput {
  v1::Meeting meeting;
  v1::BallotSpec spec;
  v1::Outcome outcome;
  uint32_t round = 1;                  // 2, 3, ... for a second round
  std::vector<MinutesTeller> tellers;  // the tellers who decrypted
  int64_t count_ended_unix_ms = 0;     // server time the result was signed
  std::string chain_head_hex;
  // ShortFingerprint (core/util/fingerprint.h) of SHA-256 of the server's signing
  // key and of the meeting CA's certificate.
  std::string server_fingerprint;
  std::string ca_fingerprint;
  std::vector<MinutesNote> notes;  // e.g. paper-batch warnings, "demo: counts illustrative"
};

std::string MinutesText(const MinutesInput& in, Lang lang = Lang::kVi);
std::string MinutesHtml(const MinutesInput& in, Lang lang = Lang::kVi);

// "ngày 02 tháng 8 năm 2024" (months 1 and 2 with a leading zero, as
// administrative documents write them) or "2 August 2024".
std::string DateText(int year, int month, int day, Lang lang);

// Escapes & < > " ' for HTML.
std::string HtmlEscape(const std::string& s);

}  // namespace phieu::rules

#endif  // PHIEU_CORE_RULES_MINUTES_H_

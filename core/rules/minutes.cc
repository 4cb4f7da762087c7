#include "core/rules/minutes.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "core/meeting/meeting_defaults.h"
#include "core/meeting/time_zone.h"
#include "core/rules/outcome.h"

namespace phieu::rules {
namespace {

std::string N(uint64_t v) { return std::to_string(v); }

// Everything the minutes say, in order; rendered as text or HTML.
struct Doc {
  std::string heading1, heading2, date_line, title;
  std::vector<std::string> subtitle;
  std::string tellers_label;
  std::vector<std::string> tellers;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string results_label;
  std::vector<std::string> results;
  std::string conclusion_label;
  std::vector<std::string> conclusion;
  std::string notes_label;
  std::vector<std::string> notes;
  std::string time_line;
  std::vector<std::pair<std::string, std::string>> trailer;
  std::string sign_hint;
  std::vector<std::pair<std::string, std::string>> signatures;  // (role, name)
};

const v1::Candidate* FindCandidate(const v1::BallotSpec& spec, const std::string& id) {
  for (const auto& c : spec.candidates()) {
    if (c.id() == id) return &c;
  }
  return nullptr;
}

std::string CandidateName(const v1::BallotSpec& spec, const std::string& id) {
  const v1::Candidate* c = FindCandidate(spec, id);
  return c ? c->name() : id;
}

std::string JoinNames(const v1::BallotSpec& spec,
                      const google::protobuf::RepeatedPtrField<std::string>& ids) {
  std::string s;
  for (const auto& id : ids) {
    if (!s.empty()) s += ", ";
    s += CandidateName(spec, id);
  }
  return s;
}

// "7" or "7 đơn vị (9 phiếu)" when weights differ from 1.
std::string UnitsVotes(bool weighted, uint32_t units, uint32_t votes, bool vi) {
  if (!weighted) return N(votes);
  return N(units) + (vi ? " đơn vị (" : " units (") + N(votes) + (vi ? " phiếu)" : " votes)");
}

std::string EnglishMonth(int m) {
  static const char* kMonths[] = {"January",   "February", "March",    "April",
                                  "May",       "June",     "July",     "August",
                                  "September", "October",  "November", "December"};
  return (m >= 1 && m <= 12) ? kMonths[m - 1] : N(m);
}

std::string StandingText(v1::Standing s, const v1::BallotSpec& spec, bool vi) {
  const v1::BallotKind kind = spec.kind();
  // The word a teller uses: passed (an item), honoured (suy tôn), proposed
  // (an award), elected (an officer).
  std::string yes = vi ? "trúng cử" : "elected";
  if (kind == v1::KIND_YES_NO_ABSTAIN) {
    yes = vi ? "được thông qua" : "passed";
  } else if (kind == v1::KIND_RANK) {
    yes = vi ? "được suy tôn" : "ranked";
  } else if (!spec.award().empty()) {
    yes = vi ? "được đề nghị" : "proposed";
  }
  switch (s) {
    case v1::STANDING_ELECTED:
      return yes;
    case v1::STANDING_TIED:
      return vi ? "bằng phiếu, chưa xác định" : "tied, not decided";
    case v1::STANDING_NOT_ELECTED:
      return vi ? "không " + yes : "not " + yes;
    default:
      return "";
  }
}

Doc Build(const MinutesInput& in, Lang lang) {
  const bool vi = lang == Lang::kVi;
  const v1::Meeting& m = in.meeting;
  const v1::BallotSpec& spec = in.spec;
  const v1::Outcome& o = in.outcome;
  const v1::Counts& c = o.counts();
  const bool weighted = meeting::AnyWeighted(m);
  Doc d;

  d.heading1 = vi ? "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" : "SOCIALIST REPUBLIC OF VIETNAM";
  d.heading2 = vi ? "Độc lập - Tự do - Hạnh phúc" : "Independence - Freedom - Happiness";
  const std::string locality = !m.locality().empty() ? m.locality() : m.place();
  int y = 0, mo = 0, da = 0;
  if (std::sscanf(m.date().c_str(), "%d-%d-%d", &y, &mo, &da) == 3) {
    d.date_line = (locality.empty() ? "" : locality + ", ") + DateText(y, mo, da, lang);
  }
  d.title = vi ? "BIÊN BẢN KIỂM PHIẾU" : "COUNTING MINUTES";
  std::string question = vi || spec.question_en().empty() ? spec.question() : spec.question_en();
  if (in.round > 1) {
    question += vi ? " (bầu lại, vòng " + N(in.round) + ")" : " (round " + N(in.round) + ")";
  }
  d.subtitle.push_back(question);
  d.subtitle.push_back(vi || m.title_en().empty() ? m.title() : m.title_en());
  if (!m.place().empty()) d.subtitle.push_back((vi ? "Địa điểm: " : "Place: ") + m.place());

  d.tellers_label = vi ? "Ban kiểm phiếu gồm:" : "The tellers' committee (Ban kiểm phiếu):";
  for (size_t i = 0; i < in.tellers.size(); ++i) {
    const auto& t = in.tellers[i];
    std::string line = N(i + 1) + ". " + t.name;
    if (!t.unit_name.empty()) line += " — " + t.unit_name;
    if (!t.teller_role.empty()) line += " — " + t.teller_role;
    d.tellers.push_back(line);
  }

  d.fields.emplace_back(
      vi ? "Hình thức" : "Method",
      vi ? "bỏ phiếu kín (phiếu điện tử được mã hóa trên máy của đại biểu; Ban kiểm "
           "phiếu chỉ giải mã tổng số phiếu)"
         : "secret ballot (electronic ballots encrypted on each delegate's machine; the "
           "tellers decrypt only the totals)");
  d.fields.emplace_back(
      vi ? "Tổng số đơn vị thành viên (đại biểu triệu tập)" : "Member units (delegates convened)",
      UnitsVotes(weighted, c.members_units(), c.members_votes(), vi));
  std::string present = UnitsVotes(weighted, c.present_units(), c.present_votes(), vi);
  if (c.remote_units() || c.proxy_units()) {
    present += vi ? " (trong đó trực tuyến: " + N(c.remote_units()) +
                        "; ủy quyền bỏ phiếu: " + N(c.proxy_units()) + ")"
                  : " (of which remote: " + N(c.remote_units()) +
                        "; by proxy: " + N(c.proxy_units()) + ")";
  }
  if (m.remote_not_present() && c.remote_units()) {
    present += vi ? "; đại biểu trực tuyến không tính là có mặt"
                  : "; remote delegates are not counted as present";
  }
  d.fields.emplace_back(vi ? "Số đại biểu có mặt" : "Present", present);
  d.fields.emplace_back(vi ? "Số phiếu phát ra" : "Ballots issued", N(c.issued_votes()));
  std::string received = UnitsVotes(weighted, c.received_units(), c.received_votes(), vi);
  if (c.paper_units()) {
    received += vi ? " (trong đó phiếu giấy: " + N(c.paper_units()) + ")"
                   : " (of which on paper: " + N(c.paper_units()) + ")";
  }
  d.fields.emplace_back(vi ? "Số phiếu thu vào" : "Ballots received", received);
  d.fields.emplace_back(
      vi ? "Số phiếu hợp lệ" : "Valid ballots",
      N(c.valid_votes()) + (vi ? " (kể cả phiếu trắng)" : " (blank ballots included)"));
  d.fields.emplace_back(vi ? "Số phiếu không hợp lệ" : "Invalid ballots", N(c.invalid_votes()));
  d.fields.emplace_back(vi ? "Số phiếu trắng" : "Blank ballots", N(c.blank_votes()));
  if (weighted) {
    d.fields.emplace_back(vi ? "Ghi chú về số phiếu" : "About the counts",
                          vi ? "một số đơn vị có nhiều hơn 1 phiếu; số phiếu tính theo trọng số"
                             : "some units carry more than one vote; votes are counted by weight");
  }
  const std::string base_text = BaseText(o.base(), lang);
  if (spec.kind() == v1::KIND_RANK) {
    d.fields.emplace_back(
        vi ? "Cách tính" : "Rule",
        vi ? "điểm theo thứ hạng (thứ Nhất " + N(meeting::EffectiveRanks(spec)) +
                 " điểm, mỗi hạng sau ít hơn 1 điểm); bằng điểm thì xét số phiếu xếp thứ "
                 "Nhất, rồi thứ Nhì, ..."
           : "points by rank (" + N(meeting::EffectiveRanks(spec)) +
                 " for first, one less for each rank below); equal points are decided by "
                 "more first places, then second places, ...");
    if (o.has_first_place_share()) {
      d.fields.emplace_back(
          vi ? "Yêu cầu với đơn vị xếp thứ Nhất" : "Required for first place",
          ShareText(o.first_place_share(), lang) + (vi ? " so với " : " of ") + base_text);
    }
  } else {
    d.fields.emplace_back(vi ? "Tỷ lệ cần đạt" : "Share required",
                          ShareText(o.share(), lang) + (vi ? " so với " : " of ") + base_text +
                              " (" + N(o.base_votes()) + (vi ? " phiếu)" : " votes)"));
  }

  // Results.
  d.results_label = vi ? "Kết quả:" : "Results:";
  const std::string against = vi ? "(so với " + base_text + ")" : "(of " + base_text + ")";
  std::vector<std::pair<v1::Base, uint64_t>> others;
  for (v1::Base b : {v1::BASE_MEMBERS, v1::BASE_PRESENT, v1::BASE_VALID}) {
    if (b != o.base()) others.emplace_back(b, BaseVotes(c, b));
  }
  for (const auto& r : o.candidates()) {
    const std::string name = CandidateName(spec, r.candidate_id());
    std::string line;
    switch (spec.kind()) {
      case v1::KIND_RANK: {
        line = name + ":";
        for (int j = 0; j < r.rank_counts_size(); ++j) {
          line += std::string(j ? ", " : " ") +
                  (vi ? "thứ " + RankNameVi(j + 1) : "rank " + N(j + 1)) + " " +
                  N(r.rank_counts(j));
        }
        line += vi ? "; tổng " + N(r.points()) + " điểm; xếp thứ " + RankNameVi(r.place())
                   : "; " + N(r.points()) + " points; place " + N(r.place());
        if (o.has_first_place_share()) {
          line += vi ? "; phiếu xếp thứ Nhất " : "; rank-1 share ";
          line += FormatPercent(r.rank_counts(0), o.base_votes(), lang) + " " + against;
        }
        break;
      }
      case v1::KIND_YES_NO_ABSTAIN:
        line = name + (vi ? ": đồng ý " : ": agree ") + N(r.votes()) + " (" +
               FormatPercent(r.votes(), o.base_votes(), lang) + " " + against + ")" +
               (vi ? ", không đồng ý " : ", disagree ") + N(r.no_votes()) +
               (vi ? ", không ý kiến " : ", abstain ") + N(r.abstain_votes());
        break;
      default: {
        line = name + (vi ? " đạt " : ": ") + N(r.votes()) +
               (vi ? " phiếu, tỷ lệ " : (r.votes() == 1 ? " vote, " : " votes, ")) +
               FormatPercent(r.votes(), o.base_votes(), lang) + " " + against;
        std::string rest;
        bool differ = false;
        for (const auto& [b, v] : others) differ |= v != o.base_votes();
        for (const auto& [b, v] : others) {
          if (!differ) break;
          rest += std::string(rest.empty() ? "" : "; ") + (vi ? "so với " : "of ") +
                  BaseText(b, lang) + " " + FormatPercent(r.votes(), v, lang);
        }
        if (differ) line += " [" + rest + "]";
        break;
      }
    }
    line += " — " + StandingText(r.standing(), spec, vi);
    if (r.tie_broken_by_precedence()) line += vi ? " (theo thứ tự ưu tiên)" : " (by precedence)";
    d.results.push_back(line);
  }

  // Conclusion.
  d.conclusion_label = vi ? "Kết luận:" : "Outcome:";
  const std::string elected = JoinNames(spec, o.elected());
  const std::string award = spec.award();
  if (spec.kind() == v1::KIND_YES_NO_ABSTAIN) {
    d.conclusion.push_back((vi ? "Được thông qua: " : "Passed: ") +
                           (elected.empty() ? (vi ? "không có" : "none") : elected) + ".");
  } else if (spec.kind() == v1::KIND_RANK && o.elected_size() > 0) {
    std::string s;
    for (const auto& r : o.candidates()) {
      if (r.standing() != v1::STANDING_ELECTED) continue;
      if (!s.empty()) s += "; ";
      s += (vi ? "xếp thứ " + RankNameVi(r.place()) : "place " + N(r.place())) + ": " +
           CandidateName(spec, r.candidate_id());
    }
    d.conclusion.push_back((vi ? "Kết quả suy tôn: " : "Ranking: ") + s + ".");
  } else if (o.elected_size() > 0) {
    if (!award.empty()) {
      d.conclusion.push_back(vi ? elected + " được đề nghị tặng " + award + "."
                                : elected + (o.elected_size() > 1 ? " are" : " is") +
                                      " proposed for the " + award + ".");
    } else {
      d.conclusion.push_back(elected + (vi ? " trúng cử." : " elected."));
    }
  }
  if (o.no_winner() && spec.kind() != v1::KIND_YES_NO_ABSTAIN) {
    d.conclusion.push_back(vi ? "Không có ứng cử viên trúng cử." : "No candidate is elected.");
  }
  if (o.unfilled_seats() > 0) {
    d.conclusion.push_back(vi ? "Số suất chưa có người trúng cử: " + N(o.unfilled_seats()) + "."
                              : "Seats unfilled: " + N(o.unfilled_seats()) + ".");
  }
  if (o.runoff_candidates_size() > 0) {
    d.conclusion.push_back(
        vi ? "Đề nghị bầu lại (vòng hai) giữa: " + JoinNames(spec, o.runoff_candidates()) + " (" +
                 N(o.runoff_seats()) + " suất)."
           : "Second round proposed between: " + JoinNames(spec, o.runoff_candidates()) + " (" +
                 N(o.runoff_seats()) + " seat(s)).");
  }

  d.notes_label = vi ? "Ghi chú:" : "Notes:";
  for (const auto& n : (vi ? o.notes_vi() : o.notes())) d.notes.push_back(n);
  for (const auto& n : in.notes) d.notes.push_back(vi ? n.vi : n.en);

  // Time the count ended, in the meeting's zone.
  const std::string zone = meeting::EffectiveTimeZone(m);
  auto t = meeting::ToLocalTime(in.count_ended_unix_ms, zone);
  std::string zone_note;
  if (!t.ok()) {
    t = meeting::ToLocalTime(in.count_ended_unix_ms, "UTC");
    zone_note = vi ? " (giờ UTC; múi giờ " + zone + " không được hỗ trợ)"
                   : " (UTC; time zone " + zone + " is not supported)";
  }
  char hm[16];
  std::snprintf(hm, sizeof hm, "%02d", t->minute);
  const bool same_day = t->year == y && t->month == mo && t->day == da;
  if (vi) {
    d.time_line =
        "Việc kiểm phiếu kết thúc vào lúc " + N(t->hour) + " giờ " + hm + " phút " +
        (same_day ? std::string("cùng ngày") : DateText(t->year, t->month, t->day, lang)) +
        zone_note + ".";
  } else {
    char hhmm[16];
    std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", t->hour, t->minute);
    d.time_line = std::string("The count ended at ") + hhmm + " " +
                  (same_day ? std::string("the same day")
                            : "on " + DateText(t->year, t->month, t->day, lang)) +
                  zone_note + ".";
  }

  if (!in.chain_head_hex.empty()) {
    d.trailer.emplace_back(vi ? "Mã đầu chuỗi bản ghi (chain head)" : "Chain head",
                           in.chain_head_hex);
  }
  if (!in.server_fingerprint.empty()) {
    d.trailer.emplace_back(
        vi ? "Chữ ký số của máy chủ (dấu vân tay)" : "Server signature (fingerprint)",
        in.server_fingerprint);
  }
  if (!in.ca_fingerprint.empty()) {
    d.trailer.emplace_back(
        vi ? "Chứng thư CA của hội nghị (dấu vân tay)" : "Meeting CA (fingerprint)",
        in.ca_fingerprint);
  }

  d.sign_hint = vi ? "(ký, ghi rõ họ tên)" : "(signature, full name)";
  for (const auto& tl : in.tellers) {
    std::string role = tl.teller_role.empty() ? (vi ? "Thành viên" : "Member") : tl.teller_role;
    d.signatures.emplace_back(role, tl.name);
  }
  // The head of the tellers signs first.
  std::stable_partition(d.signatures.begin(), d.signatures.end(), [](const auto& s) {
    return s.first.find("Trưởng") != std::string::npos || s.first.find("Head") != std::string::npos;
  });
  return d;
}

}  // namespace

std::string DateText(int year, int month, int day, Lang lang) {
  if (lang == Lang::kEn) return N(day) + " " + EnglishMonth(month) + " " + N(year);
  char dd[8], mm[8];
  std::snprintf(dd, sizeof dd, "%02d", day);
  std::snprintf(mm, sizeof mm, month < 3 ? "%02d" : "%d", month);
  return std::string("ngày ") + dd + " tháng " + mm + " năm " + N(year);
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string MinutesText(const MinutesInput& in, Lang lang) {
  const Doc d = Build(in, lang);
  std::string s;
  s += d.heading1 + "\n" + d.heading2 + "\n";
  s += std::string(40, ' ') + d.date_line + "\n\n";
  s += d.title + "\n";
  for (const auto& l : d.subtitle) s += l + "\n";
  s += "\n" + d.tellers_label + "\n";
  for (const auto& l : d.tellers) s += "  " + l + "\n";
  for (const auto& [k, v] : d.fields) s += k + ": " + v + "\n";
  s += d.results_label + "\n";
  for (const auto& l : d.results) s += "  - " + l + "\n";
  s += d.conclusion_label + "\n";
  for (const auto& l : d.conclusion) s += "  " + l + "\n";
  if (!d.notes.empty()) {
    s += d.notes_label + "\n";
    for (const auto& l : d.notes) s += "  - " + l + "\n";
  }
  s += d.time_line + "\n\n";
  for (const auto& [k, v] : d.trailer) s += k + ": " + v + "\n";
  s += "\n";
  for (const auto& [role, name] : d.signatures) {
    s += role + " " + d.sign_hint + "\n\n\n  " + name + "\n\n";
  }
  return s;
}

std::string MinutesHtml(const MinutesInput& in, Lang lang) {
  const Doc d = Build(in, lang);
  auto e = HtmlEscape;
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"" + std::string(lang == Lang::kVi ? "vi" : "en") +
       "\">\n<head>\n";
  h += "<meta charset=\"utf-8\">\n<title>" + e(d.title + " — " + d.subtitle.front()) + "</title>\n";
  h += R"(<style>
@page { size: A4; margin: 20mm 20mm 20mm 30mm; }
body { font-family: "Times New Roman", "DejaVu Serif", serif; font-size: 13pt; line-height: 1.4; max-width: 160mm; margin: 0 auto; }
.national { text-align: center; font-weight: bold; margin: 0; }
.motto { text-align: center; font-weight: bold; margin: 0; }
.motto span { border-bottom: 1px solid #000; padding-bottom: 2px; }
.date { text-align: right; font-style: italic; margin-top: 10pt; }
h1 { text-align: center; font-size: 15pt; margin: 14pt 0 4pt; }
.subtitle { text-align: center; margin: 0; }
.question { text-align: center; font-weight: bold; margin: 0; }
dl { margin: 8pt 0; } dt { display: inline; } dd { display: inline; margin: 0; } dl div { margin: 2pt 0; }
ol, ul { margin: 2pt 0 6pt; }
.label { font-weight: bold; margin-top: 8pt; }
.trailer { font-size: 10pt; word-break: break-all; margin-top: 12pt; }
.signatures { display: flex; flex-wrap: wrap; justify-content: space-around; margin-top: 16pt; page-break-inside: avoid; }
.signature { text-align: center; width: 45%; margin-bottom: 18pt; }
.signature .role { font-weight: bold; }
.signature .hint { font-style: italic; font-size: 11pt; }
.signature .name { margin-top: 48pt; font-weight: bold; }
@media print { body { max-width: none; } }
</style>
</head>
<body>
)";
  h += "<p class=\"national\">" + e(d.heading1) + "</p>\n";
  h += "<p class=\"motto\"><span>" + e(d.heading2) + "</span></p>\n";
  h += "<p class=\"date\">" + e(d.date_line) + "</p>\n";
  h += "<h1>" + e(d.title) + "</h1>\n";
  for (size_t i = 0; i < d.subtitle.size(); ++i) {
    h += std::string("<p class=\"") + (i == 0 ? "question" : "subtitle") + "\">" +
         e(d.subtitle[i]) + "</p>\n";
  }
  h += "<p class=\"label\">" + e(d.tellers_label) + "</p>\n<ul>\n";
  for (const auto& l : d.tellers) h += "<li>" + e(l) + "</li>\n";
  h += "</ul>\n<dl>\n";
  for (const auto& [k, v] : d.fields)
    h += "<div><dt>" + e(k) + ":</dt> <dd>" + e(v) + "</dd></div>\n";
  h += "</dl>\n<p class=\"label\">" + e(d.results_label) + "</p>\n<ol>\n";
  for (const auto& l : d.results) h += "<li>" + e(l) + "</li>\n";
  h += "</ol>\n<p class=\"label\">" + e(d.conclusion_label) + "</p>\n";
  for (const auto& l : d.conclusion) h += "<p>" + e(l) + "</p>\n";
  if (!d.notes.empty()) {
    h += "<p class=\"label\">" + e(d.notes_label) + "</p>\n<ul>\n";
    for (const auto& l : d.notes) h += "<li>" + e(l) + "</li>\n";
    h += "</ul>\n";
  }
  h += "<p>" + e(d.time_line) + "</p>\n<div class=\"trailer\">\n";
  for (const auto& [k, v] : d.trailer) h += "<div>" + e(k) + ": <code>" + e(v) + "</code></div>\n";
  h += "</div>\n<div class=\"signatures\">\n";
  for (const auto& [role, name] : d.signatures) {
    h += "<div class=\"signature\"><div class=\"role\">" + e(role) + "</div><div class=\"hint\">" +
         e(d.sign_hint) + "</div><div class=\"name\">" + e(name) + "</div></div>\n";
  }
  h += "</div>\n</body>\n</html>\n";
  return h;
}

}  // namespace phieu::rules

#include "core/rules/minutes.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "core/meeting/meeting_file.h"
#include "core/rules/layout.h"
#include "core/rules/outcome.h"
#include "tests/rules/tally.h"

namespace phieu::rules {
namespace {

using Ids = std::vector<std::string>;

constexpr int64_t kEnded = 1722591930000;  // 2024-08-02 16:45:30 in Hà Nội

MinutesInput Cum4(const std::string& ballot_id) {
  auto m =
      meeting::LoadMeetingFile(std::string(PHIEU_SOURCE_DIR) + "/examples/cum4-2024.textproto");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  MinutesInput in;
  in.meeting = *m;
  for (const auto& b : m->ballots()) {
    if (b.id() == ballot_id) in.spec = b;
  }
  std::vector<testing::Vote> votes;
  for (const auto& v : m->demo_votes()) {
    if (v.ballot_id() == ballot_id)
      votes.push_back({v.unit_id(), Ids(v.choices().begin(), v.choices().end())});
  }
  const Ids run = AllCandidates(in.spec);
  auto totals = testing::Tally(*m, in.spec, run, votes);
  EXPECT_TRUE(totals.ok());
  auto o = ComputeOutcome(*m, in.spec, run, *totals, testing::AllPresentCounts(*m, votes));
  EXPECT_TRUE(o.ok());
  in.outcome = *o;
  in.tellers = {
      {"Đại biểu Lào Cai", "Sở Giáo dục và Đào tạo tỉnh Lào Cai", "Thành viên"},
      {"Đại biểu Hà Giang", "Sở Giáo dục và Đào tạo tỉnh Hà Giang", "Trưởng Ban kiểm phiếu"}};
  in.count_ended_unix_ms = kEnded;
  in.chain_head_hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  in.server_fingerprint = "SHA256:ab12cd34";
  in.ca_fingerprint = "SHA256:ef56ab78";
  return in;
}

// PHIEU_PRINT_MINUTES=1 prints the minutes for a human to read.
void MaybePrint(const std::string& text) {
  if (std::getenv("PHIEU_PRINT_MINUTES")) std::cout << text << "\n----\n";
}

// Each needle appears, in this order.
void ExpectInOrder(const std::string& text, const std::vector<std::string>& needles) {
  size_t at = 0;
  for (const auto& n : needles) {
    size_t found = text.find(n, at);
    ASSERT_NE(found, std::string::npos) << "missing or out of order: " << n << "\n" << text;
    at = found + n.size();
  }
}

TEST(MinutesTest, VietnameseTextReadsAsPaperMinutes) {
  MinutesInput in = Cum4("co-thi-dua");
  const std::string t = MinutesText(in);
  MaybePrint(t);
  ExpectInOrder(t, {
                       "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                       "Độc lập - Tự do - Hạnh phúc",
                       "Cao Bằng, ngày 02 tháng 8 năm 2024",
                       "BIÊN BẢN KIỂM PHIẾU",
                       "Đề nghị Bộ trưởng tặng Cờ thi đua của Bộ Giáo dục và Đào tạo",
                       "Ban kiểm phiếu gồm:",
                       "Đại biểu Lào Cai — Sở Giáo dục và Đào tạo tỉnh Lào Cai — Thành viên",
                       "Hình thức: bỏ phiếu kín",
                       "Tổng số đơn vị thành viên (đại biểu triệu tập): 7",
                       "Số đại biểu có mặt: 7",
                       "Số phiếu phát ra: 7",
                       "Số phiếu thu vào: 7",
                       "Số phiếu hợp lệ: 7 (kể cả phiếu trắng)",
                       "Số phiếu không hợp lệ: 0",
                       "Số phiếu trắng: 0",
                       "Tỷ lệ cần đạt: trên 50% so với tổng số thành viên (7 phiếu)",
                       "Kết quả:",
                       "Sơn La đạt 6 phiếu, tỷ lệ 85,71% (so với tổng số thành viên)",
                       "Kết luận:",
                       "Sơn La được đề nghị tặng Cờ thi đua.",
                       "Việc kiểm phiếu kết thúc vào lúc 16 giờ 45 phút cùng ngày.",
                       "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                       "SHA256:ab12cd34",
                       "SHA256:ef56ab78",
                       "Trưởng Ban kiểm phiếu (ký, ghi rõ họ tên)",
                       "Đại biểu Hà Giang",
                       "Thành viên (ký, ghi rõ họ tên)",
                   });
  EXPECT_EQ(t.find("85.71"), std::string::npos);  // comma decimals only
}

TEST(MinutesTest, EnglishText) {
  MinutesInput in = Cum4("bang-khen");
  const std::string t = MinutesText(in, Lang::kEn);
  MaybePrint(t);
  ExpectInOrder(t,
                {"SOCIALIST REPUBLIC OF VIETNAM", "Cao Bằng, 2 August 2024", "COUNTING MINUTES",
                 "Propose units for the Minister's certificate of merit", "Method: secret ballot",
                 "Share required: more than 50% of delegates present (7 votes)",
                 "Cao Bằng: 6 votes, 85.71% (of delegates present)",
                 "Outcome:", "The count ended at 16:45 the same day."});
  EXPECT_NE(t.find("are proposed for the Bằng khen"), std::string::npos) << t;
}

TEST(MinutesTest, NoWinnerAndRunoffAreStated) {
  MinutesInput in = Cum4("cum-truong");
  // Replace the outcome with a tie at the top.
  v1::Counts counts = in.outcome.counts();
  const Ids run = AllCandidates(in.spec);
  std::vector<uint64_t> totals(run.size() + 1, 0);
  totals[0] = 3;  // Sơn La
  totals[1] = 3;  // Cao Bằng
  totals[2] = 1;  // Lào Cai
  auto o = ComputeOutcome(in.meeting, in.spec, run, totals, counts);
  ASSERT_TRUE(o.ok());
  in.outcome = *o;
  in.round = 1;
  const std::string t = MinutesText(in);
  EXPECT_NE(t.find("Không có ứng cử viên trúng cử."), std::string::npos) << t;
  EXPECT_NE(t.find("Đề nghị bầu lại (vòng hai) giữa: Sơn La, Cao Bằng"), std::string::npos) << t;
  EXPECT_NE(t.find("Bằng phiếu cao nhất: Sơn La, Cao Bằng cùng đạt 3 phiếu"), std::string::npos)
      << t;
  in.round = 2;
  EXPECT_NE(MinutesText(in).find("(bầu lại, vòng 2)"), std::string::npos);
}

TEST(MinutesTest, WeightsShowUnitsAndVotes) {
  MinutesInput in = Cum4("cum-pho");
  in.meeting.mutable_units(0)->set_weight(3);
  v1::Counts* c = in.outcome.mutable_counts();
  c->set_members_votes(9);
  c->set_present_votes(9);
  in.outcome.set_base_votes(9);
  const std::string t = MinutesText(in);
  EXPECT_NE(t.find("Tổng số đơn vị thành viên (đại biểu triệu tập): 7 đơn vị (9 phiếu)"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("Số đại biểu có mặt: 7 đơn vị (9 phiếu)"), std::string::npos) << t;
  // Bases differ (9 present, 7 valid): every candidate's share against each is shown.
  EXPECT_NE(t.find("Lạng Sơn đạt 5 phiếu, tỷ lệ 55,56% (so với tổng số đại biểu có mặt) [so với "
                   "tổng số thành viên "
                   "55,56%; so với tổng số phiếu hợp lệ 71,43%]"),
            std::string::npos)
      << t;
}

TEST(MinutesTest, OtherDayAndTimeZone) {
  MinutesInput in = Cum4("cum-pho");
  in.count_ended_unix_ms = kEnded + 10 * 3600 * 1000LL;  // 02:45 next day
  EXPECT_NE(MinutesText(in).find("vào lúc 2 giờ 45 phút ngày 03 tháng 8 năm 2024"),
            std::string::npos);
  in.meeting.set_time_zone("UTC");
  in.count_ended_unix_ms = kEnded;
  EXPECT_NE(MinutesText(in).find("vào lúc 9 giờ 45 phút cùng ngày"), std::string::npos);
  EXPECT_EQ(DateText(2024, 1, 5, Lang::kVi), "ngày 05 tháng 01 năm 2024");
  EXPECT_EQ(DateText(2022, 7, 4, Lang::kVi), "ngày 04 tháng 7 năm 2022");
}

TEST(MinutesTest, HtmlIsPrintableAndEscaped) {
  MinutesInput in = Cum4("co-thi-dua");
  in.spec.set_question("Đề nghị <script>alert('x')</script> & Cờ");
  in.notes.push_back(
      {"Lô phiếu giấy có ít hơn 3 phiếu: có thể lộ cách bỏ phiếu", "paper batch < 3"});
  const std::string h = MinutesHtml(in);
  EXPECT_NE(h.find("@page { size: A4;"), std::string::npos);
  EXPECT_NE(h.find("<html lang=\"vi\">"), std::string::npos);
  EXPECT_EQ(h.find("<script>"), std::string::npos);
  EXPECT_NE(h.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Cờ"), std::string::npos);
  ExpectInOrder(h, {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Cao Bằng, ngày 02 tháng 8 năm 2024",
                    "BIÊN BẢN KIỂM PHIẾU", "Ban kiểm phiếu gồm:", "Kết quả:", "85,71%", "Kết luận:",
                    "Lô phiếu giấy có ít hơn 3 phiếu", "16 giờ 45 phút", "(ký, ghi rõ họ tên)"});
  EXPECT_NE(MinutesHtml(in, Lang::kEn).find("<html lang=\"en\">"), std::string::npos);
  EXPECT_EQ(HtmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

TEST(MinutesTest, RankMatrixAndConclusion) {
  auto m = meeting::LoadMeetingFile(std::string(PHIEU_SOURCE_DIR) +
                                    "/examples/khoi1-backan-2022.textproto");
  ASSERT_TRUE(m.ok());
  MinutesInput in;
  in.meeting = *m;
  in.spec = m->ballots(0);
  std::vector<testing::Vote> votes;
  for (const auto& v : m->demo_votes()) {
    if (v.ballot_id() == "suy-ton")
      votes.push_back({v.unit_id(), Ids(v.choices().begin(), v.choices().end())});
  }
  auto totals = testing::Tally(*m, in.spec, AllCandidates(in.spec), votes);
  ASSERT_TRUE(totals.ok());
  auto o = ComputeOutcome(*m, in.spec, AllCandidates(in.spec), *totals,
                          testing::AllPresentCounts(*m, votes));
  ASSERT_TRUE(o.ok());
  in.outcome = *o;
  in.count_ended_unix_ms = 1656921600000;  // 2022-07-04 15:00 in Hà Nội
  const std::string t = MinutesText(in);
  MaybePrint(t);
  ExpectInOrder(
      t,
      {"Bắc Kạn, ngày 04 tháng 7 năm 2022",
       "TP Bắc Kạn: thứ Nhất 7, thứ Nhì 0, thứ Ba 0; tổng 21 điểm; xếp thứ Nhất — được suy tôn",
       "Kết quả suy tôn: xếp thứ Nhất: TP Bắc Kạn; xếp thứ Nhì: Bạch Thông; xếp thứ Ba: Na Rì."});
}

}  // namespace
}  // namespace phieu::rules

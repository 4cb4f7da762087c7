// Checking a prepared ballot (`phieu vote`), `phieu spoiled CODE`, `phieu receipts check|list`:
// the participant's side of the audit (client/audit.h).
#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "certs/profile.h"
#include "client/args.h"
#include "client/audit.h"
#include "client/commands.h"
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/private_file.h"
#include "core/record/record_file.h"
#include "core/record/run_support.h"
#include "core/rules/layout.h"
#include "core/util/bytes.h"
#include "core/util/fingerprint.h"

namespace phieu::client {
namespace {

using record::BoardView;
using record::Run;

std::string UnitLabel(const BoardView& view, const std::string& unit_id) {
  const v1::Unit* u = view.Unit(unit_id);
  return u && !u->name().empty() ? u->name() : unit_id;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Result<std::unique_ptr<MeetingClient>> Connected(const Args& args) {
  ASSIGN_OR_RETURN(std::unique_ptr<MeetingClient> client,
                   MeetingClient::Connect(ProfileDir(args.Get("profile"))));
  RETURN_IF_ERROR(client->Sync());
  return client;
}

// The record file, checked: its chain from entry 0, and its genesis made by
// the meeting CA of the profile for the profile's meeting.
Result<BoardView> RecordView(const std::string& path, const std::string& profile_dir) {
  ASSIGN_OR_RETURN(v1::ElectionRecord rec, record::ReadRecordFile(path));
  if (rec.entries_size() == 0) return InvalidArgument(path + ": the record has no entries");
  ASSIGN_OR_RETURN(v1::Profile profile, certs::ReadProfile(profile_dir));
  std::string ca_path = profile.ca_file();
  if (!ca_path.empty() && ca_path.front() != '/') ca_path = profile_dir + "/" + ca_path;
  ASSIGN_OR_RETURN(std::string ca_pem, crypto::ReadFile(ca_path));
  ASSIGN_OR_RETURN(crypto::Certificate ca, crypto::Certificate::FromPem(ca_pem));
  RETURN_IF_ERROR(CheckGenesisEntry(rec.entries(0), ca, profile.meeting_id()).Annotate(path));
  Result<BoardView> view = record::ViewOfRecord(rec);
  if (!view.ok()) return view.status().Annotate(path);
  return view;
}

const char* Label(record::ReceiptStatus s) {
  switch (s) {
    case record::ReceiptStatus::kCounted: return "ok     ";
    case record::ReceiptStatus::kRunOpen:
    case record::ReceiptStatus::kAwaitingTally: return "pending";
    case record::ReceiptStatus::kRunCancelled: return "cancel ";
    case record::ReceiptStatus::kFailed: return "FAILED ";
  }
  return "?";
}

int ReceiptsCheck(const Args& args) {
  const std::string profile = ProfileDir(args.Get("profile"));
  auto receipts = LoadReceipts(profile);
  if (!receipts.ok()) return Fail(receipts.status());
  if (receipts->empty()) {
    std::cout << "no receipts in " << ReceiptsDir(profile) << "\n";
    return 0;
  }
  std::unique_ptr<MeetingClient> client;
  BoardView record_view;
  const BoardView* view = nullptr;
  std::string against;
  if (args.Has("record")) {
    auto v = RecordView(args.Get("record"), profile);
    if (!v.ok()) return Fail(v.status());
    record_view = std::move(v).value();
    view = &record_view;
    against = "the record " + args.Get("record");
  } else {
    auto c = Connected(args);
    if (!c.ok()) return Fail(c.status());
    client = std::move(c).value();
    view = &client->view();
    against = "the live board";
  }
  std::cout << "Kiểm tra biên nhận / checking " << receipts->size() << " receipts against " << against
            << " (" << view->length() << " entries, head " << ShortFingerprint(view->entries().back().hash())
            << ")\n";
  size_t failed = 0, counted = 0, pending = 0, cancelled = 0;
  for (const record::ReceiptFinding& f : record::CheckReceipts(*view, *receipts)) {
    std::cout << Label(f.status) << "  " << (f.ballot_id.empty() ? f.receipt.run_id().substr(0, 16) : f.ballot_id)
              << "  " << UnitLabel(*view, f.receipt.unit_id()) << "  " << f.name << "\n         " << f.message
              << "\n";
    switch (f.status) {
      case record::ReceiptStatus::kCounted: ++counted; break;
      case record::ReceiptStatus::kRunOpen:
      case record::ReceiptStatus::kAwaitingTally: ++pending; break;
      case record::ReceiptStatus::kRunCancelled: ++cancelled; break;
      case record::ReceiptStatus::kFailed: ++failed; break;
    }
  }
  std::cout << counted << " counted, " << pending << " pending, " << cancelled << " in cancelled runs, "
            << failed << " FAILED\n";
  if (failed) {
    std::cerr << "phieu: " << failed << " receipt(s) failed the check; keep the receipt files and tell the "
              << "chair and the tellers' committee\n";
    return 4;
  }
  return 0;
}

int ReceiptsList(const Args& args) {
  const std::string profile = ProfileDir(args.Get("profile"));
  auto receipts = LoadReceipts(profile);
  if (!receipts.ok()) return Fail(receipts.status());
  for (const record::StoredReceipt& r : *receipts) {
    v1::Receipt receipt;
    if (!r.parsed || !receipt.ParseFromString(r.signed_receipt.receipt())) {
      std::cout << r.name << "  (does not parse)\n";
      continue;
    }
    std::time_t t = static_cast<std::time_t>(receipt.server_time_ms() / 1000);
    char when[32] = "";
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::gmtime(&t));
    std::cout << r.name << "  unit " << receipt.unit_id() << "  #" << receipt.seq() << "  "
              << when << " UTC\n    tracking code " << receipt.tracking_code() << "\n";
  }
  std::cout << receipts->size() << " receipts in " << ReceiptsDir(profile) << "\n";
  return 0;
}

}  // namespace

Result<SpoiledCheck> CheckSpoiledByCode(const BoardView& view, const std::string& code_in) {
  const std::string code = Lower(code_in);
  if (code.size() < kMinCodePrefix ||
      !std::all_of(code.begin(), code.end(), [](unsigned char c) { return std::isxdigit(c); })) {
    return InvalidArgument("give the tracking code in hex, at least " + std::to_string(kMinCodePrefix) +
                           " digits");
  }
  const Run* found_run = nullptr;
  uint64_t found_seq = 0;
  std::string found_code;
  for (const Run* run : view.RunsInOrder()) {
    for (const auto& [c, seq] : run->spoiled_codes) {
      if (c.compare(0, code.size(), code) != 0) continue;
      if (found_run) return InvalidArgument("several spoiled ballots start with " + code + "; give more digits");
      found_run = run;
      found_seq = seq;
      found_code = c;
    }
  }
  if (!found_run) {
    for (const Run* run : view.RunsInOrder()) {
      for (const auto& [unit, ref] : run->ballots) {
        if (Hex(crypto::TrackingCode(view.body(ref.seq).ballot())).compare(0, code.size(), code) == 0) {
          return NotFound("tracking code " + code + " is a CAST ballot (entry " + std::to_string(ref.seq) +
                          "), not a spoiled one: a cast ballot is never revealed");
        }
      }
    }
    return NotFound("no spoiled ballot with tracking code " + code + " on the board (is the delegate's "
                    "check done? run `phieu spoiled` again in a moment)");
  }
  const v1::SpoiledBallot& spoiled = view.body(found_seq).spoiled();
  ASSIGN_OR_RETURN(v1::BallotLayout layout, record::CheckSpoiled(view, *found_run, spoiled));
  const std::vector<uint32_t> marks(spoiled.choices().begin(), spoiled.choices().end());
  SpoiledCheck out;
  ASSIGN_OR_RETURN(out.choices, rules::DescribeMarks(*view.Spec(found_run->ballot_id), layout, marks));
  out.run_id = found_run->run_id;
  out.ballot_id = found_run->ballot_id;
  out.seq = found_seq;
  out.tracking_code = found_code;
  out.unit_id = spoiled.ballot().unit_id();
  return out;
}

std::string ReceiptsDir(const std::string& profile_dir) { return profile_dir + "/receipts"; }

Result<std::vector<record::StoredReceipt>> LoadReceipts(const std::string& profile_dir) {
  std::vector<record::StoredReceipt> out;
  const std::string dir = ReceiptsDir(profile_dir);
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return out;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".receipt") names.push_back(e.path().filename().string());
  }
  if (ec) return Unavailable("cannot list " + dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(std::string data, crypto::ReadFile(dir + "/" + name));
    record::StoredReceipt r;
    r.name = name;
    r.parsed = r.signed_receipt.ParseFromString(data);
    out.push_back(std::move(r));
  }
  return out;
}

int CheckPrepared(MeetingClient& client, PreparedBallot& prepared) {
  const std::string code = prepared.tracking_code();
  std::cout << "Kiểm tra mã hóa / checking this encryption (Benaloh challenge): THIS ONE IS NOT CAST\n";
  auto posted = prepared.Check(client);
  if (!posted.ok()) return Fail(posted.status().Annotate("posting the spoiled ballot (nothing was cast)"));
  // Show what the board holds, checked as the second device will check it.
  auto check = CheckSpoiledByCode(client.view(), code);
  if (!check.ok()) return Fail(check.status().Annotate("the spoiled ballot on the board"));
  std::cout << "  đã công bố, không bao giờ được đếm / published as entry " << check->seq
            << ", never counted\n  phiếu mã hóa này ghi / this encryption says:\n";
  for (const std::string& line : check->choices) std::cout << "    " << line << "\n";
  std::cout << "Trên một thiết bị thứ hai / on a second device (another participant's laptop):\n"
            << "    phieu spoiled " << code.substr(0, 16) << "\n"
            << "  (or an auditor: phieu verify RECORD --spoiled " << code.substr(0, 16) << ")\n"
            << "  It must show the same choices. If it does not, do not vote: tell the chair and the "
               "tellers' committee at once.\n";
  return 0;
}

int RunSpoiled(const Argv& argv) {
  auto args = Args::Parse(argv, {"profile"}, {});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 1) {
    std::cerr << "usage: phieu spoiled TRACKING_CODE [--profile DIR]\n";
    return 2;
  }
  auto client = Connected(*args);
  if (!client.ok()) return Fail(client.status());
  const BoardView& view = (*client)->view();
  auto check = CheckSpoiledByCode(view, args->positional()[0]);
  if (!check.ok()) return Fail(check.status());
  std::cout << "Phiếu kiểm tra / spoiled ballot, entry " << check->seq << ": " << check->ballot_id << ", "
            << UnitLabel(view, check->unit_id) << "\n  mã theo dõi (tracking code): " << check->tracking_code
            << "\n  mã hóa khớp / the encryption matches its revealed choices and randomness; it says:\n";
  for (const std::string& line : check->choices) std::cout << "    " << line << "\n";
  std::cout << "  Compare with what the delegate chose. This ballot is never counted.\n";
  return 0;
}

int RunReceipts(const Argv& argv) {
  auto args = Args::Parse(argv, {"profile", "record"}, {});
  if (!args.ok()) return Fail(args.status());
  const std::string sub = args->positional().empty() ? "" : args->positional()[0];
  if (args->positional().size() == 1 && sub == "check") return ReceiptsCheck(*args);
  if (args->positional().size() == 1 && sub == "list") return ReceiptsList(*args);
  std::cerr << "usage: phieu receipts check [--record FILE] [--profile DIR]\n"
            << "       phieu receipts list [--profile DIR]\n";
  return 2;
}

}  // namespace phieu::client

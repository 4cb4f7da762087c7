// `phieu status | ballots | checkin | vote | watch | accept-proxy` and the
// chair's commands. Every command connects with the participant's profile,
// mirrors the board, and acts on what the board says (never on what a
// server answer alone claims).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "client/args.h"
#include "client/audit.h"
#include "client/ballot_cast.h"
#include "client/chair_entries.h"
#include "client/commands.h"
#include "client/meeting_client.h"
#include "core/crypto/private_file.h"
#include "core/crypto/secure.h"
#include "core/meeting/meeting_defaults.h"
#include "core/record/run_support.h"
#include "core/rules/layout.h"
#include "core/util/bytes.h"
#include "core/util/fingerprint.h"
#include "phieu/v1/rules.pb.h"

namespace phieu::client {
namespace {

using record::BoardView;
using record::Run;

constexpr auto kWait = std::chrono::seconds(60);

std::string UnitName(const BoardView& view, const std::string& unit_id) {
  const v1::Unit* u = view.Unit(unit_id);
  return u ? u->name() : unit_id;
}

std::string CandidateName(const v1::BallotSpec& spec, const std::string& id) {
  for (const auto& c : spec.candidates()) {
    if (c.id() == id) return c.name().empty() ? c.id() : c.name();
  }
  return id;
}

std::string RunState(const Run& run) {
  if (run.cancelled) return "cancelled";
  if (!run.result_entry.empty()) return "result published";
  if (!run.tally_entry.empty()) return "closed, decrypting";
  if (run.closed) return "closed";
  return "open";
}

Result<std::unique_ptr<MeetingClient>> ConnectAndSync(const Args& args) {
  ASSIGN_OR_RETURN(std::unique_ptr<MeetingClient> client,
                   MeetingClient::Connect(ProfileDir(args.Get("profile"))));
  RETURN_IF_ERROR(client->Sync());
  return client;
}

const std::set<std::string> kProfileOnly = {"profile"};

Result<Args> ParseArgs(const Argv& argv, std::set<std::string> with_value,
                       const std::set<std::string>& switches = {}) {
  with_value.insert("profile");
  return Args::Parse(argv, with_value, switches);
}

int Usage(const std::string& line) {
  std::cerr << "usage: " << line << "\n";
  return 2;
}

std::string KindLineVi(const v1::BallotSpec& spec, size_t n) {
  switch (spec.kind()) {
    case v1::KIND_ELECT_ONE: return "Bầu một: chọn 1 trong " + std::to_string(n);
    case v1::KIND_APPROVE:
      return "Bầu " + std::to_string(meeting::EffectiveMaxApprovals(spec)) + " trong " +
             std::to_string(n) + ": chọn tối đa " +
             std::to_string(meeting::EffectiveMaxApprovals(spec));
    case v1::KIND_RANK:
      return "Suy tôn: chọn theo thứ tự Nhất, Nhì, Ba... (" +
             std::to_string(meeting::EffectiveRanks(spec)) + " hạng)";
    case v1::KIND_YES_NO_ABSTAIN: return "Biểu quyết từng nội dung: đồng ý / không đồng ý / không ý kiến";
    default: return "";
  }
}

// Asks the delegate for choices on the terminal. Returns candidate ids
// (RANK: in rank order; YES_NO_ABSTAIN: yes/no/abstain per item).
Result<std::vector<std::string>> AskChoices(const v1::BallotSpec& spec, const Run& run,
                                            const v1::BallotLayout& layout, const std::string& unit) {
  std::vector<std::string> selectable;
  for (const auto& id : run.candidates) {
    bool present = std::any_of(layout.cells().begin(), layout.cells().end(),
                               [&](const v1::Cell& c) { return c.candidate_id() == id; });
    if (present) selectable.push_back(id);
  }
  std::cout << "\n== " << spec.question() << " ==\n";
  if (!spec.question_en().empty()) std::cout << "   (" << spec.question_en() << ")\n";
  std::cout << KindLineVi(spec, run.candidates.size()) << "\n";
  int n = 0;
  for (const auto& id : run.candidates) {
    bool ok = std::find(selectable.begin(), selectable.end(), id) != selectable.end();
    if (ok) {
      std::cout << "  " << ++n << ". " << CandidateName(spec, id) << "\n";
    } else {
      std::cout << "     " << CandidateName(spec, id) << "  (không được tự bầu / cannot vote for itself)\n";
    }
  }
  const bool blank_ok = !spec.no_blank();
  std::vector<std::string> choices;
  std::string line;
  if (spec.kind() == v1::KIND_YES_NO_ABSTAIN) {
    for (const auto& id : selectable) {
      std::cout << CandidateName(spec, id) << " — 1 đồng ý, 2 không đồng ý, 3 không ý kiến: " << std::flush;
      if (!std::getline(std::cin, line)) return InvalidArgument("no answer given");
      if (line == "1") choices.push_back(rules::kYes);
      else if (line == "2") choices.push_back(rules::kNo);
      else if (line == "3") choices.push_back(rules::kAbstain);
      else return InvalidArgument("answer 1, 2 or 3");
    }
    return choices;
  }
  std::cout << (spec.kind() == v1::KIND_RANK ? "Nhập số thứ tự theo hạng Nhất, Nhì, Ba (cách nhau bởi dấu cách)"
                                             : "Nhập số thứ tự (cách nhau bởi dấu cách)")
            << (blank_ok ? "; 0 = phiếu trắng" : "") << ": " << std::flush;
  if (!std::getline(std::cin, line)) return InvalidArgument("no choice given");
  std::istringstream in(line);
  std::string tok;
  while (in >> tok) {
    char* end = nullptr;
    long k = std::strtol(tok.c_str(), &end, 10);
    if (*end || k < 0 || k > static_cast<long>(selectable.size())) {
      return InvalidArgument("'" + tok + "' is not a number from the list");
    }
    if (k == 0) {
      if (!blank_ok) return InvalidArgument("this ballot cannot be blank");
      return std::vector<std::string>{};
    }
    choices.push_back(selectable[k - 1]);
  }
  if (choices.empty() && !blank_ok) return InvalidArgument("choose at least one");
  return choices;
}

std::string Describe(const v1::BallotSpec& spec, const std::vector<std::string>& choices) {
  if (choices.empty()) return "phiếu trắng (blank ballot)";
  std::string s;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (spec.kind() == v1::KIND_YES_NO_ABSTAIN) {
      const auto& item = spec.candidates(static_cast<int>(i)).id();
      s += "\n    " + CandidateName(spec, item) + ": " +
           (choices[i] == rules::kYes ? "đồng ý" : choices[i] == rules::kNo ? "không đồng ý" : "không ý kiến");
    } else if (spec.kind() == v1::KIND_RANK) {
      s += "\n    " + std::string(i == 0 ? "Nhất" : i == 1 ? "Nhì" : i == 2 ? "Ba" : "Hạng " + std::to_string(i + 1)) +
           ": " + CandidateName(spec, choices[i]);
    } else {
      s += "\n    " + CandidateName(spec, choices[i]);
    }
  }
  return s;
}

void PrintReceipt(const v1::SignedReceipt& sr) {
  const ReceiptInfo r = DescribeReceipt(sr);
  std::cout << "Biên nhận / Receipt\n"
            << "  mã theo dõi phiếu (tracking code): " << r.tracking_code << "\n"
            << "  vị trí trong chuỗi (position):     " << r.seq << "\n"
            << "  đầu chuỗi (chain head):            " << r.entry_hash << "\n";
}

}  // namespace

std::string ProfileDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("PHIEU_PROFILE"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.phieu/profile";
}

int Fail(const Status& s) {
  std::cerr << "phieu: " << s.message() << "\n";
  switch (s.code()) {
    case StatusCode::kPermissionDenied:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
      return 3;
    case StatusCode::kVerificationFailed:
      return 4;
    case StatusCode::kUnavailable:
      return 5;
    case StatusCode::kInvalidArgument:
      return 2;
    default:
      return 1;
  }
}

int RunStatus(const Argv& argv) {
  auto args = ParseArgs(argv, {});
  if (!args.ok()) return Fail(args.status());
  auto client = ConnectAndSync(*args);
  if (!client.ok()) return Fail(client.status());
  const BoardView& v = (*client)->view();
  const v1::Meeting& m = v.meeting();
  std::cout << "Hội nghị / Meeting: " << m.title() << "\n"
            << "  you: " << (*client)->participant_id();
  std::string unit = (*client)->own_unit();
  if (!unit.empty()) std::cout << " (đại biểu " << UnitName(v, unit) << ")";
  std::cout << "\n  chain: " << v.length() << " entries, head " << ShortFingerprint(v.entries().back().hash()) << "\n";
  uint64_t present = 0;
  for (const auto& [u, att] : v.check_ins()) present += v.Weight(u);
  std::cout << "  có mặt / present: " << v.check_ins().size() << " of " << m.units_size() << " units ("
            << present << " of " << meeting::MembersVotes(m) << " votes)\n";
  std::cout << "  key ceremony: "
            << (v.key_ready() ? "done (khóa chung đã lập)"
                : v.ceremony().attempt ? "in progress, attempt " + std::to_string(v.ceremony().attempt)
                                        : "not started")
            << "\n";
  for (const auto& spec : m.ballots()) {
    const Run* run = v.LatestRun(spec.id());
    std::cout << "  " << spec.id() << ": " << (run ? RunState(*run) : "not opened");
    if (run && run->round > 1) std::cout << " (round " << run->round << ")";
    if (run) std::cout << ", " << run->ballots.size() << " ballots";
    if (run && !run->paper_batches.empty()) {
      std::cout << ", " << run->paper_units.size() << " units on paper (" << record::CountedPaperBatches(*run).size()
                << " of " << run->paper_batches.size() << " batches signed by t tellers)";
    }
    std::cout << "\n";
  }
  return 0;
}

int RunBallots(const Argv& argv) {
  auto args = ParseArgs(argv, {});
  if (!args.ok()) return Fail(args.status());
  auto client = ConnectAndSync(*args);
  if (!client.ok()) return Fail(client.status());
  const BoardView& v = (*client)->view();
  for (const auto& spec : v.meeting().ballots()) {
    const Run* run = v.LatestRun(spec.id());
    std::cout << spec.id() << "\t" << (run ? RunState(*run) : "not opened") << "\t" << spec.question() << "\n";
  }
  return 0;
}

int RunCheckin(const Argv& argv) {
  auto args = ParseArgs(argv, {"unit"}, {"remote", "by-chair"});
  if (!args.ok()) return Fail(args.status());
  auto client = ConnectAndSync(*args);
  if (!client.ok()) return Fail(client.status());
  MeetingClient& c = **client;
  v1::EntryBody body;
  v1::CheckIn* ci = body.mutable_check_in();
  if (args->Has("by-chair")) {
    if (!args->Has("unit")) return Usage("phieu checkin --by-chair --unit UNIT");
    ci->set_unit_id(args->Get("unit"));
    ci->set_by_chair(true);
  } else {
    std::string unit = c.own_unit();
    if (unit.empty()) return Fail(PermissionDenied("you are not a delegate of any unit"));
    ci->set_unit_id(unit);
    ci->set_own_pin(c.pin());
  }
  ci->set_remote(args->Has("remote"));
  auto posted = c.Post(body);
  if (!posted.ok()) return Fail(posted.status());
  std::cout << "Đã điểm danh / checked in: " << UnitName(c.view(), ci->unit_id())
            << (ci->remote() ? " (trực tuyến / remote)" : "") << ", entry " << posted->seq() << "\n";
  return 0;
}

// The delegate's decision once the encryption is fixed and its tracking code
// printed: one line on stdin.
enum class Decision { kCast, kCheck, kNone };

Decision AskDecision() {
  std::cout << "Bỏ phiếu (c) · kiểm tra mã hóa (kt) · không bỏ phiếu (k)?\n"
            << "  cast it (c), check this encryption (kt), or do not cast (k)? " << std::flush;
  std::string a;
  if (!std::getline(std::cin, a)) return Decision::kNone;
  if (a == "c" || a == "C" || a == "y" || a == "có" || a == "cast") return Decision::kCast;
  if (a == "kt" || a == "KT" || a == "check" || a == "kiểm tra") return Decision::kCheck;
  return Decision::kNone;
}

bool AskYes(const std::string& question) {
  std::cout << question << " [c/k] " << std::flush;
  std::string a;
  return std::getline(std::cin, a) && (a == "c" || a == "C" || a == "y" || a == "có");
}

int RunVote(const Argv& argv) {
  auto args = ParseArgs(argv, {"choice", "for-unit"}, {"blank", "yes", "review", "challenge"});
  if (!args.ok()) return Fail(args.status());
  if (args->Has("challenge")) {
    return Fail(InvalidArgument(
        "--challenge is gone: a client told up front that it will be checked could encrypt honestly just "
        "then. `phieu vote` now encrypts first, prints the tracking code, and only then asks: answer kt "
        "(kiểm tra) to check that encryption, c to cast it (docs/audit.md)"));
  }
  if (args->Has("yes") && args->Has("review")) {
    return Fail(InvalidArgument("--yes casts without asking, --review asks after encrypting: give one of them"));
  }
  auto client_r = ConnectAndSync(*args);
  if (!client_r.ok()) return Fail(client_r.status());
  MeetingClient& c = **client_r;
  const BoardView& v = c.view();
  std::string ballot_id = args->positional().empty() ? "" : args->positional()[0];
  auto run_r = PickRun(v, ballot_id, /*want_open=*/true);
  if (!run_r.ok()) return Fail(run_r.status());
  const Run run = **run_r;  // a copy: the view may grow while we wait
  const v1::BallotSpec spec = *v.Spec(run.ballot_id);
  std::string unit = args->Get("for-unit", c.own_unit());
  if (unit.empty()) return Fail(PermissionDenied("you are not a delegate of any unit"));
  const std::string unit_name = UnitName(v, unit);

  if (Status s = CheckCaster(c, run, unit); !s.ok()) return Fail(s);

  // A ballot stored earlier for this run is resent as it is, never re-made:
  // the server answers an identical resend with the original receipt.
  if (StoredBallot(c.profile_dir(), run.run_id, unit)) {
    std::cout << "Gửi lại phiếu đã lưu / resending the ballot stored earlier for this run\n";
    auto cast = ResendBallot(&*client_r, run, unit);
    if (!cast.ok()) return Fail(cast.status());
    std::cout << "Đã bỏ phiếu / ballot cast: " << run.ballot_id << " for " << unit_name << "\n";
    PrintReceipt(cast->receipt);
    return 0;
  }
  std::vector<std::string> choices;
  auto layout = record::VoterLayoutFor(v, run, unit);
  if (!layout.ok()) return Fail(layout.status());
  if (args->Has("choice")) {
    choices = args->GetAll("choice");
  } else if (!args->Has("blank")) {
    auto asked = AskChoices(spec, run, *layout, unit);
    if (!asked.ok()) return Fail(asked.status());
    choices = *asked;
  }
  if (auto marks = CheckedMarks(v, run, unit, choices); !marks.ok()) {
    return Fail(marks.status());
  } else {
    crypto::SecureWipe(marks->data(), marks->size() * sizeof(uint32_t));  // Prepare makes them again
  }
  std::cout << "Phiếu của / ballot of " << unit_name << " — " << spec.question() << ":" << Describe(spec, choices)
            << "\n";
  // Encrypt first; the decision (cast or check) comes after the tracking
  // code is printed, so the encryption cannot depend on it.
  for (;;) {
    auto prepared = PreparedBallot::Prepare(**client_r, run, unit, choices);
    if (!prepared.ok()) return Fail(prepared.status());
    std::cout << "Phiếu đã mã hóa / ballot encrypted\n"
              << "  mã theo dõi (tracking code): " << (*prepared)->tracking_code() << "\n";
    const Decision d = args->Has("yes") ? Decision::kCast : AskDecision();
    if (d == Decision::kNone) {
      std::cout << "Chưa bỏ phiếu / not cast.\n";
      return 1;  // the prepared ballot is wiped, never sent
    }
    if (d == Decision::kCast) {
      auto cast = (*prepared)->Cast(&*client_r);
      if (!cast.ok()) return Fail(cast.status());
      std::cout << "Đã bỏ phiếu / ballot cast: " << run.ballot_id << " for " << unit_name << "\n";
      PrintReceipt(cast->receipt);
      return 0;
    }
    if (int rc = CheckPrepared(**client_r, **prepared); rc != 0) return rc;
    if (!AskYes("Chuẩn bị phiếu mới với cùng lựa chọn? / prepare a fresh ballot with the same choices?")) {
      std::cout << "Chưa bỏ phiếu / not cast: run `phieu vote " << run.ballot_id << "` again to vote.\n";
      return 0;
    }
  }
}

int RunWatch(const Argv& argv) {
  auto args = ParseArgs(argv, {"seconds", "until-result"});
  if (!args.ok()) return Fail(args.status());
  auto client = ConnectAndSync(*args);
  if (!client.ok()) return Fail(client.status());
  MeetingClient& c = **client;
  const std::string until = args->Get("until-result");
  int seconds = std::atoi(args->Get("seconds", "0").c_str());
  uint64_t shown = c.view().length();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds > 0 ? seconds : 1 << 30);
  // Each line ends with the chain head after that entry (its short
  // fingerprint): what the projector shows and the minutes print in full.
  std::cout << "watching " << c.view().meeting().id() << " from entry " << shown
            << ", đầu chuỗi / chain head " << ShortFingerprint(c.view().entries().back().hash())
            << "\n" << std::flush;
  for (;;) {
    Status s = c.WaitFor([&](const BoardView& v) { return v.length() > shown; }, std::chrono::seconds(1), "events");
    for (; shown < c.view().length(); ++shown) {
      const auto& body = c.view().body(shown);
      std::cout << "#" << shown << " " << record::PayloadKind(body);
      if (body.has_open()) std::cout << " " << body.open().ballot_id();
      if (body.has_check_in()) std::cout << " " << body.check_in().unit_id();
      std::cout << "  head " << ShortFingerprint(c.view().entry(shown).hash()) << "\n" << std::flush;
    }
    if (!until.empty()) {
      const Run* run = c.view().LatestRun(until);
      if (run && !run->result_entry.empty()) return 0;
    }
    if (!s.ok() && s.code() != StatusCode::kFailedPrecondition) return Fail(s);
    if (std::chrono::steady_clock::now() > deadline) return 0;
  }
}

int RunChair(const std::string& command, const Argv& argv) {
  auto args = ParseArgs(argv, {"reason", "unit", "holder", "tellers", "threshold", "candidates", "wait"});
  if (!args.ok()) return Fail(args.status());
  auto client_r = ConnectAndSync(*args);
  if (!client_r.ok()) return Fail(client_r.status());
  MeetingClient& c = **client_r;
  const BoardView& v = c.view();
  const std::string ballot_id = args->positional().empty() ? "" : args->positional()[0];
  v1::EntryBody body;

  if (command == "open" || command == "runoff" || command == "close") {
    if (ballot_id.empty()) return Usage("phieu " + command + " BALLOT");
    std::vector<std::string> candidates;
    std::stringstream ss(args->Get("candidates"));
    for (std::string id; std::getline(ss, id, ',');) candidates.push_back(id);
    auto made = command == "open"     ? OpenEntry(v, ballot_id)
                : command == "runoff" ? RunoffEntry(v, ballot_id, candidates)
                                      : CloseEntry(v, ballot_id);
    if (!made.ok()) return Fail(made.status());
    body = *made;
  } else if (command == "cancel") {
    if (ballot_id.empty()) return Usage("phieu cancel BALLOT");
    auto run = PickRun(v, ballot_id, /*want_open=*/false);
    if (!run.ok()) return Fail(run.status());
    body.mutable_cancel()->set_run_id((*run)->run_id);
    body.mutable_cancel()->set_reason(args->Get("reason"));
  } else if (command == "proxy") {
    if (!args->Has("unit") || !args->Has("holder")) return Usage("phieu proxy --unit ABSENT_UNIT --holder PARTICIPANT");
    body.mutable_proxy()->set_absent_unit_id(args->Get("unit"));
    body.mutable_proxy()->set_holder_id(args->Get("holder"));
  } else if (command == "ceremony") {
    if (ballot_id != "start") return Usage("phieu ceremony start [--tellers a,b,c] [--threshold T]");
    std::vector<std::string> tellers;
    std::stringstream ss(args->Get("tellers"));
    for (std::string id; std::getline(ss, id, ',');) tellers.push_back(id);
    body = CeremonyStartEntry(v, tellers, static_cast<uint32_t>(std::atoi(args->Get("threshold", "0").c_str())));
  } else if (command == "close-meeting") {
    body.mutable_meeting_closed();
  } else {
    return Usage("phieu open|close|cancel|runoff BALLOT, phieu proxy, phieu ceremony start, phieu close-meeting");
  }

  auto posted = c.Post(body);
  if (!posted.ok()) return Fail(posted.status());
  std::cout << command << ": entry " << posted->seq() << " " << ShortFingerprint(posted->entry_hash()) << "\n";

  // --wait SECONDS: for ceremony start, wait until the key is fixed; for close,
  // until the result is published.
  if (args->Has("wait")) {
    auto timeout = std::chrono::seconds(std::atoi(args->Get("wait").c_str()));
    Status s;
    if (command == "ceremony") {
      s = c.WaitFor([](const BoardView& view) { return view.key_ready(); }, timeout, "the key ceremony to finish");
      if (s.ok()) std::cout << "khóa chung đã lập / joint key fixed: entry " << c.view().ceremony().done_seq << "\n";
    } else if (command == "close") {
      // The tellers will not decrypt a handful of electronic ballots (they
      // would be bare): say so now rather than time out.
      const Run* closed = c.view().LatestRun(ballot_id);
      const uint32_t min_ballots = meeting::MinBallots(c.view().meeting());
      if (closed && !closed->ballots.empty() && closed->ballots.size() < min_ballots) {
        return Fail(FailedPrecondition(
            "the tellers will not decrypt this ballot: only " + std::to_string(closed->ballots.size()) +
            " electronic ballots, at least " + std::to_string(min_ballots) +
            " are needed (meeting file: tellers.min_ballots); cancel it (phieu cancel " + ballot_id + ")"));
      }
      s = c.WaitFor([&](const BoardView& view) {
            const Run* r = view.LatestRun(ballot_id);
            return r && !r->result_entry.empty() && r->cosigned.size() >= view.ceremony().threshold;
          }, timeout, "the tellers to decrypt and co-sign the result");
      if (s.ok()) std::cout << "kết quả đã công bố / result published\n";
    }
    if (!s.ok()) return Fail(s);
  }
  return 0;
}

int RunRosterChange(const Argv& argv) {
  auto args = ParseArgs(argv, {});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 1) return Usage("phieu roster-change FILE   (made by `phieu certs replace`)");
  auto data = crypto::ReadFile(args->positional()[0]);
  if (!data.ok()) return Fail(data.status());
  v1::SignedEntry entry;
  v1::EntryBody body;
  if (!entry.ParseFromString(*data) || !body.ParseFromString(entry.body()) || !body.has_roster_change()) {
    return Fail(InvalidArgument(args->positional()[0] + " is not a signed roster change"));
  }
  auto client = ConnectAndSync(*args);
  if (!client.ok()) return Fail(client.status());
  auto posted = (*client)->PostSigned(entry);
  if (!posted.ok()) return Fail(posted.status());
  std::cout << "roster change on the board: entry " << posted->seq() << "\n";
  return 0;
}

int RunAcceptProxy(const Argv& argv) {
  auto args = ParseArgs(argv, {"unit"});
  if (!args.ok()) return Fail(args.status());
  if (!args->Has("unit")) return Usage("phieu accept-proxy --unit ABSENT_UNIT");
  auto client = ConnectAndSync(*args);
  if (!client.ok()) return Fail(client.status());
  auto it = (*client)->view().proxies().find(args->Get("unit"));
  if (it == (*client)->view().proxies().end()) return Fail(NotFound("no proxy recorded for that unit"));
  v1::EntryBody body;
  body.mutable_proxy_acceptance()->set_absent_unit_id(args->Get("unit"));
  body.mutable_proxy_acceptance()->set_proxy_entry_hash(it->second.entry_id);
  auto posted = (*client)->Post(body);
  if (!posted.ok()) return Fail(posted.status());
  std::cout << "ủy quyền đã nhận / proxy accepted: entry " << posted->seq() << "\n";
  return 0;
}

}  // namespace phieu::client

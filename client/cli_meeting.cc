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
#include "client/commands.h"
#include "client/meeting_client.h"
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/keys.h"
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

// The run a command means: --run, else the open run of BALLOT, else the only open run.
Result<const Run*> PickRun(const BoardView& view, const std::string& ballot_id, bool want_open) {
  if (!ballot_id.empty()) {
    if (!view.Spec(ballot_id)) return NotFound("no ballot '" + ballot_id + "' in this meeting");
    const Run* run = want_open ? view.OpenRun(ballot_id) : view.LatestRun(ballot_id);
    if (!run) {
      return FailedPrecondition("ballot '" + ballot_id + "' is " +
                                (want_open ? "not open" : "not opened yet"));
    }
    return run;
  }
  std::vector<const Run*> open;
  for (const Run* r : view.RunsInOrder()) {
    if (!r->closed && !r->cancelled) open.push_back(r);
  }
  if (open.empty()) return FailedPrecondition("no ballot is open now (Chưa có phiếu nào đang mở)");
  if (open.size() > 1) {
    std::string ids;
    for (const Run* r : open) ids += " " + r->ballot_id;
    return FailedPrecondition("several ballots are open; name one of:" + ids);
  }
  return open.front();
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

std::string BallotPath(const MeetingClient& c, const std::string& run_id, const std::string& unit) {
  return c.profile_dir() + "/ballots/" + run_id.substr(0, 16) + "-" + unit + ".entry";
}
std::string ReceiptPath(const MeetingClient& c, const std::string& run_id, const std::string& unit) {
  return ReceiptsDir(c.profile_dir()) + "/" + run_id.substr(0, 16) + "-" + unit + ".receipt";
}

// Checks the server's receipt: its signature by the server key the genesis
// certifies, and that it names the ballot we sent.
Status CheckReceipt(const BoardView& view, const v1::SignedReceipt& sr, const v1::EncryptedBallot& b) {
  ASSIGN_OR_RETURN(crypto::PublicKey server, crypto::PublicKey::FromEd25519Raw(view.genesis().server_signing_key()));
  RETURN_IF_ERROR(server.Verify(crypto::kReceiptDomain, sr.receipt(), sr.signature()).Annotate("receipt signature"));
  v1::Receipt r;
  if (!r.ParseFromString(sr.receipt())) return VerificationFailed("receipt does not parse");
  if (r.tracking_code() != Hex(crypto::TrackingCode(b)) || r.run_id() != b.run_id() || r.unit_id() != b.unit_id()) {
    return VerificationFailed("the receipt names another ballot than the one sent");
  }
  return Status::Ok();
}

void PrintReceipt(const v1::SignedReceipt& sr) {
  v1::Receipt r;
  r.ParseFromString(sr.receipt());
  std::cout << "Biên nhận / Receipt\n"
            << "  mã theo dõi phiếu (tracking code): " << r.tracking_code() << "\n"
            << "  vị trí trong chuỗi (position):     " << r.seq() << "\n"
            << "  đầu chuỗi (chain head):            " << Hex(r.entry_hash()) << "\n";
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

int RunVote(const Argv& argv) {
  auto args = ParseArgs(argv, {"choice", "for-unit"}, {"blank", "yes", "challenge"});
  if (!args.ok()) return Fail(args.status());
  auto client_r = ConnectAndSync(*args);
  if (!client_r.ok()) return Fail(client_r.status());
  MeetingClient& c = **client_r;
  const BoardView& v = c.view();
  std::string ballot_id = args->positional().empty() ? "" : args->positional()[0];
  auto run_r = PickRun(v, ballot_id, /*want_open=*/true);
  if (!run_r.ok()) return Fail(run_r.status());
  const Run run = **run_r;  // a copy: the view may grow while we wait
  const v1::BallotSpec& spec = *v.Spec(run.ballot_id);
  std::string unit = args->Get("for-unit", c.own_unit());
  if (unit.empty()) return Fail(PermissionDenied("you are not a delegate of any unit"));

  auto caster = record::CasterFor(v, run, unit);
  if (!caster.ok()) return Fail(caster.status());
  if (*caster != c.participant_id()) {
    return Fail(PermissionDenied("the ballot of '" + unit + "' is cast by " + *caster + ", not by you"));
  }

  // A ballot stored earlier for this run is resent as it is, never re-made:
  // the server answers an identical resend with the original receipt.
  const std::string stored_path = BallotPath(c, run.run_id, unit);
  v1::SignedEntry signed_entry;
  v1::EncryptedBallot ballot;
  if (auto stored = crypto::ReadFile(stored_path); stored.ok() && signed_entry.ParseFromString(*stored)) {
    if (args->Has("challenge")) {
      return Fail(FailedPrecondition("a ballot for this run is already stored (cast, or in flight): an "
                                     "encryption is checked before casting, not after"));
    }
    v1::EntryBody body;
    body.ParseFromString(signed_entry.body());
    ballot = body.ballot();
    std::cout << "Gửi lại phiếu đã lưu / resending the ballot stored earlier for this run\n";
  } else {
    auto layout = record::VoterLayoutFor(v, run, unit);
    if (!layout.ok()) return Fail(layout.status());
    std::vector<std::string> choices;
    if (args->Has("blank")) {
      choices.clear();
    } else if (args->Has("choice")) {
      choices = args->GetAll("choice");
    } else {
      auto asked = AskChoices(spec, run, *layout, unit);
      if (!asked.ok()) return Fail(asked.status());
      choices = *asked;
    }
    auto marks = rules::MarksFor(*layout, spec, choices, unit);
    if (!marks.ok()) return Fail(marks.status());
    std::cout << "Phiếu của / ballot of " << UnitName(v, unit) << " — " << spec.question() << ":"
              << Describe(spec, choices) << "\n";
    if (args->Has("challenge")) return RunChallenge(c, run, unit, *marks);
    if (!args->Has("yes")) {
      std::cout << "Xác nhận bỏ phiếu? / Cast this ballot? [c/k] " << std::flush;
      std::string answer;
      if (!std::getline(std::cin, answer) || (answer != "c" && answer != "C" && answer != "y" && answer != "có")) {
        std::cout << "Chưa bỏ phiếu / not cast.\n";
        return 1;
      }
    }
    auto ctx = record::RunContext(v, run);
    if (!ctx.ok()) return Fail(ctx.status());
    auto key = record::JointKey(v);
    if (!key.ok()) return Fail(key.status());
    // A ballot to cast keeps no secrets: EncryptBallot clears each cell's
    // randomness when it returns (nothing asked for it), the marks are wiped
    // here, and only the signed ballot (no randomness) is stored.
    auto enc = crypto::EncryptBallot(*ctx, *key, *layout, *marks, run.run_id, unit, /*secrets_out=*/nullptr);
    crypto::SecureWipe(marks->data(), marks->size() * sizeof(uint32_t));
    if (!enc.ok()) return Fail(enc.status());
    ballot = *enc;
    v1::EntryBody body;
    *body.mutable_ballot() = ballot;
    auto se = c.Sign(body);
    if (!se.ok()) return Fail(se.status());
    signed_entry = *se;
    if (Status s = crypto::MakeDirs(c.profile_dir() + "/ballots", 0700); !s.ok()) return Fail(s);
    if (Status s = crypto::WritePrivateFile(stored_path, signed_entry.SerializeAsString()); !s.ok()) {
      return Fail(s.Annotate("storing the ballot before sending it"));
    }
  }

  auto posted = c.PostSigned(signed_entry);
  v1::SignedReceipt receipt;
  if (!posted.ok()) {
    if (posted.status().code() == StatusCode::kUnavailable) {
      // The connection dropped mid-cast: ask whether it counted.
      auto again = MeetingClient::Connect(c.profile_dir());
      if (!again.ok()) return Fail(posted.status().Annotate("cast in flight; run `phieu vote` again to learn if it counted"));
      if (Status s = (*again)->Sync(); !s.ok()) return Fail(s);
      auto mine = (*again)->MyBallot(run.run_id, unit);
      if (!mine.ok()) return Fail(mine.status());
      if (!mine->counted()) {
        auto retry = (*again)->PostSigned(signed_entry);
        if (!retry.ok()) return Fail(retry.status());
        receipt = retry->receipt();
      } else {
        receipt = mine->receipt();
      }
    } else {
      return Fail(posted.status());
    }
  } else {
    receipt = posted->receipt();
  }
  if (Status s = CheckReceipt(v, receipt, ballot); !s.ok()) return Fail(s);
  if (Status s = crypto::MakeDirs(c.profile_dir() + "/receipts", 0700); !s.ok()) return Fail(s);
  if (Status s = crypto::WritePublicFile(ReceiptPath(c, run.run_id, unit), receipt.SerializeAsString()); !s.ok()) {
    return Fail(s.Annotate("storing the receipt"));
  }
  std::cout << "Đã bỏ phiếu / ballot cast: " << spec.id() << " for " << UnitName(v, unit) << "\n";
  PrintReceipt(receipt);
  return 0;
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

  if (command == "open") {
    if (ballot_id.empty()) return Usage("phieu open BALLOT");
    body.mutable_open()->set_ballot_id(ballot_id);
    body.mutable_open()->set_round(1);
    body.mutable_open()->set_ceremony_done(v.ceremony().done_entry);
  } else if (command == "runoff") {
    if (ballot_id.empty()) return Usage("phieu runoff BALLOT");
    const Run* prev = v.LatestRun(ballot_id);
    if (!prev || prev->result_entry.empty()) return Fail(FailedPrecondition("ballot '" + ballot_id + "' has no result to follow"));
    v1::Outcome outcome;
    outcome.ParseFromString(v.body(*v.FindEntry(prev->result_entry)).result().outcome());
    std::vector<std::string> candidates = outcome.runoff_candidates().empty()
        ? std::vector<std::string>{}
        : std::vector<std::string>(outcome.runoff_candidates().begin(), outcome.runoff_candidates().end());
    if (args->Has("candidates")) {
      candidates.clear();
      std::stringstream ss(args->Get("candidates"));
      for (std::string id; std::getline(ss, id, ',');) candidates.push_back(id);
    }
    if (candidates.empty()) return Fail(FailedPrecondition("the result names no candidates for a second round"));
    auto* o = body.mutable_open();
    o->set_ballot_id(ballot_id);
    o->set_round(prev->round + 1);
    o->set_previous_run(prev->run_id);
    for (const auto& id : candidates) o->add_candidate_ids(id);
    o->set_ceremony_done(v.ceremony().done_entry);
  } else if (command == "close" || command == "cancel") {
    if (ballot_id.empty()) return Usage("phieu " + command + " BALLOT");
    auto run = PickRun(v, ballot_id, command == "close");
    if (!run.ok()) return Fail(run.status());
    if (command == "close") {
      body.mutable_close()->set_run_id((*run)->run_id);
    } else {
      body.mutable_cancel()->set_run_id((*run)->run_id);
      body.mutable_cancel()->set_reason(args->Get("reason"));
    }
  } else if (command == "proxy") {
    if (!args->Has("unit") || !args->Has("holder")) return Usage("phieu proxy --unit ABSENT_UNIT --holder PARTICIPANT");
    body.mutable_proxy()->set_absent_unit_id(args->Get("unit"));
    body.mutable_proxy()->set_holder_id(args->Get("holder"));
  } else if (command == "ceremony") {
    if (ballot_id != "start") return Usage("phieu ceremony start [--tellers a,b,c] [--threshold T]");
    const v1::TellerSettings& ts = v.meeting().tellers();
    auto* s = body.mutable_ceremony_start();
    s->set_attempt(v.ceremony().attempt + 1);
    if (args->Has("tellers")) {
      std::stringstream ss(args->Get("tellers"));
      for (std::string id; std::getline(ss, id, ',');) s->add_teller_ids(id);
    } else {
      for (const auto& id : ts.participant_ids()) s->add_teller_ids(id);
    }
    s->set_threshold(args->Has("threshold") ? static_cast<uint32_t>(std::atoi(args->Get("threshold").c_str()))
                                            : meeting::EffectiveThreshold(ts));
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

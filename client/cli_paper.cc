// `phieu teller paper BALLOT --ballot UNIT=CHOICES ...` and
// `phieu teller paper-sign BATCH`: the tellers enter the paper ballots of
// delegates whose laptops failed as one signed batch of counts, and other
// tellers co-sign it; it counts once t tellers have signed (docs/protocol.md,
// "Paper batches"). The counts are computed here from each paper ballot as
// the tellers read it, with the same rules as an electronic ballot
// (rules::MarksFor: self-votes, number of choices), weights applied; only
// the batch's sums go on the board.
#include <iostream>
#include <set>
#include <sstream>

#include "client/args.h"
#include "client/commands.h"
#include "client/meeting_client.h"
#include "core/record/run_support.h"
#include "core/rules/layout.h"
#include "core/util/bytes.h"

namespace phieu::client {
namespace {

using record::BoardView;
using record::Run;

Result<std::unique_ptr<MeetingClient>> ConnectTeller(const Args& args) {
  ASSIGN_OR_RETURN(std::unique_ptr<MeetingClient> client,
                   MeetingClient::Connect(ProfileDir(args.Get("profile"))));
  RETURN_IF_ERROR(client->Sync());
  if (record::TellerIndex(client->view(), client->participant_id()) == 0) {
    return PermissionDenied("you are not a teller of the key in force");
  }
  return client;
}

// Adds one paper ballot "UNIT=CHOICES" to `batch` (CHOICES: candidate ids
// separated by commas, in rank order for a rank ballot; yes/no/abstain per
// item; "blank"; or "invalid").
Status AddPaperBallot(const BoardView& v, const Run& run, const v1::BallotLayout& full,
                      const std::string& arg, v1::PaperBatch* batch) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) {
    return InvalidArgument("--ballot takes UNIT=CHOICES (or UNIT=blank, UNIT=invalid), not '" + arg + "'");
  }
  const std::string unit = arg.substr(0, eq), what = arg.substr(eq + 1);
  if (!v.Unit(unit)) return NotFound("no unit '" + unit + "' in the meeting");
  for (const auto& u : batch->unit_ids()) {
    if (u == unit) return InvalidArgument("unit '" + unit + "' has two paper ballots");
  }
  const uint32_t weight = v.Weight(unit);
  batch->add_unit_ids(unit);
  if (what == "invalid") {
    batch->set_invalid(batch->invalid() + weight);
    return Status::Ok();
  }
  std::vector<std::string> choices;
  if (what != "blank") {
    std::stringstream ss(what);
    for (std::string id; std::getline(ss, id, ',');) choices.push_back(id);
  }
  ASSIGN_OR_RETURN(v1::BallotLayout style, record::VoterLayoutFor(v, run, unit));
  ASSIGN_OR_RETURN(std::vector<uint32_t> marks,
                   rules::MarksFor(style, *v.Spec(run.ballot_id), choices, unit));
  for (int i = 0; i < style.cells_size(); ++i) {
    if (!marks[i]) continue;
    ASSIGN_OR_RETURN(uint32_t at, rules::FullIndex(full, style.cells(i)));
    batch->set_counts(static_cast<int>(at), batch->counts(static_cast<int>(at)) + weight);
  }
  if (choices.empty()) {
    batch->set_blank(batch->blank() + weight);
  } else {
    batch->set_valid(batch->valid() + weight);
  }
  return Status::Ok();
}

std::string CellLabel(const v1::BallotSpec& spec, const v1::Cell& cell) {
  if (cell.candidate_id().empty()) return "phiếu trắng / blank";
  std::string name = cell.candidate_id();
  for (const auto& c : spec.candidates()) {
    if (c.id() == cell.candidate_id() && !c.name().empty()) name = c.name();
  }
  if (cell.rank() != 0) name += " — hạng / rank " + std::to_string(cell.rank());
  if (!cell.option().empty()) name += " — " + cell.option();
  return name;
}

void PrintBatch(const BoardView& v, const Run& run, const v1::BallotLayout& full, const v1::PaperBatch& b) {
  const v1::BallotSpec& spec = *v.Spec(run.ballot_id);
  std::cout << "Lô phiếu giấy / paper batch — " << spec.question() << " (" << run.ballot_id << ", round "
            << run.round << ")\n  đơn vị / units:";
  for (const auto& u : b.unit_ids()) std::cout << " " << u;
  std::cout << "\n  hợp lệ / valid " << b.valid() << ", trắng / blank " << b.blank() << ", không hợp lệ / invalid "
            << b.invalid() << " (votes)\n";
  for (int i = 0; i < full.cells_size() && i < b.counts_size(); ++i) {
    std::cout << "  " << CellLabel(spec, full.cells(i)) << ": " << b.counts(i) << "\n";
  }
}

bool Confirmed(const Args& args, const std::string& question) {
  if (args.Has("yes")) return true;
  std::cout << question << " [c/k] " << std::flush;
  std::string answer;
  return std::getline(std::cin, answer) && (answer == "c" || answer == "C" || answer == "y" || answer == "có");
}

}  // namespace

int RunPaperBatch(const Argv& argv) {
  auto args = Args::Parse(argv, {"profile", "ballot"}, {"yes"});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 1 || !args->Has("ballot")) {
    std::cerr << "usage: phieu teller paper BALLOT --ballot UNIT=CHOICES [--ballot ...] [--yes]\n"
                 "  CHOICES: candidate ids separated by commas (rank order for a rank ballot;\n"
                 "  yes/no/abstain per item), or 'blank', or 'invalid'\n";
    return 2;
  }
  auto client = ConnectTeller(*args);
  if (!client.ok()) return Fail(client.status());
  const BoardView& v = (*client)->view();
  const std::string ballot_id = args->positional()[0];
  if (!v.Spec(ballot_id)) return Fail(NotFound("no ballot '" + ballot_id + "' in this meeting"));
  const Run* open = v.OpenRun(ballot_id);
  if (!open) return Fail(FailedPrecondition("ballot '" + ballot_id + "' is not open"));
  const Run run = *open;  // a copy: the view grows when we post
  auto full = record::FullLayoutFor(v, run);
  if (!full.ok()) return Fail(full.status());

  v1::EntryBody body;
  v1::PaperBatch* batch = body.mutable_paper_batch();
  batch->set_run_id(run.run_id);
  for (int i = 0; i < full->cells_size(); ++i) batch->add_counts(0);
  for (const auto& b : args->GetAll("ballot")) {
    if (Status s = AddPaperBallot(v, run, *full, b, batch); !s.ok()) return Fail(s);
  }
  // The server checks the same; checking first says what is wrong before anything is signed.
  if (Status s = record::CheckPaperBatch(v, run, *batch, ""); !s.ok()) return Fail(s);
  PrintBatch(v, run, *full, *batch);
  if (!Confirmed(*args, "Nhập lô phiếu giấy này? / Enter this paper batch?")) {
    std::cout << "Chưa nhập / not entered.\n";
    return 1;
  }
  auto posted = (*client)->Post(body);
  if (!posted.ok()) return Fail(posted.status());
  const std::string id = Hex(posted->entry_hash());
  const uint32_t t = std::max<uint32_t>(1, v.ceremony().threshold);
  std::cout << "paper batch: entry " << posted->seq() << " " << id << "\n"
            << "Cần thêm " << (t - 1) << " thành viên Ban kiểm phiếu ký / needs " << (t - 1)
            << " more teller signatures: phieu teller paper-sign " << id << "\n";
  return 0;
}

int RunPaperSign(const Argv& argv) {
  auto args = Args::Parse(argv, {"profile"}, {"yes"});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 1) {
    std::cerr << "usage: phieu teller paper-sign BATCH [--yes]   (BATCH: the batch's entry id or a prefix)\n";
    return 2;
  }
  const std::string& prefix = args->positional()[0];
  if (prefix.size() < 8) return Fail(InvalidArgument("give at least 8 hex digits of the batch's entry id"));
  auto client = ConnectTeller(*args);
  if (!client.ok()) return Fail(client.status());
  const BoardView& v = (*client)->view();
  const Run* found_run = nullptr;
  std::string found_id;
  for (const Run* r : v.RunsInOrder()) {
    for (const auto& [id, batch] : r->paper_batches) {
      if (id.rfind(prefix, 0) != 0) continue;
      if (found_run) return Fail(InvalidArgument("'" + prefix + "' names more than one paper batch"));
      found_run = r;
      found_id = id;
    }
  }
  if (!found_run) return Fail(NotFound("no paper batch " + prefix));
  const Run run = *found_run;
  auto full = record::FullLayoutFor(v, run);
  if (!full.ok()) return Fail(full.status());
  const v1::PaperBatch& batch = v.body(run.paper_batches.at(found_id).seq).paper_batch();
  if (Status s = record::CheckPaperBatch(v, run, batch, found_id); !s.ok()) return Fail(s);
  PrintBatch(v, run, *full, batch);
  if (!Confirmed(*args, "Các số trên khớp với phiếu giấy? Ký xác nhận? / Do these match the paper ballots? Sign?")) {
    std::cout << "Chưa ký / not signed.\n";
    return 1;
  }
  v1::EntryBody body;
  body.mutable_paper_batch_signature()->set_batch_entry_hash(found_id);
  auto posted = (*client)->Post(body);
  if (!posted.ok()) return Fail(posted.status());
  const record::Run* now = v.FindRun(run.run_id);
  const uint32_t k = now ? now->paper_batches.at(found_id).signers : 0;
  std::cout << "signed paper batch " << found_id.substr(0, 16) << ": entry " << posted->seq() << ", " << k
            << " of " << std::max<uint32_t>(1, v.ceremony().threshold) << " teller signatures\n";
  return 0;
}

}  // namespace phieu::client

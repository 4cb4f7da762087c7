// `phieu result BALLOT | --all` prints the counting minutes (biên bản kiểm
// phiếu) of a published result, after checking it: the server's Ed25519
// signature, that it covers the board the client holds, and the tellers'
// co-signatures. `--expect a,b` makes it fail unless the elected are exactly
// those (used by `make demo`). `phieu record export --profile DIR` fetches
// the election record from the server.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "client/args.h"
#include "client/commands.h"
#include "client/meeting_client.h"
#include "client/pdf.h"
#include "client/result_minutes.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/crypto/sha256.h"
#include "core/record/entry_signature.h"
#include "core/record/record_file.h"
#include "core/record/run_support.h"
#include "core/rules/minutes.h"
#include "core/util/bytes.h"
#include "core/util/fingerprint.h"

namespace phieu::client {
namespace {

using record::BoardView;
using record::Run;

std::string TellerName(const BoardView& v, uint32_t index) {
  if (index == 0 || index > v.ceremony().teller_ids.size()) return "?";
  const std::string& id = v.ceremony().teller_ids[index - 1];
  const v1::Participant* p = v.Participant(id);
  return p && !p->name().empty() ? p->name() : id;
}

// One note per counted paper batch: its units, who entered it, who co-signed.
Status AddPaperNotes(const BoardView& v, const Run& run, rules::MinutesInput* in) {
  const v1::Tally& tally = v.body(run.tally_seq).tally();
  for (const auto& id : tally.paper_batches()) {
    auto it = run.paper_batches.find(id);
    if (it == run.paper_batches.end()) return VerificationFailed("the tally lists an unknown paper batch " + id);
    const record::PaperBatchRef& b = it->second;
    std::string units;
    for (const auto& u : b.unit_ids) {
      const v1::Unit* unit = v.Unit(u);
      units += (units.empty() ? "" : ", ") + (unit ? unit->name() : u);
    }
    std::string signers;
    for (const auto& [index, seq] : b.cosigners) {
      if (index != b.author && seq < run.close_seq) signers += (signers.empty() ? "" : ", ") + TellerName(v, index);
    }
    const std::string short_id = id.substr(0, 16);
    in->notes.push_back(
        {"Phiếu giấy (lô " + short_id + "): " + std::to_string(b.unit_ids.size()) + " đơn vị bỏ phiếu giấy (" +
             units + "); " + TellerName(v, b.author) + " nhập, " + signers + " ký xác nhận.",
         "Paper ballots (batch " + short_id + "): " + std::to_string(b.unit_ids.size()) + " units voted on paper (" +
             units + "); entered by " + TellerName(v, b.author) + ", co-signed by " + signers + "."});
  }
  return Status::Ok();
}

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s.empty() ? "-" : s;
}

}  // namespace

Result<rules::MinutesInput> MinutesFor(const BoardView& v, const Run& run) {
  const v1::BoardEntry& e = v.entry(run.result_seq);
  RETURN_IF_ERROR(record::VerifyServerSignature(v, e).Annotate("the result"));
  const v1::Result& result = v.body(run.result_seq).result();
  rules::MinutesInput in;
  in.meeting = v.meeting();
  in.spec = *v.Spec(run.ballot_id);
  if (!in.outcome.ParseFromString(result.outcome())) return VerificationFailed("the result's outcome does not parse");
  in.round = run.round;
  for (uint32_t idx : result.tellers()) {
    if (idx == 0 || idx > v.ceremony().teller_ids.size()) return VerificationFailed("result names an unknown teller");
    const std::string& id = v.ceremony().teller_ids[idx - 1];
    const v1::Participant* p = v.Participant(id);
    rules::MinutesTeller t;
    t.name = p ? p->name() : id;
    if (p && v.Unit(p->unit_id())) t.unit_name = v.Unit(p->unit_id())->name();
    t.teller_role = p ? p->teller_role() : "";
    in.tellers.push_back(std::move(t));
  }
  in.count_ended_unix_ms = e.server_time_ms();
  in.chain_head_hex = result.chain_head();
  in.server_fingerprint = ShortFingerprint(crypto::Sha256(v.genesis().server_signing_key()));
  in.ca_fingerprint = ShortFingerprint(crypto::Sha256(v.genesis().ca_certificate()));
  if (run.cosigned.size() < v.ceremony().threshold) {
    in.notes.push_back({"Kết quả chưa đủ chữ ký của Ban kiểm phiếu (" + std::to_string(run.cosigned.size()) + "/" +
                            std::to_string(v.ceremony().threshold) + ").",
                        "The result is not yet co-signed by t tellers (" + std::to_string(run.cosigned.size()) +
                            "/" + std::to_string(v.ceremony().threshold) + ")."});
  }
  RETURN_IF_ERROR(AddPaperNotes(v, run, &in));
  if (!v.meeting().demo_votes().empty()) {
    in.notes.push_back({"Hội nghị minh họa: số phiếu là giả định, kết quả trùng với kết quả đã công bố.",
                        "Demo meeting: the counts are illustrative; the outcome matches the published one."});
  }
  return in;
}

int RunResult(const Argv& argv) {
  auto args = Args::Parse(argv, {"profile", "lang", "html", "pdf", "expect"}, {"all"});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().empty() && !args->Has("all")) {
    std::cerr << "usage: phieu result BALLOT|--all [--lang vi|en] [--html FILE] [--pdf FILE] [--expect a,b]\n";
    return 2;
  }
  const std::string lang_flag = args->Get("lang", "vi");
  if (lang_flag != "vi" && lang_flag != "en") return Fail(InvalidArgument("--lang is vi or en"));
  const rules::Lang lang = lang_flag == "en" ? rules::Lang::kEn : rules::Lang::kVi;
  auto client = MeetingClient::Connect(ProfileDir(args->Get("profile")));
  if (!client.ok()) return Fail(client.status());
  if (Status s = (*client)->Sync(); !s.ok()) return Fail(s);
  const BoardView& v = (*client)->view();

  std::vector<const Run*> runs;
  if (args->Has("all")) {
    for (const Run* r : v.RunsInOrder()) {
      if (!r->result_entry.empty()) runs.push_back(r);
    }
  } else {
    const std::string id = args->positional()[0];
    if (!v.Spec(id)) return Fail(NotFound("no ballot '" + id + "' in this meeting"));
    const Run* r = v.LatestRun(id);
    if (!r || r->result_entry.empty()) return Fail(FailedPrecondition("ballot '" + id + "' has no result yet"));
    runs.push_back(r);
  }
  std::string html;
  for (const Run* run : runs) {
    auto in = MinutesFor(v, *run);
    if (!in.ok()) return Fail(in.status());
    std::cout << rules::MinutesText(*in, lang) << "\n";
    if (args->Has("html") || args->Has("pdf")) html += rules::MinutesHtml(*in, lang);
    if (args->Has("expect")) {
      // Order matters where the outcome is an order (suy tôn); a list of
      // winners is compared as a set.
      std::vector<std::string> got_v(in->outcome.elected().begin(), in->outcome.elected().end());
      std::vector<std::string> want_v;
      std::stringstream ss(args->Get("expect"));
      for (std::string id; std::getline(ss, id, ',');) {
        if (id != "-") want_v.push_back(id);
      }
      if (in->spec.kind() != v1::KIND_RANK) {
        std::sort(got_v.begin(), got_v.end());
        std::sort(want_v.begin(), want_v.end());
      }
      const std::string got = Joined(in->outcome.elected());
      if (got_v != want_v) {
        return Fail(VerificationFailed("ballot '" + run->ballot_id + "': elected " + got + ", expected " +
                                       args->Get("expect")));
      }
      std::cout << "✓ " << run->ballot_id << ": outcome matches the published one (" << got << ")\n";
    }
  }
  if (args->Has("html")) {
    std::ofstream out(args->Get("html"), std::ios::binary | std::ios::trunc);
    out << html;
    if (!out) return Fail(Unavailable("cannot write " + args->Get("html")));
  }
  if (args->Has("pdf")) {
    if (Status s = PrintHtmlToPdf(html, args->Get("pdf")); !s.ok()) return Fail(s);
    std::cout << "biên bản PDF / minutes as PDF: " << args->Get("pdf") << "\n";
  }
  return 0;
}

int RunRecordOverNetwork(const Argv& argv) {
  auto args = Args::Parse(argv, {"profile", "out"}, {"json"});
  if (!args.ok()) return Fail(args.status());
  if (args->positional().size() != 1 || args->positional()[0] != "export" || !args->Has("out")) {
    std::cerr << "usage: phieu record export --profile DIR --out FILE [--json]\n";
    return 2;
  }
  auto client = MeetingClient::Connect(ProfileDir(args->Get("profile")));
  if (!client.ok()) return Fail(client.status());
  if (Status s = (*client)->Sync(); !s.ok()) return Fail(s);
  v1::ElectionRecord rec;
  for (const auto& e : (*client)->view().entries()) *rec.add_entries() = e;
  if (args->Has("json")) {
    auto json = record::RecordToJson(rec);
    if (!json.ok()) return Fail(json.status());
    if (Status s = record::WriteFileDurably(args->Get("out"), *json); !s.ok()) return Fail(s);
  } else if (Status s = record::WriteRecordFile(args->Get("out"), rec); !s.ok()) {
    return Fail(s);
  }
  std::cout << "election record: " << rec.entries_size() << " entries, head "
            << Hex(rec.entries(rec.entries_size() - 1).hash()) << " -> " << args->Get("out") << "\n";
  return 0;
}

}  // namespace phieu::client

#include "core/verify/verify.h"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/ceremony.h"
#include "core/crypto/keys.h"
#include "core/crypto/proofs.h"
#include "core/crypto/sha256.h"
#include "core/record/board_view.h"
#include "core/record/chain.h"
#include "core/record/entry_signature.h"
#include "core/record/run_support.h"
#include "core/rules/counts.h"
#include "core/rules/layout.h"
#include "core/rules/outcome.h"
#include "core/util/bytes.h"

namespace phieu::verify {
namespace {

using record::BoardView;
using record::Run;

constexpr std::string_view kCheckOrder[] = {
    kCheckChain,     kCheckHead,    kCheckMeetingCa, kCheckCertificates, kCheckSignatures,
    kCheckRoles,     kCheckCheckIns, kCheckCeremony, kCheckBallots,      kCheckOnePerUnit,
    kCheckSpoiled,   kCheckPaper,   kCheckTallies,   kCheckShares,       kCheckResults,
    kCheckCosign,    kCheckReceipts};

int64_t Seconds(const v1::BoardEntry& e) { return e.server_time_ms() / 1000; }

// A check that failed, found while replaying (sequential) or by a worker.
struct Found {
  std::string_view check;
  uint64_t seq = 0;
  Status status;
};

// A participant's key and certificate, decoded once per pin.
struct Signer {
  std::unique_ptr<crypto::PublicKey> key;
  int64_t not_before = 0;
  int64_t not_after = 0;
};

// One ballot or spoiled ballot whose signature and proofs the pool checks.
struct Job {
  uint64_t seq = 0;
  const crypto::PublicKey* key = nullptr;
  std::shared_ptr<const std::string> run_context;
  std::shared_ptr<const crypto::FixedBase> joint_key;
  v1::BallotLayout layout;
  bool spoiled = false;
};

class Verifier {
 public:
  Verifier(const v1::ElectionRecord& record, const crypto::Certificate& ca, const VerifyOptions& options)
      : rec_(record), ca_(ca), opt_(options) {
    for (std::string_view name : kCheckOrder) {
      if (name == kCheckHead && opt_.expect_head.empty()) continue;
      if (name == kCheckReceipts && opt_.receipts.empty()) continue;
      report_.checks.push_back(CheckLine{std::string(name), 0, true});
    }
  }

  VerifyReport Execute();

 private:
  void Count(std::string_view check, uint64_t n = 1) {
    for (auto& c : report_.checks) {
      if (c.name == check) c.count += n;
    }
  }
  bool Fail(std::string_view check, uint64_t seq, Status s) {
    found_.push_back(Found{check, seq, std::move(s)});
    return false;
  }
  bool Fail(std::string_view check, uint64_t seq, const std::string& message) {
    return Fail(check, seq, VerificationFailed(message));
  }
  void Note(uint64_t seq, const std::string& kind, const std::string& text) {
    report_.attention.push_back(Attention{seq, kind, text});
  }
  void Progress(std::string_view stage, uint64_t done, uint64_t total) {
    if (opt_.progress) opt_.progress(stage, done, total);
  }

  bool CheckChain();
  bool CheckGenesis();
  bool Judge(const v1::BoardEntry& e, const v1::EntryBody& body);
  bool JudgeSignature(const v1::BoardEntry& e, const v1::EntryBody& body, const crypto::PublicKey** key);
  bool JudgeRosterChange(const v1::BoardEntry& e, const v1::RosterChange& c);
  bool JudgeCeremony(const v1::BoardEntry& e, const v1::EntryBody& body, const std::string& pid);
  bool JudgeOpen(const v1::BoardEntry& e, const v1::Open& o);
  bool JudgeBallot(const v1::BoardEntry& e, const v1::EncryptedBallot& b, const std::string& pid,
                   const crypto::PublicKey* key, bool spoiled);
  bool JudgePaperBatch(const v1::BoardEntry& e, const v1::PaperBatch& p, const std::string& pid);
  bool JudgeTally(const v1::BoardEntry& e, const v1::Tally& t);
  bool JudgeShare(const v1::BoardEntry& e, const v1::DecryptionShare& d, const std::string& pid);
  bool JudgeResult(const v1::BoardEntry& e, const v1::Result& r);
  void RunJobs();
  void CheckCosignatures();
  void CheckReceipts();
  const Run* OpenRunById(const v1::BoardEntry& e, const std::string& run_id);
  Result<const Signer*> SignerFor(const record::RosterPerson& person);
  bool RequireRole(const v1::BoardEntry& e, const std::string& pid, v1::Role role, const std::string& what);

  const v1::ElectionRecord& rec_;
  const crypto::Certificate& ca_;
  const VerifyOptions& opt_;
  VerifyReport report_;
  std::vector<Found> found_;

  BoardView v_;
  std::optional<crypto::CeremonyRecord> ceremony_;
  std::shared_ptr<const crypto::FixedBase> joint_key_;
  std::map<std::string, std::shared_ptr<const std::string>> run_contexts_;
  std::map<std::string, Signer> signers_;  // by pin
  std::unique_ptr<crypto::PublicKey> server_key_;
  std::vector<Job> jobs_;
  std::map<std::string, uint64_t> spoiled_codes_;  // tracking code (hex) -> seq
  std::map<std::string, uint64_t> ballot_codes_;
  std::map<std::pair<std::string, std::string>, size_t> spoil_counts_;  // (run, unit) -> spoils
};

bool Verifier::CheckChain() {
  const auto& entries = rec_.entries();
  if (entries.empty()) return Fail(kCheckChain, 0, "the record holds no entries");
  std::string prev = record::ZeroHash();
  for (int i = 0; i < entries.size(); ++i) {
    Status s = record::VerifyChainEntry(entries[i], static_cast<uint64_t>(i), prev);
    if (!s.ok()) return Fail(kCheckChain, static_cast<uint64_t>(i), s);
    prev = entries[i].hash();
  }
  Count(kCheckChain, entries.size());
  report_.entries = entries.size();
  report_.head = Hex(prev);
  if (!opt_.expect_head.empty()) {
    if (report_.head != opt_.expect_head) {
      return Fail(kCheckHead, entries.size() - 1,
                  "the record ends at head " + report_.head + ", the minutes print " + opt_.expect_head);
    }
    Count(kCheckHead);
  }
  return true;
}

bool Verifier::CheckGenesis() {
  const v1::BoardEntry& e = rec_.entries(0);
  v1::EntryBody body;
  if (!body.ParseFromString(e.signed_().body()) || !body.has_genesis()) {
    return Fail(kCheckMeetingCa, 0, "entry 0 is not a genesis entry");
  }
  const v1::Genesis& g = body.genesis();
  report_.meeting_id = body.meeting_id();
  report_.ca_fingerprint = ca_.Pin();
  if (e.signed_().author() != "ca") return Fail(kCheckMeetingCa, 0, "the genesis is not signed by the meeting CA");
  if (g.ca_certificate() != ca_.Der()) {
    return Fail(kCheckMeetingCa, 0, "the genesis names another meeting CA than the one given (--ca)");
  }
  auto ca_key = ca_.Key();
  if (!ca_key.ok()) return Fail(kCheckMeetingCa, 0, ca_key.status());
  Status s = ca_key->Verify(crypto::kEntryDomain, e.signed_().body(), e.signed_().signature());
  if (!s.ok()) return Fail(kCheckMeetingCa, 0, s.Annotate("genesis signature by the meeting CA"));
  auto server = crypto::PublicKey::FromEd25519Raw(g.server_signing_key());
  if (!server.ok()) return Fail(kCheckMeetingCa, 0, server.status().Annotate("the server's signing key"));
  server_key_ = std::make_unique<crypto::PublicKey>(std::move(server).value());
  report_.server_key_fingerprint = Hex(crypto::Sha256(g.server_signing_key()));
  Count(kCheckMeetingCa);
  for (const auto& m : g.roster()) {
    auto cert = crypto::Certificate::FromDer(m.certificate());
    if (!cert.ok()) return Fail(kCheckCertificates, 0, cert.status().Annotate("roster certificate of " + m.participant_id()));
    s = cert->VerifyIssuedBy(ca_, Seconds(e));
    if (!s.ok()) return Fail(kCheckCertificates, 0, s.Annotate("roster certificate of " + m.participant_id()));
    if (cert->CommonName() != m.participant_id()) {
      return Fail(kCheckCertificates, 0, "the roster certificate of '" + m.participant_id() + "' names '" +
                                             cert->CommonName() + "'");
    }
    Count(kCheckCertificates);
  }
  s = v_.Apply(e);
  if (!s.ok()) return Fail(kCheckRoles, 0, s);
  Count(kCheckSignatures);
  return true;
}

Result<const Signer*> Verifier::SignerFor(const record::RosterPerson& person) {
  auto it = signers_.find(person.pin);
  if (it != signers_.end()) return &it->second;
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromDer(person.certificate));
  ASSIGN_OR_RETURN(crypto::PublicKey key, cert.Key());
  Signer s{std::make_unique<crypto::PublicKey>(std::move(key)), cert.NotBefore(), cert.NotAfter()};
  return &signers_.emplace(person.pin, std::move(s)).first->second;
}

bool Verifier::RequireRole(const v1::BoardEntry& e, const std::string& pid, v1::Role role,
                           const std::string& what) {
  if (v_.HasRole(pid, role)) return true;
  const char* name = role == v1::ROLE_CHAIR ? "chair" : role == v1::ROLE_TELLER ? "tellers" : "delegates";
  return Fail(kCheckRoles, e.seq(), "only the " + std::string(name) + " may " + what + "; posted by " + pid);
}

// Who may sign which kind: the CA (genesis, roster change), the server (its
// three kinds) or a participant on the roster, valid at the entry's time.
// Ballots' signatures are left to the pool (`*key` is set instead).
bool Verifier::JudgeSignature(const v1::BoardEntry& e, const v1::EntryBody& body, const crypto::PublicKey** key) {
  const std::string& author = e.signed_().author();
  const std::string kind = record::PayloadKind(body);
  const bool server_kind = body.has_tally() || body.has_result() || body.has_ceremony_done();
  if (server_kind != (author == "server")) {
    return Fail(kCheckRoles, e.seq(), server_kind ? "only the server writes " + kind + " entries; authored by " + author
                                                  : "the server may not author a " + kind + " entry");
  }
  if (body.has_roster_change() != (author == "ca")) {
    return Fail(kCheckRoles, e.seq(), body.has_roster_change() ? "a roster change must be signed by the meeting CA"
                                                               : "the meeting CA signs only the genesis and roster changes");
  }
  Status s;
  if (author == "server" || author == "ca") {
    s = record::VerifyEntrySignature(v_, e);
    if (!s.ok()) return Fail(kCheckSignatures, e.seq(), s);
    Count(kCheckSignatures);
    return true;
  }
  const record::RosterPerson* person = v_.PersonByPin(author);
  if (!person) return Fail(kCheckSignatures, e.seq(), "the author's pin is not on the roster");
  if (person->revoked) {
    return Fail(kCheckSignatures, e.seq(), "the author's pin (" + person->participant_id + ") was revoked at entry " +
                                               std::to_string(person->revoked_seq));
  }
  auto signer = SignerFor(*person);
  if (!signer.ok()) return Fail(kCheckCertificates, e.seq(), signer.status());
  const int64_t at = Seconds(e);
  if (at < (*signer)->not_before || at > (*signer)->not_after || at < ca_.NotBefore() || at > ca_.NotAfter()) {
    return Fail(kCheckCertificates, e.seq(), "the certificate of " + person->participant_id +
                                                 " (or the meeting CA) was not valid when the entry was appended");
  }
  Count(kCheckCertificates);
  if (body.has_ballot() || body.has_spoiled()) {
    *key = (*signer)->key.get();
    return true;
  }
  s = (*signer)->key->Verify(crypto::kEntryDomain, e.signed_().body(), e.signed_().signature());
  if (!s.ok()) return Fail(kCheckSignatures, e.seq(), s.Annotate("author signature of " + person->participant_id));
  Count(kCheckSignatures);
  return true;
}

bool Verifier::JudgeRosterChange(const v1::BoardEntry& e, const v1::RosterChange& c) {
  for (const auto& pin : c.revoke_pins()) {
    const record::RosterPerson* p = v_.PersonByPin(pin);
    if (!p) return Fail(kCheckRoles, e.seq(), "revokes a pin that is not on the roster: " + pin);
    if (p->revoked) return Fail(kCheckRoles, e.seq(), "revokes the pin of " + p->participant_id + " twice");
    Note(e.seq(), "roster change", "pin of " + p->participant_id + " revoked" +
                                      (c.reason().empty() ? "" : " (" + c.reason() + ")"));
  }
  for (const auto& m : c.add()) {
    if (!v_.Participant(m.participant_id())) {
      return Fail(kCheckRoles, e.seq(), "adds a certificate for '" + m.participant_id() + "', who is not in the meeting");
    }
    auto cert = crypto::Certificate::FromDer(m.certificate());
    if (!cert.ok()) return Fail(kCheckCertificates, e.seq(), cert.status());
    Status s = cert->VerifyIssuedBy(ca_, Seconds(e));
    if (!s.ok()) return Fail(kCheckCertificates, e.seq(), s.Annotate("new certificate of " + m.participant_id()));
    if (cert->CommonName() != m.participant_id()) {
      return Fail(kCheckCertificates, e.seq(), "the new certificate's name is not '" + m.participant_id() + "'");
    }
    Count(kCheckCertificates);
    Note(e.seq(), "roster change", "new pin " + cert->Pin().substr(0, 16) + "… for " + m.participant_id());
  }
  return true;
}

bool Verifier::JudgeCeremony(const v1::BoardEntry& e, const v1::EntryBody& body, const std::string& pid) {
  if (body.has_ceremony_start()) {
    if (!RequireRole(e, pid, v1::ROLE_CHAIR, "start the key ceremony")) return false;
    if (v_.key_ready()) return Fail(kCheckCeremony, e.seq(), "a ceremony started after the key was fixed");
    const auto& st = body.ceremony_start();
    if (st.attempt() != v_.ceremony().attempt + 1) {
      return Fail(kCheckCeremony, e.seq(), "attempt " + std::to_string(st.attempt()) + ", expected " +
                                               std::to_string(v_.ceremony().attempt + 1));
    }
    const auto& meeting_tellers = v_.meeting().tellers().participant_ids();
    for (const auto& id : st.teller_ids()) {
      if (!v_.HasRole(id, v1::ROLE_TELLER) ||
          std::find(meeting_tellers.begin(), meeting_tellers.end(), id) == meeting_tellers.end()) {
        return Fail(kCheckCeremony, e.seq(), "'" + id + "' is not a teller of the meeting");
      }
    }
    auto r = crypto::CeremonyRecord::Begin(v_.entry(0).hash(), st, v_.meeting().tellers().demo_single_teller());
    if (!r.ok()) return Fail(kCheckCeremony, e.seq(), r.status());
    ceremony_.emplace(std::move(r).value());
    Count(kCheckCeremony);
    return true;
  }
  if (body.has_ceremony_done()) {
    if (!ceremony_) return Fail(kCheckCeremony, e.seq(), "the key is fixed with no ceremony");
    if (v_.key_ready()) return Fail(kCheckCeremony, e.seq(), "the key is fixed twice");
    Status s = ceremony_->VerifyDone(body.ceremony_done());
    if (!s.ok()) return Fail(kCheckCeremony, e.seq(), s);
    auto key = crypto::Point::Decode(body.ceremony_done().joint_key());
    if (!key.ok()) return Fail(kCheckCeremony, e.seq(), key.status());
    auto table = crypto::FixedBase::Create(*key);
    if (!table.ok()) return Fail(kCheckCeremony, e.seq(), table.status());
    joint_key_ = std::make_shared<const crypto::FixedBase>(std::move(table).value());
    Count(kCheckCeremony);
    return true;
  }
  if (!RequireRole(e, pid, v1::ROLE_TELLER, "post key ceremony messages")) return false;
  if (!ceremony_) return Fail(kCheckCeremony, e.seq(), "a ceremony message with no ceremony started");
  if (v_.key_ready()) return Fail(kCheckCeremony, e.seq(), "a ceremony message after the key was fixed");
  const uint32_t index = record::TellerIndex(v_, pid);
  Status s = ceremony_->Add(index, body);
  if (!s.ok()) return Fail(kCheckCeremony, e.seq(), s);
  Count(kCheckCeremony);
  return true;
}

bool Verifier::JudgeOpen(const v1::BoardEntry& e, const v1::Open& o) {
  const v1::BallotSpec* spec = v_.Spec(o.ballot_id());
  if (!spec) return Fail(kCheckRoles, e.seq(), "no ballot '" + o.ballot_id() + "' in the meeting");
  if (!v_.key_ready()) return Fail(kCheckRoles, e.seq(), "a ballot opened before the key was fixed");
  if (o.ceremony_done() != v_.ceremony().done_entry) {
    return Fail(kCheckRoles, e.seq(), "the open names another key than the one in force");
  }
  if (v_.OpenRun(o.ballot_id())) return Fail(kCheckRoles, e.seq(), "ballot '" + o.ballot_id() + "' was already open");
  const Run* latest = v_.LatestRun(o.ballot_id());
  if (o.previous_run().empty()) {
    if (latest && !latest->cancelled) return Fail(kCheckRoles, e.seq(), "ballot '" + o.ballot_id() + "' ran already");
    if (o.round() > 1) return Fail(kCheckRoles, e.seq(), "round > 1 without the previous run");
  } else {
    const Run* prev = v_.FindRun(o.previous_run());
    if (!prev || prev->ballot_id != o.ballot_id() || prev != latest || prev->result_entry.empty() ||
        o.round() != prev->round + 1 || o.candidate_ids().empty()) {
      return Fail(kCheckRoles, e.seq(), "a second round that does not follow the latest run's result");
    }
  }
  for (const auto& c : o.candidate_ids()) {
    if (std::none_of(spec->candidates().begin(), spec->candidates().end(),
                     [&](const v1::Candidate& x) { return x.id() == c; })) {
      return Fail(kCheckRoles, e.seq(), "no candidate '" + c + "' on ballot '" + o.ballot_id() + "'");
    }
  }
  uint64_t present_votes = 0;
  for (const auto& [unit, att] : v_.check_ins()) {
    if (att.remote && v_.meeting().remote_not_present()) continue;
    present_votes += v_.Weight(unit);
  }
  for (const auto& [unit, proxy] : v_.proxies()) {
    if (proxy.accepted && !v_.check_ins().count(unit)) present_votes += v_.Weight(unit);
  }
  Status s = rules::CheckQuorum(v_.meeting(), present_votes);
  if (!s.ok()) return Fail(kCheckRoles, e.seq(), s);
  return true;
}

const Run* Verifier::OpenRunById(const v1::BoardEntry& e, const std::string& run_id) {
  const Run* run = v_.FindRun(run_id);
  if (!run) {
    Fail(kCheckRoles, e.seq(), "no run " + run_id);
    return nullptr;
  }
  if (run->closed || run->cancelled) {
    Fail(kCheckRoles, e.seq(), "run of '" + run->ballot_id + "' was not open");
    return nullptr;
  }
  return run;
}

bool Verifier::JudgeBallot(const v1::BoardEntry& e, const v1::EncryptedBallot& b, const std::string& pid,
                           const crypto::PublicKey* key, bool spoiled) {
  const Run* run = OpenRunById(e, b.run_id());
  if (!run) return false;
  auto caster = record::CasterFor(v_, *run, b.unit_id());
  if (!caster.ok()) return Fail(kCheckRoles, e.seq(), caster.status());
  if (*caster != pid) return Fail(kCheckRoles, e.seq(), pid + " may not cast the ballot of '" + b.unit_id() + "'");
  auto att = run->present_at_open.find(b.unit_id());
  if (att != run->present_at_open.end() && !att->second.by_chair && att->second.author_pin != e.signed_().author()) {
    Note(e.seq(), "ballot", "the ballot of '" + b.unit_id() + "' is signed by another pin than the one its check-in confirmed");
  }
  const std::string code = Hex(crypto::TrackingCode(b));
  if (spoiled) {
    if (run->ballots.count(b.unit_id())) {
      return Fail(kCheckSpoiled, e.seq(), "a spoil after '" + b.unit_id() + "' had cast its ballot");
    }
    if (ballot_codes_.count(code)) return Fail(kCheckSpoiled, e.seq(), "spoils a ballot that was cast");
    if (auto twice = spoiled_codes_.find(code); twice != spoiled_codes_.end()) {
      return Fail(kCheckSpoiled, e.seq(), "an encryption revealed twice (first at entry " +
                                              std::to_string(twice->second) + ")");
    }
    if (++spoil_counts_[{run->run_id, b.unit_id()}] > record::kMaxSpoilsPerUnit) {
      return Fail(kCheckSpoiled, e.seq(), "more than " + std::to_string(record::kMaxSpoilsPerUnit) +
                                              " spoiled ballots of '" + b.unit_id() + "' in the run");
    }
    spoiled_codes_.emplace(code, e.seq());
    Note(e.seq(), "spoiled ballot", "unit '" + b.unit_id() + "' spoiled a ballot of '" + run->ballot_id +
                                         "' (tracking code " + code.substr(0, 16) + "…)");
  } else {
    auto prior = run->ballots.find(b.unit_id());
    if (prior != run->ballots.end()) {
      return Fail(kCheckOnePerUnit, e.seq(), "a second ballot for '" + b.unit_id() + "' in the run of '" +
                                                 run->ballot_id + "' (the first is entry " +
                                                 std::to_string(prior->second.seq) + ")");
    }
    auto sp = spoiled_codes_.find(code);
    if (sp != spoiled_codes_.end()) {
      return Fail(kCheckSpoiled, e.seq(), "a spoiled ballot (entry " + std::to_string(sp->second) +
                                              ") is cast and counted; its encryption was revealed");
    }
    if (run->paper_units.count(b.unit_id())) {
      return Fail(kCheckPaper, e.seq(), "unit '" + b.unit_id() + "' voted on paper in this run");
    }
    ballot_codes_.emplace(code, e.seq());
    Count(kCheckOnePerUnit);
  }
  auto& ctx = run_contexts_[run->run_id];
  if (!ctx) {
    auto c = record::RunContext(v_, *run);
    if (!c.ok()) return Fail(kCheckBallots, e.seq(), c.status());
    ctx = std::make_shared<const std::string>(std::move(c).value());
  }
  auto layout = record::VoterLayoutFor(v_, *run, b.unit_id());
  if (!layout.ok()) return Fail(kCheckBallots, e.seq(), layout.status());
  jobs_.push_back(Job{e.seq(), key, ctx, joint_key_, std::move(layout).value(), spoiled});
  return true;
}

bool Verifier::JudgePaperBatch(const v1::BoardEntry& e, const v1::PaperBatch& p, const std::string& pid) {
  const uint32_t author = record::TellerIndex(v_, pid);
  if (author == 0 || !v_.HasRole(pid, v1::ROLE_TELLER)) {
    return Fail(kCheckRoles, e.seq(), "only a teller of the ceremony in force may post a paper batch");
  }
  const Run* run = OpenRunById(e, p.run_id());
  if (!run) return false;
  // The contents by the shared rule (docs/protocol.md "Paper batches"): the
  // batch is not on the board yet, so no unit may be in any batch of the run.
  Status s = record::CheckPaperBatch(v_, *run, p, /*batch_id=*/"");
  if (!s.ok()) return Fail(kCheckPaper, e.seq(), s);
  uint64_t weights = 0;
  for (const auto& u : p.unit_ids()) weights += v_.Weight(u);
  Count(kCheckPaper);
  Note(e.seq(), "paper batch", std::to_string(p.unit_ids_size()) + " unit(s) voted on paper in '" + run->ballot_id +
                                   "' (" + std::to_string(weights) + " votes), posted by teller " + std::to_string(author));
  return true;
}

bool Verifier::JudgeTally(const v1::BoardEntry& e, const v1::Tally& t) {
  const Run* run = v_.FindRun(t.run_id());
  if (!run) return Fail(kCheckTallies, e.seq(), "tally of no run");
  if (!run->closed || run->cancelled) return Fail(kCheckTallies, e.seq(), "a tally of a run that is not closed");
  if (!run->tally_entry.empty()) return Fail(kCheckTallies, e.seq(), "a second tally of the run");
  std::vector<std::pair<uint64_t, std::string>> ballots;
  for (const auto& [unit, ref] : run->ballots) ballots.emplace_back(ref.seq, unit);
  std::sort(ballots.begin(), ballots.end());
  if (static_cast<size_t>(t.ballot_entries_size()) != ballots.size()) {
    return Fail(kCheckTallies, e.seq(), "the tally lists " + std::to_string(t.ballot_entries_size()) +
                                            " ballots; the run has " + std::to_string(ballots.size()));
  }
  // The paper batches the result adds: exactly those with t teller
  // signatures while the run was open, in chain order.
  const std::vector<std::string> counted = record::CountedPaperBatches(*run);
  if (std::vector<std::string>(t.paper_batches().begin(), t.paper_batches().end()) != counted) {
    return Fail(kCheckTallies, e.seq(), "the tally lists " + std::to_string(t.paper_batches_size()) +
                                            " paper batch(es); the run has " + std::to_string(counted.size()) +
                                            " counted ones (t teller signatures while open), in chain order");
  }
  auto agg = record::RunAggregate::Create(v_, *run);
  if (!agg.ok()) return Fail(kCheckTallies, e.seq(), agg.status());
  for (size_t i = 0; i < ballots.size(); ++i) {
    const auto& [seq, unit] = ballots[i];
    if (t.ballot_entries(static_cast<int>(i)) != record::EntryId(v_.entry(seq))) {
      return Fail(kCheckTallies, e.seq(), "the tally's ballot " + std::to_string(i) + " is not the run's ballot at entry " +
                                              std::to_string(seq));
    }
    Status s = agg->Add(v_.body(seq).ballot(), v_.Weight(unit));
    if (!s.ok()) return Fail(kCheckTallies, e.seq(), s);
  }
  auto totals = agg->ToProto();
  if (!totals.ok()) return Fail(kCheckTallies, e.seq(), totals.status());
  if (static_cast<size_t>(t.totals_size()) != totals->size()) {
    return Fail(kCheckTallies, e.seq(), "the tally has " + std::to_string(t.totals_size()) + " totals for " +
                                            std::to_string(totals->size()) + " cells");
  }
  for (int i = 0; i < t.totals_size(); ++i) {
    const v1::Ciphertext& mine = (*totals)[static_cast<size_t>(i)];
    if (mine.pad() != t.totals(i).pad() || mine.data() != t.totals(i).data()) {
      return Fail(kCheckTallies, e.seq(), "total " + std::to_string(i) + " is not the weighted sum of the listed ballots");
    }
  }
  Count(kCheckTallies);
  return true;
}

bool Verifier::JudgeShare(const v1::BoardEntry& e, const v1::DecryptionShare& d, const std::string& pid) {
  if (!RequireRole(e, pid, v1::ROLE_TELLER, "post decryption shares")) return false;
  const Run* run = v_.FindRun(d.run_id());
  if (!run || run->cancelled) return Fail(kCheckRoles, e.seq(), "a decryption share of no live run");
  if (run->tally_entry.empty() || d.tally_entry() != run->tally_entry) {
    return Fail(kCheckRoles, e.seq(), "the share is not for this run's tally");
  }
  if (!run->result_entry.empty()) return Fail(kCheckRoles, e.seq(), "a share after the run's result");
  const uint32_t idx = record::TellerIndex(v_, pid);
  if (idx == 0 || idx != d.index()) return Fail(kCheckRoles, e.seq(), "teller index does not match the author");
  if (run->decryption_shares.count(idx)) return Fail(kCheckShares, e.seq(), "teller " + std::to_string(idx) + "'s second share");
  const v1::Tally& tally = v_.body(run->tally_seq).tally();
  if (d.partials_size() != tally.totals_size()) {
    return Fail(kCheckShares, e.seq(), std::to_string(d.partials_size()) + " partials for " +
                                           std::to_string(tally.totals_size()) + " totals");
  }
  if (!ceremony_) return Fail(kCheckShares, e.seq(), "a share with no key ceremony");
  auto public_share = ceremony_->PublicShare(idx);
  if (!public_share.ok()) return Fail(kCheckShares, e.seq(), public_share.status());
  const std::string ctx = record::DecryptionContext(v_, *run);
  for (int i = 0; i < d.partials_size(); ++i) {
    auto ct = crypto::FromProto(tally.totals(i));
    if (!ct.ok()) return Fail(kCheckShares, e.seq(), ct.status());
    Status s = crypto::VerifyPartial(ctx, *public_share, *ct, d.partials(i));
    if (!s.ok()) {
      return Fail(kCheckShares, e.seq(), s.Annotate("teller " + std::to_string(idx) + ", total " + std::to_string(i)));
    }
  }
  Count(kCheckShares);
  return true;
}

bool Verifier::JudgeResult(const v1::BoardEntry& e, const v1::Result& r) {
  const Run* run = v_.FindRun(r.run_id());
  if (!run || run->cancelled) return Fail(kCheckResults, e.seq(), "a result of no live run");
  if (!run->result_entry.empty()) return Fail(kCheckResults, e.seq(), "a second result of the run");
  if (run->tally_entry.empty() || r.tally_entry() != run->tally_entry) {
    return Fail(kCheckResults, e.seq(), "the result is not of the run's tally");
  }
  if (r.chain_head() != Hex(v_.entries().back().hash())) {
    return Fail(kCheckResults, e.seq(), "the result names chain head " + r.chain_head() +
                                            ", not the head it was appended to");
  }
  std::vector<uint32_t> indices(r.tellers().begin(), r.tellers().end());
  std::set<uint32_t> distinct(indices.begin(), indices.end());
  if (distinct.size() != indices.size() || indices.size() < v_.ceremony().threshold) {
    return Fail(kCheckResults, e.seq(), "the result combines " + std::to_string(distinct.size()) +
                                            " distinct tellers' shares; t = " + std::to_string(v_.ceremony().threshold));
  }
  // Each share's partials were verified when it was replayed; the paper
  // batches added are the tally's list, checked against the counted ones.
  auto totals = record::ResultTotals(v_, *run, indices, /*verify_partials=*/false);
  if (!totals.ok()) return Fail(kCheckResults, e.seq(), totals.status());
  if (std::vector<uint64_t>(r.totals().begin(), r.totals().end()) != *totals) {
    return Fail(kCheckResults, e.seq(), "the result's totals are not the decryption of the tally plus its paper batches");
  }
  auto counts = record::CountsFor(v_, *run);
  if (!counts.ok()) return Fail(kCheckResults, e.seq(), counts.status());
  auto outcome = rules::ComputeOutcome(v_.meeting(), *v_.Spec(run->ballot_id), run->candidates, *totals, *counts);
  if (!outcome.ok()) return Fail(kCheckResults, e.seq(), outcome.status());
  v1::Outcome claimed;
  if (!claimed.ParseFromString(r.outcome()) ||
      !google::protobuf::util::MessageDifferencer::Equals(*outcome, claimed)) {
    return Fail(kCheckResults, e.seq(), "the result's outcome does not follow from the totals by the rules");
  }
  Count(kCheckResults);
  return true;
}

// Everything the server judged before appending `e`, against the board as it
// stood just before `e` (v_ does not hold `e` yet).
bool Verifier::Judge(const v1::BoardEntry& e, const v1::EntryBody& body) {
  const uint64_t seq = e.seq();
  if (body.meeting_id() != v_.meeting().id()) return Fail(kCheckRoles, seq, "an entry for another meeting");
  if (v_.meeting_closed()) return Fail(kCheckRoles, seq, "an entry after the meeting closed");
  if (body.has_genesis()) return Fail(kCheckRoles, seq, "a second genesis");
  const crypto::PublicKey* key = nullptr;
  if (!JudgeSignature(e, body, &key)) return false;
  const record::RosterPerson* person = v_.PersonByPin(e.signed_().author());
  const std::string pid = person ? person->participant_id : e.signed_().author();

  switch (body.payload_case()) {
    case v1::EntryBody::kGenesis:
    case v1::EntryBody::PAYLOAD_NOT_SET:
      return Fail(kCheckRoles, seq, "an entry with no payload");
    case v1::EntryBody::kRosterChange:
      if (!JudgeRosterChange(e, body.roster_change())) return false;
      break;
    case v1::EntryBody::kCheckIn: {
      const auto& c = body.check_in();
      if (!v_.Unit(c.unit_id())) return Fail(kCheckCheckIns, seq, "no unit '" + c.unit_id() + "'");
      if (c.by_chair()) {
        if (!RequireRole(e, pid, v1::ROLE_CHAIR, "check in a delegate without a laptop")) return false;
        Note(seq, "check-in by the chair", "unit '" + c.unit_id() + "' was checked in by the chair");
      } else {
        if (v_.DelegateOf(c.unit_id()) != pid) {
          return Fail(kCheckCheckIns, seq, pid + " is not the delegate of '" + c.unit_id() + "'");
        }
        if (c.own_pin() != e.signed_().author()) {
          return Fail(kCheckCheckIns, seq, "the check-in of '" + c.unit_id() + "' confirms another pin than its author's");
        }
      }
      if (v_.check_ins().count(c.unit_id())) return Fail(kCheckCheckIns, seq, "'" + c.unit_id() + "' checked in twice");
      Count(kCheckCheckIns);
      break;
    }
    case v1::EntryBody::kProxy: {
      if (!RequireRole(e, pid, v1::ROLE_CHAIR, "record a proxy")) return false;
      const auto& p = body.proxy();
      if (!v_.Unit(p.absent_unit_id())) return Fail(kCheckCheckIns, seq, "no unit '" + p.absent_unit_id() + "'");
      if (v_.check_ins().count(p.absent_unit_id())) {
        return Fail(kCheckCheckIns, seq, "a proxy for '" + p.absent_unit_id() + "', which is present");
      }
      if (!v_.HasRole(p.holder_id(), v1::ROLE_DELEGATE)) {
        return Fail(kCheckCheckIns, seq, "proxy holder '" + p.holder_id() + "' is not a delegate");
      }
      if (v_.proxies().count(p.absent_unit_id())) {
        return Fail(kCheckCheckIns, seq, "a second proxy for '" + p.absent_unit_id() + "'");
      }
      Count(kCheckCheckIns);
      Note(seq, "proxy", "unit '" + p.absent_unit_id() + "' is carried by " + p.holder_id());
      break;
    }
    case v1::EntryBody::kProxyAcceptance: {
      // The same rule as the server's (MeetingService::Post), judged again here
      // on purpose: the verifier does not call the server's acceptance code and
      // shares only the crypto core's primitives and the board's read model
      // (issue 5), so one bug cannot be in both the judge and the judged.
      const auto& a = body.proxy_acceptance();
      auto it = v_.proxies().find(a.absent_unit_id());
      if (it == v_.proxies().end() || it->second.entry_id != a.proxy_entry_hash()) {
        return Fail(kCheckCheckIns, seq, "accepts no proxy on the board");
      }
      if (it->second.holder_id != pid) return Fail(kCheckCheckIns, seq, "the proxy names another holder than " + pid);
      if (it->second.accepted) return Fail(kCheckCheckIns, seq, "the proxy was accepted twice");
      Count(kCheckCheckIns);
      Note(seq, "proxy", it->second.holder_id + " accepted to carry '" + a.absent_unit_id() + "'");
      break;
    }
    // The ceremony's kinds, listed again rather than taken from
    // server/ceremony_acceptance (IsCeremonyMessage): the verifier never links
    // server code. The ceremony's rules themselves are the crypto core's
    // (CeremonyRecord), shared by both.
    case v1::EntryBody::kCeremonyStart:
    case v1::EntryBody::kCeremonyCommit:
    case v1::EntryBody::kCeremonyReveal:
    case v1::EntryBody::kCeremonyShares:
    case v1::EntryBody::kCeremonyComplaint:
    case v1::EntryBody::kCeremonyComplaintAnswer:
    case v1::EntryBody::kCeremonyTestDecryption:
    case v1::EntryBody::kCeremonyDone:
      if (!JudgeCeremony(e, body, pid)) return false;
      break;
    case v1::EntryBody::kOpen:
      if (!RequireRole(e, pid, v1::ROLE_CHAIR, "open a ballot") || !JudgeOpen(e, body.open())) return false;
      break;
    case v1::EntryBody::kClose: {
      if (!RequireRole(e, pid, v1::ROLE_CHAIR, "close a ballot")) return false;
      const Run* run = OpenRunById(e, body.close().run_id());
      if (!run) return false;
      for (const auto& [id, batch] : run->paper_batches) {
        if (!batch.counted) {
          return Fail(kCheckPaper, seq, "closed while the paper batch at entry " + std::to_string(batch.seq) +
                                            " has " + std::to_string(batch.signers) + " of " +
                                            std::to_string(v_.ceremony().threshold) + " teller signatures");
        }
      }
      break;
    }
    case v1::EntryBody::kCancel: {
      if (!RequireRole(e, pid, v1::ROLE_CHAIR, "cancel a ballot")) return false;
      const Run* run = v_.FindRun(body.cancel().run_id());
      if (!run || run->cancelled || !run->result_entry.empty()) {
        return Fail(kCheckRoles, seq, "cancels a run that is not open or closed without a result");
      }
      break;
    }
    case v1::EntryBody::kBallot:
      if (!JudgeBallot(e, body.ballot(), pid, key, false)) return false;
      break;
    case v1::EntryBody::kSpoiled:
      if (!JudgeBallot(e, body.spoiled().ballot(), pid, key, true)) return false;
      break;
    case v1::EntryBody::kPaperBatch:
      if (!JudgePaperBatch(e, body.paper_batch(), pid)) return false;
      break;
    case v1::EntryBody::kPaperBatchSignature: {
      const uint32_t idx = record::TellerIndex(v_, pid);
      if (idx == 0 || !v_.HasRole(pid, v1::ROLE_TELLER)) {
        return Fail(kCheckRoles, seq, "only a teller of the ceremony in force may sign a paper batch");
      }
      const std::string& batch_id = body.paper_batch_signature().batch_entry_hash();
      std::optional<uint64_t> batch_seq = v_.FindEntry(batch_id);
      if (!batch_seq || !v_.body(*batch_seq).has_paper_batch()) {
        return Fail(kCheckPaper, seq, "signs no paper batch on the board");
      }
      const Run* run = OpenRunById(e, v_.body(*batch_seq).paper_batch().run_id());
      if (!run) return false;
      auto ref = run->paper_batches.find(batch_id);
      if (ref == run->paper_batches.end()) return Fail(kCheckPaper, seq, "signs no paper batch of its run");
      const record::PaperBatchRef& batch = ref->second;
      if (idx == batch.author) return Fail(kCheckPaper, seq, "teller " + std::to_string(idx) + " co-signs its own batch");
      if (batch.cosigners.count(idx)) {
        return Fail(kCheckPaper, seq, "teller " + std::to_string(idx) + " signs the batch twice");
      }
      Count(kCheckPaper);
      break;
    }
    case v1::EntryBody::kTally:
      if (!JudgeTally(e, body.tally())) return false;
      break;
    case v1::EntryBody::kDecryptionShare:
      if (!JudgeShare(e, body.decryption_share(), pid)) return false;
      break;
    case v1::EntryBody::kResult:
      if (!JudgeResult(e, body.result())) return false;
      break;
    case v1::EntryBody::kResultCosign: {
      if (!RequireRole(e, pid, v1::ROLE_TELLER, "co-sign a result")) return false;
      auto found = v_.FindEntry(body.result_cosign().result_entry());
      if (!found || !v_.body(*found).has_result()) return Fail(kCheckCosign, seq, "co-signs no result");
      const Run* run = v_.FindRun(v_.body(*found).result().run_id());
      const uint32_t idx = record::TellerIndex(v_, pid);
      if (idx == 0) return Fail(kCheckCosign, seq, pid + " is not a teller of the ceremony in force");
      if (run && run->cosigned.count(idx)) return Fail(kCheckCosign, seq, "teller " + std::to_string(idx) + " co-signs twice");
      break;
    }
    case v1::EntryBody::kShareDestroyed:
      if (!RequireRole(e, pid, v1::ROLE_TELLER, "record a destroyed share")) return false;
      if (body.share_destroyed().index() != record::TellerIndex(v_, pid)) {
        return Fail(kCheckRoles, seq, "teller index does not match the author");
      }
      break;
    case v1::EntryBody::kMeetingClosed:
      if (!RequireRole(e, pid, v1::ROLE_CHAIR, "close the meeting")) return false;
      for (const Run* run : v_.RunsInOrder()) {
        if (!run->cancelled && run->result_entry.empty()) {
          return Fail(kCheckRoles, seq, "the meeting closed while '" + run->ballot_id + "' had no result");
        }
      }
      break;
  }
  Count(kCheckRoles);
  return true;
}

void Verifier::RunJobs() {
  const uint64_t limit = found_.empty() ? UINT64_MAX : found_.front().seq;
  std::vector<const Job*> jobs;
  for (const Job& j : jobs_) {
    if (j.seq < limit) jobs.push_back(&j);
  }
  if (jobs.empty()) return;
  unsigned threads = opt_.threads;
  if (threads == 0) threads = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  threads = static_cast<unsigned>(std::min<size_t>(threads, jobs.size()));

  std::vector<Found> results(jobs.size());
  std::vector<char> failed(jobs.size(), 0);
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::atomic<size_t> first_failure{SIZE_MAX};
  auto work = [&] {
    for (;;) {
      const size_t i = next.fetch_add(1);
      if (i >= jobs.size()) return;
      // Jobs after a known failure need no checking: the first one wins.
      if (i > first_failure.load()) {
        done.fetch_add(1);
        continue;
      }
      const Job& j = *jobs[i];
      const v1::BoardEntry& e = v_.entry(j.seq);
      const v1::EntryBody& body = v_.body(j.seq);
      Found f{kCheckSignatures, j.seq, Status::Ok()};
      f.status = j.key->Verify(crypto::kEntryDomain, e.signed_().body(), e.signed_().signature());
      if (f.status.ok()) {
        if (j.spoiled) {
          f.check = kCheckSpoiled;
          f.status = crypto::VerifySpoiled(*j.run_context, j.joint_key->base(), j.layout, body.spoiled());
          if (f.status.ok()) {
            const std::vector<uint32_t> choices(body.spoiled().choices().begin(), body.spoiled().choices().end());
            f.status = rules::CheckMarks(j.layout, choices).Annotate("spoiled: revealed choices");
          }
        } else {
          f.check = kCheckBallots;
          f.status = crypto::VerifyBallot(*j.run_context, *j.joint_key, j.layout, body.ballot())
                         .Annotate("ballot of '" + body.ballot().unit_id() + "'");
        }
      } else {
        f.status = f.status.Annotate("ballot signature");
      }
      if (!f.status.ok()) {
        failed[i] = 1;
        results[i] = std::move(f);
        size_t cur = first_failure.load();
        while (i < cur && !first_failure.compare_exchange_weak(cur, i)) {
        }
      }
      done.fetch_add(1);
    }
  };
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  const bool poll = opt_.progress && jobs.size() > 64;
  // With a progress callback the calling thread reports while `threads`
  // workers run; without one it is one of the workers.
  for (unsigned t = poll ? 0 : 1; t < threads; ++t) pool.emplace_back(work);
  if (poll) {
    while (done.load() < jobs.size()) {
      Progress("ballot proofs", done.load(), jobs.size());
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  } else {
    work();
  }
  for (auto& t : pool) t.join();
  Progress("ballot proofs", jobs.size(), jobs.size());
  report_.proof_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  for (size_t i = 0; i < jobs.size(); ++i) {
    if (failed[i]) {
      found_.push_back(std::move(results[i]));
      return;
    }
    if (jobs[i]->spoiled) {
      Count(kCheckSpoiled);
    } else {
      Count(kCheckBallots);
      ++report_.ballots_verified;
    }
    Count(kCheckSignatures);
  }
}

void Verifier::CheckCosignatures() {
  for (const Run* run : v_.RunsInOrder()) {
    if (run->result_entry.empty()) continue;
    if (run->cosigned.size() < v_.ceremony().threshold) {
      Fail(kCheckCosign, run->result_seq, "the result of '" + run->ballot_id + "' is co-signed by " +
                                               std::to_string(run->cosigned.size()) + " tellers; t = " +
                                               std::to_string(v_.ceremony().threshold));
      return;
    }
    Count(kCheckCosign);
  }
}

void Verifier::CheckReceipts() {
  for (const v1::SignedReceipt& sr : opt_.receipts) {
    v1::Receipt r;
    if (!r.ParseFromString(sr.receipt())) {
      Fail(kCheckReceipts, 0, "a receipt does not parse");
      continue;
    }
    Status s = server_key_->Verify(crypto::kReceiptDomain, sr.receipt(), sr.signature());
    const std::string who = "receipt of '" + r.unit_id() + "' (entry " + std::to_string(r.seq()) + ")";
    if (!s.ok()) {
      Fail(kCheckReceipts, r.seq(), s.Annotate(who + ": not signed by the server key of the genesis"));
      continue;
    }
    if (r.meeting_id() != report_.meeting_id) {
      Fail(kCheckReceipts, r.seq(), who + " is for another meeting");
      continue;
    }
    if (r.seq() >= static_cast<uint64_t>(rec_.entries_size()) || rec_.entries(static_cast<int>(r.seq())).hash() != r.entry_hash()) {
      Fail(kCheckReceipts, r.seq(), who + ": the record does not hold that ballot at that position (dropped, or the chain forked)");
      continue;
    }
    v1::EntryBody body;
    if (!body.ParseFromString(rec_.entries(static_cast<int>(r.seq())).signed_().body()) || !body.has_ballot() ||
        body.ballot().run_id() != r.run_id() || body.ballot().unit_id() != r.unit_id() ||
        Hex(crypto::TrackingCode(body.ballot())) != r.tracking_code()) {
      Fail(kCheckReceipts, r.seq(), who + ": the entry at that position is not the receipted ballot");
      continue;
    }
    // Counted: listed in its run's tally, when the replay reached one.
    const Run* run = v_.FindRun(r.run_id());
    if (run && !run->tally_entry.empty()) {
      const auto& listed = v_.body(run->tally_seq).tally().ballot_entries();
      if (std::find(listed.begin(), listed.end(), Hex(r.entry_hash())) == listed.end()) {
        Fail(kCheckReceipts, r.seq(), who + ": the ballot is not counted in its run's tally");
        continue;
      }
    }
    Count(kCheckReceipts);
  }
}

VerifyReport Verifier::Execute() {
  if (!CheckChain() || !CheckGenesis()) {
    // Nothing after a broken chain or a foreign genesis can be trusted.
  } else {
    const uint64_t n = static_cast<uint64_t>(rec_.entries_size());
    for (uint64_t seq = 1; seq < n; ++seq) {
      const v1::BoardEntry& e = rec_.entries(static_cast<int>(seq));
      v1::EntryBody body;
      if (!body.ParseFromString(e.signed_().body())) {
        // Whose bytes are these? A body altered after signing fails its
        // signature; a signed body that does not parse was never acceptable.
        Status s = record::VerifyEntrySignature(v_, e);
        if (!s.ok()) Fail(kCheckSignatures, seq, s);
        else Fail(kCheckRoles, seq, "the entry's body does not parse");
        break;
      }
      if (e.server_time_ms() < rec_.entries(static_cast<int>(seq - 1)).server_time_ms()) {
        // The server's clock went back (or entries were back-dated): times
        // decide certificate validity, so the reader should know.
        Note(seq, "time", "stamped " + std::to_string(rec_.entries(static_cast<int>(seq - 1)).server_time_ms() -
                                                      e.server_time_ms()) +
                              " ms earlier than the entry before it");
      }
      if (!Judge(e, body)) break;
      Status s = v_.Apply(e);
      if (!s.ok()) {
        Fail(kCheckRoles, seq, s);
        break;
      }
      if (seq % 512 == 0) Progress("entries", seq, n);
    }
    Progress("entries", n, n);
    RunJobs();
    if (found_.empty()) CheckCosignatures();
    CheckReceipts();
  }
  if (!found_.empty()) {
    auto first = std::min_element(found_.begin(), found_.end(),
                                  [](const Found& a, const Found& b) { return a.seq < b.seq; });
    Failure f;
    f.check = std::string(first->check);
    f.seq = first->seq;
    f.message = first->status.message();
    if (f.seq < static_cast<uint64_t>(rec_.entries_size())) {
      v1::EntryBody body;
      f.kind = body.ParseFromString(rec_.entries(static_cast<int>(f.seq)).signed_().body())
                   ? record::PayloadKind(body)
                   : "unparsable";
    }
    for (auto& c : report_.checks) {
      if (c.name == f.check) c.ok = false;
    }
    report_.failure = std::move(f);
  }
  return std::move(report_);
}

std::string CellLabel(const v1::BallotSpec& spec, const v1::Cell& cell) {
  std::string name = cell.candidate_id();
  for (const auto& c : spec.candidates()) {
    if (c.id() == cell.candidate_id()) name = c.name();
  }
  if (cell.candidate_id().empty()) return cell.option().empty() ? "blank" : cell.option();
  if (cell.rank() > 0) return name + ": rank " + std::to_string(cell.rank());
  if (!cell.option().empty()) return name + ": " + cell.option();
  return name;
}

}  // namespace

const CheckLine* VerifyReport::Find(std::string_view name) const {
  for (const auto& c : checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

VerifyReport Verify(const v1::ElectionRecord& record, const crypto::Certificate& ca, const VerifyOptions& options) {
  return Verifier(record, ca, options).Execute();
}

Result<std::vector<SpoiledOpening>> OpenSpoiled(const v1::ElectionRecord& record, const std::string& code,
                                                const crypto::Certificate* ca) {
  RETURN_IF_ERROR(record::VerifyChain(record.entries()));
  BoardView v;
  for (const auto& e : record.entries()) RETURN_IF_ERROR(v.Apply(e));
  if (!v.has_genesis()) return NotFound("the record is empty");
  if (ca) {
    if (v.genesis().ca_certificate() != ca->Der()) {
      return VerificationFailed("the record's genesis names another meeting CA than the one given");
    }
    RETURN_IF_ERROR(record::VerifyEntrySignature(v, v.entry(0)).Annotate("the genesis"));
  }
  std::vector<SpoiledOpening> out;
  for (const Run* run : v.RunsInOrder()) {
    for (uint64_t seq : run->spoiled_seqs) {
      const v1::SpoiledBallot& sp = v.body(seq).spoiled();
      SpoiledOpening o;
      o.seq = seq;
      o.ballot_id = run->ballot_id;
      o.run_id = run->run_id;
      o.unit_id = sp.ballot().unit_id();
      o.tracking_code = Hex(crypto::TrackingCode(sp.ballot()));
      if (!code.empty() && o.tracking_code.rfind(code, 0) != 0) continue;
      auto ctx = record::RunContext(v, *run);
      auto key = record::JointKey(v);
      auto layout = record::VoterLayoutFor(v, *run, o.unit_id);
      if (!ctx.ok()) o.status = ctx.status();
      else if (!key.ok()) o.status = key.status();
      else if (!layout.ok()) o.status = layout.status();
      else o.status = crypto::VerifySpoiled(*ctx, *key, *layout, sp);
      if (o.status.ok()) {
        for (int i = 0; i < layout->cells_size() && i < sp.choices_size(); ++i) {
          if (sp.choices(i) == 1) o.marked.push_back(CellLabel(*v.Spec(run->ballot_id), layout->cells(i)));
        }
      }
      out.push_back(std::move(o));
    }
  }
  if (out.empty()) {
    return NotFound(code.empty() ? "the record holds no spoiled ballot"
                                 : "no spoiled ballot with tracking code " + code);
  }
  return out;
}

}  // namespace phieu::verify

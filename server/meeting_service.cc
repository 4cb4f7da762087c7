#include "server/meeting_service.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/dlog.h"
#include "core/crypto/private_file.h"
#include "core/crypto/proofs.h"
#include "core/crypto/threshold.h"
#include "core/meeting/meeting_defaults.h"
#include "core/record/chain.h"
#include "core/record/entry_signature.h"
#include "core/record/run_support.h"
#include "core/rules/counts.h"
#include "core/rules/layout.h"
#include "core/rules/outcome.h"
#include "core/util/bytes.h"
#include "server/ceremony_acceptance.h"

namespace phieu::server {
namespace {

using record::BoardView;
using record::Run;

constexpr char kVersion[] = "phieu-server/0.1";

v1::ErrorCode CodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return v1::ERROR_BAD_REQUEST;
    case StatusCode::kPermissionDenied: return v1::ERROR_PERMISSION_DENIED;
    case StatusCode::kFailedPrecondition: return v1::ERROR_WRONG_PHASE;
    case StatusCode::kAlreadyExists: return v1::ERROR_ALREADY_VOTED;
    case StatusCode::kVerificationFailed: return v1::ERROR_VERIFICATION_FAILED;
    case StatusCode::kNotFound: return v1::ERROR_NOT_FOUND;
    case StatusCode::kResourceExhausted: return v1::ERROR_RATE_LIMITED;
    case StatusCode::kUnavailable: return v1::ERROR_UNAVAILABLE;
    default: return v1::ERROR_INTERNAL;
  }
}

v1::Envelope ErrorEnvelope(const Status& s, const std::string& tracking_code = "") {
  v1::Envelope e;
  e.mutable_error()->set_code(CodeFor(s));
  e.mutable_error()->set_message(s.message());
  if (!tracking_code.empty()) e.mutable_error()->set_tracking_code(tracking_code);
  return e;
}

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsRole(const BoardView& view, const std::string& participant_id, v1::Role role) {
  return view.HasRole(participant_id, role);
}

Status RequireRole(const BoardView& view, const std::string& participant_id, v1::Role role,
                   const std::string& what) {
  if (!IsRole(view, participant_id, role)) {
    return PermissionDenied("only the " +
                            std::string(role == v1::ROLE_CHAIR     ? "chair"
                                        : role == v1::ROLE_TELLER ? "tellers"
                                                                   : "delegates") +
                            " may " + what);
  }
  return Status::Ok();
}

// A unit whose delegate voted on paper in a run has no electronic ballot in it.
Status NotOnPaper(const Run& run, const std::string& unit_id) {
  if (run.paper_units.count(unit_id)) {
    return FailedPrecondition("unit '" + unit_id + "' voted on paper in this run");
  }
  return Status::Ok();
}

// The role an entry kind needs (checked before its signature); nullopt: any
// participant (check-in, proxy acceptance: their own rules follow), or checked
// elsewhere (a roster change: the chair carries it, the CA signs it).
struct RoleRule {
  v1::Role role;
  const char* what;
};

std::optional<RoleRule> RequiredRole(const v1::EntryBody& body) {
  if (IsCeremonyMessage(body)) return RoleRule{v1::ROLE_TELLER, "post key ceremony messages"};
  switch (body.payload_case()) {
    case v1::EntryBody::kProxy: return RoleRule{v1::ROLE_CHAIR, "record a proxy"};
    case v1::EntryBody::kCeremonyStart: return RoleRule{v1::ROLE_CHAIR, "start the key ceremony"};
    case v1::EntryBody::kOpen: return RoleRule{v1::ROLE_CHAIR, "open a ballot"};
    case v1::EntryBody::kClose: return RoleRule{v1::ROLE_CHAIR, "close a ballot"};
    case v1::EntryBody::kCancel: return RoleRule{v1::ROLE_CHAIR, "cancel a ballot"};
    case v1::EntryBody::kMeetingClosed: return RoleRule{v1::ROLE_CHAIR, "close the meeting"};
    case v1::EntryBody::kDecryptionShare: return RoleRule{v1::ROLE_TELLER, "post decryption shares"};
    case v1::EntryBody::kResultCosign: return RoleRule{v1::ROLE_TELLER, "co-sign a result"};
    case v1::EntryBody::kShareDestroyed: return RoleRule{v1::ROLE_TELLER, "record a destroyed share"};
    default: return std::nullopt;
  }
}

// Everything that can be said about a ballot without curve arithmetic:
// who, which run, which unit, duplicates. Runs under the state lock.
struct BallotPlan {
  std::string run_context;
  v1::BallotLayout layout;
};

// What a ballot of `unit` in `run` is checked against (outside the lock).
Result<BallotPlan> PlanFor(const BoardView& view, const Run& run, const std::string& unit) {
  BallotPlan plan;
  ASSIGN_OR_RETURN(plan.run_context, record::RunContext(view, run));
  ASSIGN_OR_RETURN(plan.layout, record::VoterLayoutFor(view, run, unit));
  return plan;
}

// At most this many spoiled ballots (Benaloh challenges) per unit per run.
using record::kMaxSpoilsPerUnit;

// Whether `unit` may still spoil an encryption with tracking code `code` in
// `run`: the run is open, the unit has not cast, and it is under the cap.
Status CheckSpoilAllowed(const BoardView& view, const Run& run, const std::string& unit,
                         const std::string& code) {
  if (run.cancelled) return FailedPrecondition("this ballot was cancelled");
  if (run.closed) return FailedPrecondition("this ballot is closed; an encryption is checked while it is open");
  auto cast = run.ballots.find(unit);
  if (cast != run.ballots.end()) {
    if (Hex(crypto::TrackingCode(view.body(cast->second.seq).ballot())) == code) {
      return FailedPrecondition("this ballot was cast; a cast ballot is never revealed");
    }
    return FailedPrecondition("unit '" + unit +
                              "' has already cast its ballot in this run; an encryption is checked before casting");
  }
  size_t spoiled = 0;
  for (uint64_t seq : run.spoiled_seqs) spoiled += view.body(seq).spoiled().ballot().unit_id() == unit;
  if (spoiled >= kMaxSpoilsPerUnit) {
    return FailedPrecondition("unit '" + unit + "' has already checked " + std::to_string(spoiled) +
                              " encryptions in this run, the most allowed; cast the ballot now");
  }
  return Status::Ok();
}

// A ballot whose encryption was revealed by a spoil is never counted.
Status CheckNotRevealed(const Run& run, const std::string& code) {
  auto spoiled = run.spoiled_codes.find(code);
  if (spoiled == run.spoiled_codes.end()) return Status::Ok();
  return FailedPrecondition("this encryption was revealed (spoiled ballot, entry " +
                            std::to_string(spoiled->second) + "); encrypt afresh");
}

}  // namespace

MeetingService::MeetingService(MeetingServiceOptions options,
                               std::unique_ptr<board::BoardStore> store,
                               crypto::PrivateKey signing_key)
    : options_(std::move(options)),
      store_(std::move(store)),
      signing_key_(std::move(signing_key)),
      limiter_(options_.post_rate),
      officer_limiter_(options_.officer_post_rate) {
  if (!options_.now_ms) options_.now_ms = SystemNowMs;
  committer_ = std::make_unique<board::GroupCommitter>(
      [this](std::vector<board::BoardStore::BatchItem> items) { return CommitBatch(std::move(items)); });
}

Result<std::unique_ptr<MeetingService>> MeetingService::Open(MeetingServiceOptions options,
                                                             const crypto::Certificate& ca,
                                                             crypto::PrivateKey signing_key,
                                                             const v1::SignedEntry* genesis) {
  // MakeDirs fsyncs the parent of each directory it creates: a new board
  // must not vanish with its directory at a power cut.
  RETURN_IF_ERROR(crypto::MakeDirs(options.data_dir).Annotate("cannot create data directory"));
  ASSIGN_OR_RETURN(std::unique_ptr<board::BoardStore> store,
                   board::BoardStore::Open(options.data_dir + "/board.sqlite", options.board_vfs));
  std::unique_ptr<MeetingService> svc(
      new MeetingService(std::move(options), std::move(store), std::move(signing_key)));

  // Replay the board into the view (a restart carries on where it stopped).
  for (uint64_t from = 0;;) {
    ASSIGN_OR_RETURN(std::vector<v1::BoardEntry> batch, svc->store_->Read(from, 1000));
    if (batch.empty()) break;
    for (const auto& e : batch) RETURN_IF_ERROR(svc->view_.Apply(e).Annotate("replaying the board"));
    from += batch.size();
  }

  if (svc->view_.has_genesis()) {
    if (genesis && genesis->body() != svc->view_.entry(0).signed_().body()) {
      return FailedPrecondition(
          "the data directory holds another meeting than the genesis given; use a new --data "
          "directory for a new meeting");
    }
  } else {
    if (!genesis) return FailedPrecondition("a new board needs the genesis entry (--genesis FILE)");
    v1::EntryBody body;
    if (!body.ParseFromString(genesis->body()) || !body.has_genesis()) {
      return InvalidArgument("the genesis file does not hold a genesis entry");
    }
    if (genesis->author() != "ca") return InvalidArgument("the genesis entry is not signed by the CA");
    if (body.genesis().ca_certificate() != ca.Der()) {
      return VerificationFailed("the genesis names another meeting CA than --ca");
    }
    ASSIGN_OR_RETURN(crypto::PublicKey ca_key, ca.Key());
    RETURN_IF_ERROR(ca_key.Verify(crypto::kEntryDomain, genesis->body(), genesis->signature())
                        .Annotate("genesis signature by the meeting CA"));
    ASSIGN_OR_RETURN(crypto::PublicKey server_pub, svc->signing_key_.Public());
    ASSIGN_OR_RETURN(std::string server_raw, server_pub.RawEd25519());
    if (server_raw != body.genesis().server_signing_key()) {
      return VerificationFailed("the genesis certifies another server signing key than --signing-key");
    }
    int64_t now_s = svc->options_.now_ms() / 1000;
    for (const auto& m : body.genesis().roster()) {
      ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromDer(m.certificate()));
      RETURN_IF_ERROR(cert.VerifyIssuedBy(ca, now_s).Annotate("roster certificate of " + m.participant_id()));
    }
    std::lock_guard<std::mutex> lock(svc->mu_);
    RETURN_IF_ERROR(svc->AppendLocked(*genesis, body, board::EntryIndex{"genesis", "", "", ""}).status());
  }
  for (const auto& p : svc->view_.meeting().participants()) {
    if (svc->view_.HasRole(p.id(), v1::ROLE_CHAIR) || svc->view_.HasRole(p.id(), v1::ROLE_TELLER)) {
      svc->officers_.insert(p.id());
    }
  }
  return svc;
}

void MeetingService::SetEventSink(EventSink* sink) {
  std::lock_guard<std::mutex> lock(mu_);
  sink_ = sink;
}

uint64_t MeetingService::chain_length() const {
  std::lock_guard<std::mutex> lock(mu_);
  return view_.length();
}

size_t MeetingService::running_aggregates() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_.size();
}

Result<v1::ElectionRecord> MeetingService::Export() const { return store_->Export(); }

Result<Identity> MeetingService::Authenticate(const std::string& pin, const std::string& cert_der) {
  std::lock_guard<std::mutex> lock(mu_);
  const record::RosterPerson* p = view_.PersonByPin(pin);
  if (!p) return PermissionDenied("certificate " + pin.substr(0, 16) + "... is not pinned by the roster");
  if (p->revoked) return PermissionDenied("certificate of " + p->participant_id + " was revoked");
  return Identity{pin, p->participant_id};
}

v1::Envelope MeetingService::Handle(const Identity& who, const v1::Envelope& request) {
  v1::Envelope out;
  switch (request.body_case()) {
    case v1::Envelope::kHello: {
      std::lock_guard<std::mutex> lock(mu_);
      auto* w = out.mutable_welcome();
      w->set_meeting_id(view_.meeting().id());
      w->set_participant_id(who.participant_id);
      w->set_chain_length(view_.length());
      w->set_chain_head(store_->Head());
      w->set_server_version(kVersion);
      break;
    }
    case v1::Envelope::kPost: {
      std::string stored_code;
      Result<v1::Posted> r = Post(who, request.post().entry(), &stored_code);
      if (!r.ok()) {
        out = ErrorEnvelope(r.status(), stored_code);
      } else {
        *out.mutable_posted() = std::move(r).value();
      }
      break;
    }
    case v1::Envelope::kGetEntries: {
      Result<v1::Entries> r = Read(request.get_entries());
      if (r.ok()) {
        *out.mutable_entries() = std::move(r).value();
      } else {
        out = ErrorEnvelope(r.status());
      }
      break;
    }
    case v1::Envelope::kMyBallot: {
      Result<v1::MyBallotAnswer> r = FindMyBallot(who, request.my_ballot());
      if (r.ok()) {
        *out.mutable_my_ballot_answer() = std::move(r).value();
      } else {
        out = ErrorEnvelope(r.status());
      }
      break;
    }
    case v1::Envelope::kPing:
      out.mutable_pong();
      break;
    default:
      out = ErrorEnvelope(InvalidArgument("not a request"));
  }
  out.set_request_id(request.request_id());
  return out;
}

Result<v1::Entries> MeetingService::Read(const v1::GetEntries& q) const {
  uint32_t limit = q.limit() == 0 ? options_.max_entries_per_read
                                  : std::min(q.limit(), options_.max_entries_per_read);
  v1::Entries out;
  ASSIGN_OR_RETURN(std::vector<v1::BoardEntry> entries, store_->Read(q.from_seq(), limit));
  for (auto& e : entries) *out.add_entries() = std::move(e);
  out.set_chain_length(store_->Length());
  return out;
}

Result<v1::SignedReceipt> MeetingService::ReceiptFor(const v1::BoardEntry& entry,
                                                     const v1::EncryptedBallot& ballot) const {
  v1::Receipt r;
  r.set_meeting_id(view_.meeting().id());
  r.set_run_id(ballot.run_id());
  r.set_unit_id(ballot.unit_id());
  r.set_tracking_code(Hex(crypto::TrackingCode(ballot)));
  r.set_seq(entry.seq());
  r.set_entry_hash(entry.hash());
  r.set_server_time_ms(entry.server_time_ms());
  v1::SignedReceipt sr;
  if (!r.SerializeToString(sr.mutable_receipt())) return Internal("cannot serialize receipt");
  ASSIGN_OR_RETURN(std::string sig, signing_key_.Sign(crypto::kReceiptDomain, sr.receipt()));
  sr.set_signature(std::move(sig));
  return sr;
}

Result<v1::MyBallotAnswer> MeetingService::FindMyBallot(const Identity& who, const v1::MyBallot& q) {
  std::lock_guard<std::mutex> lock(mu_);
  const Run* run = view_.FindRun(q.run_id());
  if (!run) return NotFound("no run " + q.run_id());
  std::string unit = q.unit_id();
  if (unit.empty()) {
    const v1::Participant* p = view_.Participant(who.participant_id);
    unit = p ? p->unit_id() : "";
  }
  v1::MyBallotAnswer a;
  auto it = run->ballots.find(unit);
  if (it == run->ballots.end()) return a;
  a.set_counted(true);
  const v1::BoardEntry& e = view_.entry(it->second.seq);
  ASSIGN_OR_RETURN(*a.mutable_receipt(), ReceiptFor(e, view_.body(it->second.seq).ballot()));
  return a;
}

Result<v1::BoardEntry> MeetingService::AppendLocked(const v1::SignedEntry& signed_entry,
                                                    const v1::EntryBody& body,
                                                    board::EntryIndex index) {
  ASSIGN_OR_RETURN(v1::BoardEntry entry, store_->Append(signed_entry, index, options_.now_ms()));
  RETURN_IF_ERROR(PublishLocked(entry));
  return entry;
}

Status MeetingService::PublishLocked(const v1::BoardEntry& entry) {
  Status applied = view_.Apply(entry);
  if (!applied.ok()) {
    // The store and the view disagree: nothing sensible can follow.
    return Internal("appended entry does not index: " + applied.message());
  }
  AddToRunningAggregateLocked(entry.seq());
  if (sink_) {
    v1::Envelope ev;
    *ev.mutable_event()->mutable_appended() = entry;
    sink_->Broadcast(ev);
  }
  return Status::Ok();
}

void MeetingService::AddToRunningAggregateLocked(uint64_t seq) {
  const v1::EntryBody& body = view_.body(seq);
  if (!body.has_ballot()) return;
  const v1::EncryptedBallot& ballot = body.ballot();
  const record::Run* run = view_.FindRun(ballot.run_id());
  if (!run) return;
  auto counted = run->ballots.find(ballot.unit_id());
  if (counted == run->ballots.end() || counted->second.seq != seq) return;
  auto it = running_.find(run->run_id);
  if (it == running_.end()) {
    Result<record::RunAggregate> agg = record::RunAggregate::Create(view_, *run);
    if (!agg.ok()) return;
    it = running_.emplace(run->run_id, std::move(agg).value()).first;
  }
  if (!it->second.Add(ballot, view_.Weight(ballot.unit_id())).ok()) running_.erase(it);
}

Result<std::vector<board::BoardStore::AppendOutcome>> MeetingService::CommitBatch(
    std::vector<board::BoardStore::BatchItem> items) {
  std::lock_guard<std::mutex> lock(mu_);
  // The world may have moved since each ballot was checked: a run closed or
  // cancelled meanwhile takes no more ballots. Duplicates (also two in this
  // batch) are refused by the store inside the transaction.
  std::vector<std::optional<board::BoardStore::AppendOutcome>> answers(items.size());
  std::vector<board::BoardStore::BatchItem> accepted;
  std::vector<size_t> where;
  for (size_t i = 0; i < items.size(); ++i) {
    const board::EntryIndex& index = items[i].second;
    if (index.kind == board::kBallotKind) {
      const Run* run = view_.FindRun(index.run_id);
      if (!run || run->closed || run->cancelled) {
        answers[i].emplace(FailedPrecondition("this ballot closed meanwhile"));
        continue;
      }
      if (Status revealed = CheckNotRevealed(*run, index.tracking_code); !revealed.ok()) {
        answers[i].emplace(revealed);  // a spoil of this encryption landed meanwhile
        continue;
      }
      if (Status paper = NotOnPaper(*run, index.unit_id); !paper.ok()) {
        answers[i].emplace(paper);  // a paper batch naming the unit landed meanwhile
        continue;
      }
    }
    accepted.push_back(std::move(items[i]));
    where.push_back(i);
  }
  if (!accepted.empty()) {
    ASSIGN_OR_RETURN(std::vector<board::BoardStore::AppendOutcome> stored,
                     store_->AppendBatch(std::move(accepted), options_.now_ms()));
    for (size_t k = 0; k < stored.size(); ++k) {
      if (stored[k].ok()) {
        if (Status s = PublishLocked(*stored[k]); !s.ok()) stored[k] = s;
      }
      answers[where[k]].emplace(std::move(stored[k]));
    }
  }
  std::vector<board::BoardStore::AppendOutcome> out;
  out.reserve(answers.size());
  for (auto& a : answers) out.push_back(std::move(*a));
  return out;
}

Result<v1::Posted> MeetingService::AnswerExistingBallotLocked(const Run& run, const v1::SignedEntry& se,
                                                              const std::string& unit_id,
                                                              std::string* stored_code) const {
  const uint64_t seq = run.ballots.at(unit_id).seq;
  const v1::BoardEntry& e = view_.entry(seq);
  const v1::EncryptedBallot& stored = view_.body(seq).ballot();
  if (e.signed_().body() == se.body()) {  // an identical resend: the original receipt
    v1::Posted p;
    p.set_seq(e.seq());
    p.set_entry_hash(e.hash());
    ASSIGN_OR_RETURN(*p.mutable_receipt(), ReceiptFor(e, stored));
    return p;
  }
  *stored_code = Hex(crypto::TrackingCode(stored));
  return AlreadyExists("unit '" + unit_id + "' has already voted in this run");
}

Result<crypto::FixedBase> MeetingService::JointTableLocked() {
  if (!joint_table_ || joint_table_done_ != view_.ceremony().done_entry) {
    ASSIGN_OR_RETURN(crypto::Point key, record::JointKey(view_));
    ASSIGN_OR_RETURN(crypto::FixedBase table, crypto::FixedBase::Create(key));
    joint_table_.emplace(std::move(table));
    joint_table_done_ = view_.ceremony().done_entry;
  }
  return *joint_table_;
}

Result<v1::BoardEntry> MeetingService::AppendServerEntryLocked(const v1::EntryBody& body_in) {
  v1::EntryBody body = body_in;
  body.set_meeting_id(view_.meeting().id());
  v1::SignedEntry se;
  if (!body.SerializeToString(se.mutable_body())) return Internal("cannot serialize entry");
  ASSIGN_OR_RETURN(std::string sig, signing_key_.Sign(crypto::kEntryDomain, se.body()));
  se.set_author("server");
  se.set_signature(std::move(sig));
  board::EntryIndex index{record::PayloadKind(body), "", "", ""};
  if (body.has_tally()) index.run_id = body.tally().run_id();
  if (body.has_result()) index.run_id = body.result().run_id();
  ASSIGN_OR_RETURN(v1::BoardEntry e, AppendLocked(se, body, index));
  RETURN_IF_ERROR(FollowUpLocked(body));
  return e;
}

Status MeetingService::CheapSpoilChecksLocked(const std::string& pid, const v1::SignedEntry& se,
                                              const v1::EncryptedBallot& b,
                                              std::optional<v1::Posted>* resend) const {
  const Run* run = view_.FindRun(b.run_id());
  if (!run) return NotFound("no run " + b.run_id());
  ASSIGN_OR_RETURN(std::string caster, record::CasterFor(view_, *run, b.unit_id()));
  if (caster != pid) {
    return PermissionDenied(pid + " may not check encryptions of the ballot of '" + b.unit_id() + "'");
  }
  const std::string code = Hex(crypto::TrackingCode(b));
  if (auto found = run->spoiled_codes.find(code); found != run->spoiled_codes.end()) {
    const v1::BoardEntry& e = view_.entry(found->second);
    if (e.signed_().body() != se.body()) {
      return AlreadyExists("this encryption was already revealed at entry " + std::to_string(e.seq()));
    }
    v1::Posted p;  // an identical resend: the original position, nothing appended
    p.set_seq(e.seq());
    p.set_entry_hash(e.hash());
    resend->emplace(std::move(p));
    return Status::Ok();
  }
  return CheckSpoilAllowed(view_, *run, b.unit_id(), code);
}

Status MeetingService::CheapChecksLocked(const Identity& who, const v1::SignedEntry& se,
                                         const v1::EntryBody& body, std::string* stored_code,
                                         std::optional<v1::Posted>* resend) const {
  const std::string& pid = who.participant_id;
  if (!body.has_roster_change() && se.author() != who.pin) {
    return PermissionDenied("entry is signed for another certificate than this connection's");
  }
  switch (body.payload_case()) {
    case v1::EntryBody::kGenesis:
      return PermissionDenied("the genesis is loaded when the server starts, not posted");
    case v1::EntryBody::kTally:
    case v1::EntryBody::kResult:
    case v1::EntryBody::kCeremonyDone:
      return PermissionDenied("only the server writes " + record::PayloadKind(body) + " entries");
    case v1::EntryBody::kBallot:
      break;
    case v1::EntryBody::kSpoiled:
      return CheapSpoilChecksLocked(pid, se, body.spoiled().ballot(), resend);
    default: {
      const std::optional<RoleRule> rule = RequiredRole(body);
      if (rule) RETURN_IF_ERROR(RequireRole(view_, pid, rule->role, rule->what));
      return Status::Ok();
    }
  }
  const v1::EncryptedBallot& b = body.ballot();
  const Run* run = view_.FindRun(b.run_id());
  if (!run) return NotFound("no run " + b.run_id());
  if (run->cancelled) return FailedPrecondition("this ballot was cancelled");
  if (run->closed) return FailedPrecondition("this ballot is closed");
  ASSIGN_OR_RETURN(std::string caster, record::CasterFor(view_, *run, b.unit_id()));
  if (caster != pid) {
    return PermissionDenied(pid + " may not cast the ballot of '" + b.unit_id() + "'");
  }
  RETURN_IF_ERROR(CheckNotRevealed(*run, Hex(crypto::TrackingCode(b))));
  if (!run->ballots.count(b.unit_id())) return Status::Ok();
  // An identical resend (the caster's own, already verified and counted
  // body) gets the original receipt, with nothing appended.
  ASSIGN_OR_RETURN(v1::Posted p, AnswerExistingBallotLocked(*run, se, b.unit_id(), stored_code));
  resend->emplace(std::move(p));
  return Status::Ok();
}

Result<v1::Posted> MeetingService::Post(const Identity& who, const v1::SignedEntry& se,
                                        std::string* stored_code) {
  RateLimiter& limiter = officers_.count(who.participant_id) ? officer_limiter_ : limiter_;
  RETURN_IF_ERROR(limiter.Take(who.pin));
  if (se.body().size() > options_.max_entry_body) {
    return ResourceExhausted("entry body of " + std::to_string(se.body().size()) +
                             " bytes exceeds the cap");
  }
  v1::EntryBody body;
  if (!body.ParseFromString(se.body())) return InvalidArgument("entry body does not parse");

  std::unique_lock<std::mutex> lock(mu_);
  if (body.meeting_id() != view_.meeting().id()) {
    return InvalidArgument("entry is for meeting '" + body.meeting_id() + "', this is '" +
                           view_.meeting().id() + "'");
  }
  if (view_.meeting_closed()) return FailedPrecondition("the meeting is closed");
  // Role, phase and duplicates before any signature or proof (curve arithmetic).
  std::optional<v1::Posted> resend;
  RETURN_IF_ERROR(CheapChecksLocked(who, se, body, stored_code, &resend));
  if (resend) return *std::move(resend);

  // Who signed it. Participants sign with their own certificate key; roster
  // changes are signed offline by the meeting CA and carried by the chair.
  const std::string& pid = who.participant_id;
  if (body.has_roster_change()) {
    RETURN_IF_ERROR(RequireRole(view_, pid, v1::ROLE_CHAIR, "post a roster change"));
    if (se.author() != "ca") return VerificationFailed("a roster change must be signed by the meeting CA");
  } else {
    const record::RosterPerson* person = view_.PersonByPin(who.pin);
    if (!person || person->revoked) return PermissionDenied("certificate is not (or no longer) pinned");
  }
  RETURN_IF_ERROR(record::VerifySignedEntry(view_, se, view_.length(), &author_keys_));

  board::EntryIndex index{record::PayloadKind(body), "", "", ""};
  switch (body.payload_case()) {
    case v1::EntryBody::kGenesis:
    case v1::EntryBody::kTally:
    case v1::EntryBody::kResult:
    case v1::EntryBody::kCeremonyDone:
      return Internal(index.kind + " entry got past CheapChecksLocked");  // refused there

    case v1::EntryBody::kRosterChange: {
      for (const auto& pin : body.roster_change().revoke_pins()) {
        const record::RosterPerson* p = view_.PersonByPin(pin);
        if (!p) return NotFound("revokes a pin that is not on the roster: " + pin);
        if (p->revoked) return FailedPrecondition("pin of " + p->participant_id + " is already revoked");
      }
      ASSIGN_OR_RETURN(crypto::Certificate ca,
                       crypto::Certificate::FromDer(view_.genesis().ca_certificate()));
      for (const auto& m : body.roster_change().add()) {
        if (!view_.Participant(m.participant_id())) {
          return NotFound("adds a certificate for '" + m.participant_id() + "', who is not in the meeting");
        }
        ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromDer(m.certificate()));
        RETURN_IF_ERROR(cert.VerifyIssuedBy(ca, options_.now_ms() / 1000)
                            .Annotate("new certificate of " + m.participant_id()));
        if (cert.CommonName() != m.participant_id()) {
          return VerificationFailed("new certificate's name is not '" + m.participant_id() + "'");
        }
      }
      break;
    }

    case v1::EntryBody::kCheckIn: {
      const auto& c = body.check_in();
      if (!view_.Unit(c.unit_id())) return NotFound("no unit '" + c.unit_id() + "'");
      if (c.by_chair()) {
        RETURN_IF_ERROR(RequireRole(view_, pid, v1::ROLE_CHAIR, "check in a delegate without a laptop"));
      } else {
        if (view_.DelegateOf(c.unit_id()) != pid) {
          return PermissionDenied(pid + " is not the delegate of '" + c.unit_id() + "'");
        }
        if (c.own_pin() != who.pin) {
          return VerificationFailed("check-in confirms pin " + c.own_pin().substr(0, 16) +
                                    "..., not this certificate's");
        }
      }
      auto existing = view_.check_ins().find(c.unit_id());
      if (existing != view_.check_ins().end()) {
        v1::Posted p;  // checking in twice is harmless: answer with the first
        p.set_seq(existing->second.seq);
        p.set_entry_hash(view_.entry(existing->second.seq).hash());
        return p;
      }
      index.unit_id = c.unit_id();
      break;
    }

    case v1::EntryBody::kProxy: {
      const auto& p = body.proxy();
      if (!view_.Unit(p.absent_unit_id())) return NotFound("no unit '" + p.absent_unit_id() + "'");
      if (view_.check_ins().count(p.absent_unit_id())) {
        return FailedPrecondition("unit '" + p.absent_unit_id() + "' is present; it needs no proxy");
      }
      if (!IsRole(view_, p.holder_id(), v1::ROLE_DELEGATE)) {
        return InvalidArgument("proxy holder '" + p.holder_id() + "' is not a delegate");
      }
      if (view_.proxies().count(p.absent_unit_id())) {
        return AlreadyExists("unit '" + p.absent_unit_id() + "' already has a proxy");
      }
      index.unit_id = p.absent_unit_id();
      break;
    }

    case v1::EntryBody::kProxyAcceptance: {
      const auto& a = body.proxy_acceptance();
      auto it = view_.proxies().find(a.absent_unit_id());
      if (it == view_.proxies().end() || it->second.entry_id != a.proxy_entry_hash()) {
        return NotFound("no such proxy for '" + a.absent_unit_id() + "'");
      }
      if (it->second.holder_id != pid) return PermissionDenied("the proxy names another holder");
      if (it->second.accepted) return AlreadyExists("proxy already accepted");
      index.unit_id = a.absent_unit_id();
      break;
    }

    case v1::EntryBody::kCeremonyStart:
      RETURN_IF_ERROR(CheckCeremonyStart(view_, body.ceremony_start()));
      break;
    case v1::EntryBody::kCeremonyCommit:
    case v1::EntryBody::kCeremonyReveal:
    case v1::EntryBody::kCeremonyShares:
    case v1::EntryBody::kCeremonyComplaint:
    case v1::EntryBody::kCeremonyComplaintAnswer:
    case v1::EntryBody::kCeremonyTestDecryption:
      RETURN_IF_ERROR(CheckCeremonyMessage(view_, pid, body));
      break;

    case v1::EntryBody::kOpen: {
      const auto& o = body.open();
      const v1::BallotSpec* spec = view_.Spec(o.ballot_id());
      if (!spec) return NotFound("no ballot '" + o.ballot_id() + "' in the meeting");
      if (!view_.key_ready()) return FailedPrecondition("the tellers' key ceremony is not finished");
      if (o.ceremony_done() != view_.ceremony().done_entry) {
        return FailedPrecondition("the open names another key than the one in force");
      }
      if (view_.OpenRun(o.ballot_id())) return FailedPrecondition("ballot '" + o.ballot_id() + "' is already open");
      const Run* latest = view_.LatestRun(o.ballot_id());
      if (o.previous_run().empty()) {
        if (latest && !latest->cancelled) {
          return FailedPrecondition("ballot '" + o.ballot_id() +
                                    "' has already run; open a second round (runoff) or cancel it first");
        }
        if (o.round() > 1) return InvalidArgument("round > 1 needs the previous run");
      } else {
        const Run* prev = view_.FindRun(o.previous_run());
        if (!prev || prev->ballot_id != o.ballot_id()) return NotFound("no previous run of this ballot");
        if (prev != latest) return FailedPrecondition("a second round follows the latest run only");
        if (prev->result_entry.empty()) return FailedPrecondition("the previous run has no result yet");
        if (o.round() != prev->round + 1) return InvalidArgument("round must be " + std::to_string(prev->round + 1));
        if (o.candidate_ids().empty()) return InvalidArgument("a second round names its candidates");
      }
      for (const auto& c : o.candidate_ids()) {
        if (std::none_of(spec->candidates().begin(), spec->candidates().end(),
                         [&](const v1::Candidate& x) { return x.id() == c; })) {
          return NotFound("no candidate '" + c + "' on ballot '" + o.ballot_id() + "'");
        }
      }
      uint64_t present_votes = 0;
      for (const auto& [unit, att] : view_.check_ins()) {
        if (att.remote && view_.meeting().remote_not_present()) continue;
        present_votes += view_.Weight(unit);
      }
      for (const auto& [unit, proxy] : view_.proxies()) {
        if (proxy.accepted && !view_.check_ins().count(unit)) present_votes += view_.Weight(unit);
      }
      RETURN_IF_ERROR(rules::CheckQuorum(view_.meeting(), present_votes));
      break;
    }

    case v1::EntryBody::kClose: {
      const Run* run = view_.FindRun(body.close().run_id());
      if (!run) return NotFound("no run " + body.close().run_id());
      if (run->closed || run->cancelled) return FailedPrecondition("the run is not open");
      const uint32_t t = std::max<uint32_t>(1, view_.ceremony().threshold);
      for (const auto& [batch_id, batch] : run->paper_batches) {
        const uint32_t k = batch.signers;
        if (k < t) {
          return FailedPrecondition("paper batch " + batch_id.substr(0, 16) + " has " + std::to_string(k) +
                                    " of " + std::to_string(t) +
                                    " teller signatures; the tellers sign it (phieu teller paper-sign) "
                                    "before the ballot closes");
        }
      }
      index.run_id = run->run_id;
      break;
    }

    case v1::EntryBody::kCancel: {
      const Run* run = view_.FindRun(body.cancel().run_id());
      if (!run) return NotFound("no run " + body.cancel().run_id());
      if (run->cancelled) return FailedPrecondition("the run is already cancelled");
      if (!run->result_entry.empty()) return FailedPrecondition("the run has a result; it cannot be cancelled");
      index.run_id = run->run_id;
      break;
    }

    case v1::EntryBody::kBallot: {
      // CheapChecksLocked found the run open, the caster allowed and no ballot of the unit.
      const v1::EncryptedBallot& b = body.ballot();
      const Run* run = view_.FindRun(b.run_id());
      RETURN_IF_ERROR(NotOnPaper(*run, b.unit_id()));
      const std::string code = Hex(crypto::TrackingCode(b));
      RETURN_IF_ERROR(CheckNotRevealed(*run, code));
      ASSIGN_OR_RETURN(BallotPlan plan, PlanFor(view_, *run, b.unit_id()));
      ASSIGN_OR_RETURN(crypto::FixedBase joint_key, JointTableLocked());
      const std::string run_id = run->run_id;

      // The proofs are the expensive part: check them without the lock.
      lock.unlock();
      RETURN_IF_ERROR(crypto::VerifyBallot(plan.run_context, joint_key, plan.layout, b)
                          .Annotate("ballot of '" + b.unit_id() + "'"));
      index.run_id = run_id;
      index.unit_id = b.unit_id();
      index.tracking_code = code;
      // Group commit (CommitBatch re-checks the run under the lock); the
      // receipt is made only once the entry is committed.
      Result<v1::BoardEntry> e = committer_->Append(se, index);
      lock.lock();
      if (!e.ok()) {
        run = view_.FindRun(run_id);
        if (e.status().code() == StatusCode::kAlreadyExists && run && run->ballots.count(b.unit_id())) {
          return AnswerExistingBallotLocked(*run, se, b.unit_id(), stored_code);
        }
        return e.status();
      }
      v1::Posted p;
      p.set_seq(e->seq());
      p.set_entry_hash(e->hash());
      ASSIGN_OR_RETURN(*p.mutable_receipt(), ReceiptFor(*e, b));
      return p;
    }

    case v1::EntryBody::kSpoiled: {
      // Benaloh challenge: the caster reveals an encryption it will not cast;
      // published so that a second device can check it, never counted.
      // CheapSpoilChecksLocked found the run open, the caster allowed, the
      // unit not cast and under the cap.
      const v1::SpoiledBallot& spoiled = body.spoiled();
      const v1::EncryptedBallot& b = spoiled.ballot();
      const Run* run = view_.FindRun(b.run_id());
      const std::string code = Hex(crypto::TrackingCode(b));
      ASSIGN_OR_RETURN(BallotPlan plan, PlanFor(view_, *run, b.unit_id()));
      ASSIGN_OR_RETURN(crypto::FixedBase joint_key, JointTableLocked());
      const std::string run_id = run->run_id;

      lock.unlock();
      const std::string label = "spoiled ballot of '" + b.unit_id() + "'";
      RETURN_IF_ERROR(crypto::VerifySpoiled(plan.run_context, joint_key.base(), plan.layout, spoiled).Annotate(label));
      const std::vector<uint32_t> choices(spoiled.choices().begin(), spoiled.choices().end());
      RETURN_IF_ERROR(rules::CheckMarks(plan.layout, choices).Annotate(label + ": revealed choices"));
      lock.lock();

      // The world may have moved meanwhile.
      run = view_.FindRun(run_id);
      RETURN_IF_ERROR(CheckSpoilAllowed(view_, *run, b.unit_id(), code));
      if (run->spoiled_codes.count(code)) return AlreadyExists("this encryption was revealed meanwhile");
      index.run_id = run_id;  // by run only: the one-per-unit index is for counted ballots
      index.tracking_code = code;
      break;
    }

    case v1::EntryBody::kPaperBatch: {
      const uint32_t idx = record::TellerIndex(view_, pid);
      if (idx == 0) return PermissionDenied("only a teller of the key in force may enter a paper batch");
      const Run* run = view_.FindRun(body.paper_batch().run_id());
      if (!run) return NotFound("no run " + body.paper_batch().run_id());
      if (run->closed || run->cancelled) return FailedPrecondition("paper batch: the run is not open");
      RETURN_IF_ERROR(record::CheckPaperBatch(view_, *run, body.paper_batch(), ""));
      index.run_id = run->run_id;
      break;
    }

    case v1::EntryBody::kPaperBatchSignature: {
      const uint32_t idx = record::TellerIndex(view_, pid);
      if (idx == 0) return PermissionDenied("only a teller of the key in force may sign a paper batch");
      const std::string& batch_id = body.paper_batch_signature().batch_entry_hash();
      auto seq = view_.FindEntry(batch_id);
      if (!seq || !view_.body(*seq).has_paper_batch()) return NotFound("no paper batch " + batch_id);
      const Run* run = view_.FindRun(view_.body(*seq).paper_batch().run_id());
      if (!run) return NotFound("the paper batch's run is not on the board");
      if (run->closed || run->cancelled) return FailedPrecondition("paper batch signature: the run is not open");
      const record::PaperBatchRef& batch = run->paper_batches.at(batch_id);
      if (batch.author == idx) return PermissionDenied("a teller cannot co-sign its own paper batch");
      if (batch.cosigners.count(idx)) return AlreadyExists("this teller already signed the paper batch");
      index.run_id = run->run_id;
      break;
    }

    case v1::EntryBody::kDecryptionShare: {
      const auto& d = body.decryption_share();
      const Run* run = view_.FindRun(d.run_id());
      if (!run) return NotFound("no run " + d.run_id());
      if (run->cancelled) return FailedPrecondition("the run was cancelled");
      if (run->tally_entry.empty() || d.tally_entry() != run->tally_entry) {
        return FailedPrecondition("the share is not for this run's tally");
      }
      if (!run->result_entry.empty()) return FailedPrecondition("the run already has its result");
      uint32_t idx = record::TellerIndex(view_, pid);
      if (idx == 0 || idx != d.index()) return PermissionDenied("teller index does not match the author");
      if (run->decryption_shares.count(idx)) return AlreadyExists("this teller already sent its share");
      const v1::Tally& tally = view_.body(run->tally_seq).tally();
      if (d.partials_size() != tally.totals_size()) {
        return InvalidArgument("share has " + std::to_string(d.partials_size()) + " partials for " +
                               std::to_string(tally.totals_size()) + " totals");
      }
      ASSIGN_OR_RETURN(crypto::Point public_share, record::TellerPublicShare(view_, idx));
      std::string ctx = record::DecryptionContext(view_, *run);
      for (int i = 0; i < d.partials_size(); ++i) {
        ASSIGN_OR_RETURN(crypto::Ciphertext ct, crypto::FromProto(tally.totals(i)));
        RETURN_IF_ERROR(crypto::VerifyPartial(ctx, public_share, ct, d.partials(i))
                            .Annotate("partial decryption of total " + std::to_string(i)));
      }
      index.run_id = run->run_id;
      break;
    }

    case v1::EntryBody::kResultCosign: {
      auto seq = view_.FindEntry(body.result_cosign().result_entry());
      if (!seq || !view_.body(*seq).has_result()) return NotFound("no such result");
      const Run* run = view_.FindRun(view_.body(*seq).result().run_id());
      uint32_t idx = record::TellerIndex(view_, pid);
      if (idx == 0) return PermissionDenied("not a teller of the ceremony in force");
      if (run && run->cosigned.count(idx)) return AlreadyExists("already co-signed");
      break;
    }

    case v1::EntryBody::kShareDestroyed: {
      if (body.share_destroyed().index() != record::TellerIndex(view_, pid)) {
        return PermissionDenied("teller index does not match the author");
      }
      break;
    }

    case v1::EntryBody::kMeetingClosed: {
      for (const Run* run : view_.RunsInOrder()) {
        if (!run->cancelled && run->result_entry.empty()) {
          return FailedPrecondition("ballot '" + run->ballot_id + "' has no result yet; close or cancel it first");
        }
      }
      break;
    }

    case v1::EntryBody::PAYLOAD_NOT_SET:
      return InvalidArgument("entry has no payload");
  }

  ASSIGN_OR_RETURN(v1::BoardEntry e, AppendLocked(se, body, index));
  RETURN_IF_ERROR(FollowUpLocked(body));
  v1::Posted p;
  p.set_seq(e.seq());
  p.set_entry_hash(e.hash());
  return p;
}

Status MeetingService::FollowUpLocked(const v1::EntryBody& body) {
  if (body.has_cancel()) {
    running_.erase(body.cancel().run_id());  // cancelled: it is never tallied
    return Status::Ok();
  }
  if (body.has_roster_change()) {
    for (const auto& pin : body.roster_change().revoke_pins()) {
      if (sink_) sink_->Disconnect(pin, "certificate revoked by the meeting CA");
    }
    return Status::Ok();
  }

  if (IsCeremonyMessage(body)) {
    ASSIGN_OR_RETURN(std::optional<v1::CeremonyDone> done, CeremonyCompletion(view_));
    if (done) {
      v1::EntryBody out;
      *out.mutable_ceremony_done() = *done;
      RETURN_IF_ERROR(AppendServerEntryLocked(out).status());
      // The key is fixed: build its table now, not on the first ballot.
      RETURN_IF_ERROR(JointTableLocked().status());
    }
    return Status::Ok();
  }

  if (body.has_close()) {
    // Aggregate the run's ballots, weighted, into the full layout.
    // The running aggregate holds them already unless the server restarted
    // while the run was open (or a ballot could not be added to it).
    const Run* run = view_.FindRun(body.close().run_id());
    auto running = running_.find(run->run_id);
    const bool complete = running != running_.end() && running->second.ballots() == run->ballots.size();
    std::optional<record::RunAggregate> from_board;
    if (!complete) {
      ASSIGN_OR_RETURN(record::RunAggregate agg, record::RunAggregate::Create(view_, *run));
      from_board.emplace(std::move(agg));
    }
    v1::EntryBody out;
    v1::Tally* tally = out.mutable_tally();
    tally->set_run_id(run->run_id);
    std::vector<std::pair<uint64_t, const record::BallotRef*>> ballots;
    for (const auto& [unit, ref] : run->ballots) ballots.emplace_back(ref.seq, &ref);
    std::sort(ballots.begin(), ballots.end());
    for (const auto& [seq, ref] : ballots) {
      if (from_board) {
        const v1::EncryptedBallot& b = view_.body(seq).ballot();
        RETURN_IF_ERROR(from_board->Add(b, view_.Weight(b.unit_id())));
      }
      tally->add_ballot_entries(ref->entry_id);
    }
    const record::RunAggregate& agg = from_board ? *from_board : running->second;
    // A cell no ballot contains gets the public encryption of zero
    // (record::EmptyTotal), so every run gets a tally, even an all-paper one.
    ASSIGN_OR_RETURN(std::vector<v1::Ciphertext> totals, agg.ToProto());
    running_.erase(run->run_id);  // closed: no ballot joins it any more
    for (auto& c : totals) *tally->add_totals() = std::move(c);
    for (auto& id : record::CountedPaperBatches(*run)) tally->add_paper_batches(std::move(id));
    return AppendServerEntryLocked(out).status();
  }

  if (body.has_decryption_share()) {
    const Run* run = view_.FindRun(body.decryption_share().run_id());
    if (!run || !run->result_entry.empty()) return Status::Ok();
    const uint32_t t = view_.ceremony().threshold;
    if (run->decryption_shares.size() < t) return Status::Ok();

    // Combine the first t shares (all verified on arrival).
    std::vector<uint32_t> indices;
    for (const auto& [idx, seq] : run->decryption_shares) {
      if (indices.size() < t) indices.push_back(idx);
    }
    ASSIGN_OR_RETURN(std::vector<uint64_t> totals,
                     record::ResultTotals(view_, *run, indices, /*verify_partials=*/false));
    ASSIGN_OR_RETURN(v1::Counts counts, record::CountsFor(view_, *run));
    const v1::BallotSpec* spec = view_.Spec(run->ballot_id);
    ASSIGN_OR_RETURN(v1::Outcome outcome,
                     rules::ComputeOutcome(view_.meeting(), *spec, run->candidates, totals, counts));
    v1::EntryBody out;
    v1::Result* result = out.mutable_result();
    result->set_run_id(run->run_id);
    result->set_tally_entry(run->tally_entry);
    for (uint64_t m : totals) result->add_totals(static_cast<uint32_t>(m));
    for (uint32_t idx : indices) result->add_tellers(idx);
    if (!outcome.SerializeToString(result->mutable_outcome())) return Internal("cannot serialize outcome");
    result->set_chain_head(Hex(store_->Head()));
    return AppendServerEntryLocked(out).status();
  }
  return Status::Ok();
}

}  // namespace phieu::server

#include "core/record/board_view.h"

#include <algorithm>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/sha256.h"
#include "core/util/bytes.h"

namespace phieu::record {
namespace {

std::string PinOf(const std::string& der) { return Hex(crypto::Sha256(der)); }

Status EntryError(const v1::BoardEntry& e, const std::string& what) {
  return InvalidArgument("entry " + std::to_string(e.seq()) + ": " + what);
}

}  // namespace

std::string EntryId(const v1::BoardEntry& e) { return Hex(e.hash()); }

std::string PayloadKind(const v1::EntryBody& body) {
  switch (body.payload_case()) {
    case v1::EntryBody::kGenesis:
      return "genesis";
    case v1::EntryBody::kRosterChange:
      return "roster_change";
    case v1::EntryBody::kCheckIn:
      return "check_in";
    case v1::EntryBody::kProxy:
      return "proxy";
    case v1::EntryBody::kProxyAcceptance:
      return "proxy_acceptance";
    case v1::EntryBody::kCeremonyStart:
      return "ceremony_start";
    case v1::EntryBody::kCeremonyCommit:
      return "ceremony_commit";
    case v1::EntryBody::kCeremonyReveal:
      return "ceremony_reveal";
    case v1::EntryBody::kCeremonyShares:
      return "ceremony_shares";
    case v1::EntryBody::kCeremonyComplaint:
      return "ceremony_complaint";
    case v1::EntryBody::kCeremonyComplaintAnswer:
      return "ceremony_complaint_answer";
    case v1::EntryBody::kCeremonyTestDecryption:
      return "ceremony_test_decryption";
    case v1::EntryBody::kCeremonyDone:
      return "ceremony_done";
    case v1::EntryBody::kOpen:
      return "open";
    case v1::EntryBody::kClose:
      return "close";
    case v1::EntryBody::kCancel:
      return "cancel";
    case v1::EntryBody::kBallot:
      return "ballot";
    case v1::EntryBody::kSpoiled:
      return "spoiled";
    case v1::EntryBody::kPaperBatch:
      return "paper_batch";
    case v1::EntryBody::kPaperBatchSignature:
      return "paper_batch_signature";
    case v1::EntryBody::kTally:
      return "tally";
    case v1::EntryBody::kDecryptionShare:
      return "decryption_share";
    case v1::EntryBody::kResult:
      return "result";
    case v1::EntryBody::kResultCosign:
      return "result_cosign";
    case v1::EntryBody::kShareDestroyed:
      return "share_destroyed";
    case v1::EntryBody::kMeetingClosed:
      return "meeting_closed";
    case v1::EntryBody::PAYLOAD_NOT_SET:
      break;
  }
  return "none";
}

Status BoardView::Apply(const v1::BoardEntry& entry) {
  if (entry.seq() != entries_.size()) {
    return EntryError(entry, "expected seq " + std::to_string(entries_.size()));
  }
  v1::EntryBody body;
  if (!body.ParseFromString(entry.signed_().body()))
    return EntryError(entry, "body does not parse");
  if (entries_.empty() && !body.has_genesis())
    return EntryError(entry, "entry 0 is not the genesis");
  if (!entries_.empty() && body.has_genesis()) return EntryError(entry, "a second genesis");
  if (!entries_.empty() && body.meeting_id() != meeting().id()) {
    return EntryError(entry, "meeting id '" + body.meeting_id() + "' is not this meeting's");
  }
  RETURN_IF_ERROR(ApplyBody(entry, body));
  by_id_[EntryId(entry)] = entry.seq();
  entries_.push_back(entry);
  bodies_.push_back(std::move(body));
  return Status::Ok();
}

Status BoardView::ApplyBody(const v1::BoardEntry& entry, const v1::EntryBody& body) {
  const uint64_t seq = entry.seq();
  const std::string& author = entry.signed_().author();
  switch (body.payload_case()) {
    case v1::EntryBody::kGenesis: {
      for (const auto& m : body.genesis().roster()) {
        RosterPerson p{m.participant_id(), PinOf(m.certificate()), m.certificate(), seq};
        pin_by_participant_[p.participant_id] = p.pin;
        people_by_pin_[p.pin] = std::move(p);
      }
      return Status::Ok();
    }
    case v1::EntryBody::kRosterChange: {
      for (const auto& pin : body.roster_change().revoke_pins()) {
        auto it = people_by_pin_.find(pin);
        if (it == people_by_pin_.end()) return EntryError(entry, "revokes unknown pin " + pin);
        it->second.revoked = true;
        it->second.revoked_seq = seq;
      }
      for (const auto& m : body.roster_change().add()) {
        RosterPerson p{m.participant_id(), PinOf(m.certificate()), m.certificate(), seq};
        pin_by_participant_[p.participant_id] = p.pin;
        people_by_pin_[p.pin] = std::move(p);
      }
      return Status::Ok();
    }
    case v1::EntryBody::kCheckIn: {
      const auto& c = body.check_in();
      check_ins_[c.unit_id()] = Attendance{seq, c.remote(), c.by_chair(), author};
      return Status::Ok();
    }
    case v1::EntryBody::kProxy: {
      const auto& p = body.proxy();
      proxies_[p.absent_unit_id()] = ProxyInfo{seq, EntryId(entry), p.holder_id(), false, 0};
      return Status::Ok();
    }
    case v1::EntryBody::kProxyAcceptance: {
      auto it = proxies_.find(body.proxy_acceptance().absent_unit_id());
      if (it == proxies_.end() ||
          it->second.entry_id != body.proxy_acceptance().proxy_entry_hash()) {
        return EntryError(entry, "accepts a proxy that is not on the board");
      }
      it->second.accepted = true;
      it->second.accepted_seq = seq;
      return Status::Ok();
    }
    case v1::EntryBody::kCeremonyStart: {
      const auto& s = body.ceremony_start();
      ceremony_ = Ceremony{};
      ceremony_.attempt = s.attempt();
      ceremony_.teller_ids.assign(s.teller_ids().begin(), s.teller_ids().end());
      ceremony_.threshold = s.threshold();
      ceremony_.start_seq = seq;
      return Status::Ok();
    }
    case v1::EntryBody::kCeremonyCommit:
      ceremony_.commits[body.ceremony_commit().index()] = seq;
      return Status::Ok();
    case v1::EntryBody::kCeremonyReveal:
      ceremony_.reveals[body.ceremony_reveal().index()] = seq;
      return Status::Ok();
    case v1::EntryBody::kCeremonyShares:
      ceremony_.shares[body.ceremony_shares().index()] = seq;
      return Status::Ok();
    case v1::EntryBody::kCeremonyComplaint:
      ceremony_.complaints.push_back(seq);
      return Status::Ok();
    case v1::EntryBody::kCeremonyComplaintAnswer:
      ceremony_.answers.push_back(seq);
      return Status::Ok();
    case v1::EntryBody::kCeremonyTestDecryption:
      ceremony_.test_decryptions[body.ceremony_test_decryption().index()] = seq;
      return Status::Ok();
    case v1::EntryBody::kCeremonyDone:
      ceremony_.done_entry = EntryId(entry);
      ceremony_.done_seq = seq;
      return Status::Ok();
    case v1::EntryBody::kOpen: {
      const auto& o = body.open();
      const v1::BallotSpec* spec = Spec(o.ballot_id());
      if (!spec) return EntryError(entry, "opens unknown ballot '" + o.ballot_id() + "'");
      Run run;
      run.run_id = EntryId(entry);
      run.open_seq = seq;
      run.ballot_id = o.ballot_id();
      run.round = o.round() == 0 ? 1 : o.round();
      run.previous_run = o.previous_run();
      if (o.candidate_ids().empty()) {
        for (const auto& c : spec->candidates()) run.candidates.push_back(c.id());
      } else {
        // Keep the spec's order whatever order the chair listed them in.
        for (const auto& c : spec->candidates()) {
          if (std::find(o.candidate_ids().begin(), o.candidate_ids().end(), c.id()) !=
              o.candidate_ids().end()) {
            run.candidates.push_back(c.id());
          }
        }
      }
      run.ceremony_done = o.ceremony_done();
      run.present_at_open = check_ins_;
      for (const auto& [unit, proxy] : proxies_) {
        if (proxy.accepted && !check_ins_.count(unit)) run.proxies_at_open[unit] = proxy.holder_id;
      }
      run_order_.push_back(run.run_id);
      runs_[run.run_id] = std::move(run);
      return Status::Ok();
    }
    case v1::EntryBody::kClose: {
      Run* run = MutableRun(body.close().run_id());
      if (!run) return EntryError(entry, "closes unknown run");
      run->closed = true;
      run->close_seq = seq;
      return Status::Ok();
    }
    case v1::EntryBody::kCancel: {
      Run* run = MutableRun(body.cancel().run_id());
      if (!run) return EntryError(entry, "cancels unknown run");
      run->cancelled = true;
      return Status::Ok();
    }
    case v1::EntryBody::kBallot: {
      Run* run = MutableRun(body.ballot().run_id());
      if (!run) return EntryError(entry, "ballot for unknown run");
      // The first ballot of a unit is the counted one; acceptance refuses a
      // second, and the verifier flags one if it is ever on the board.
      run->ballots.emplace(body.ballot().unit_id(), BallotRef{seq, EntryId(entry), "", author});
      return Status::Ok();
    }
    case v1::EntryBody::kSpoiled: {
      Run* run = MutableRun(body.spoiled().ballot().run_id());
      if (!run) return EntryError(entry, "spoiled ballot for unknown run");
      run->spoiled_seqs.push_back(seq);
      run->spoiled_codes.emplace(Hex(crypto::TrackingCode(body.spoiled().ballot())), seq);
      return Status::Ok();
    }
    case v1::EntryBody::kPaperBatch:
    case v1::EntryBody::kPaperBatchSignature:
      return Status::Ok();
    case v1::EntryBody::kTally: {
      Run* run = MutableRun(body.tally().run_id());
      if (!run) return EntryError(entry, "tally for unknown run");
      run->tally_entry = EntryId(entry);
      run->tally_seq = seq;
      return Status::Ok();
    }
    case v1::EntryBody::kDecryptionShare: {
      Run* run = MutableRun(body.decryption_share().run_id());
      if (!run) return EntryError(entry, "decryption share for unknown run");
      run->decryption_shares[body.decryption_share().index()] = seq;
      return Status::Ok();
    }
    case v1::EntryBody::kResult: {
      Run* run = MutableRun(body.result().run_id());
      if (!run) return EntryError(entry, "result for unknown run");
      run->result_entry = EntryId(entry);
      run->result_seq = seq;
      return Status::Ok();
    }
    case v1::EntryBody::kResultCosign: {
      auto found = FindEntry(body.result_cosign().result_entry());
      if (!found || !bodies_[*found].has_result()) return EntryError(entry, "co-signs no result");
      Run* run = MutableRun(bodies_[*found].result().run_id());
      const RosterPerson* person = PersonByPin(author);
      if (run && person) {
        const auto& ids = ceremony_.teller_ids;
        auto it = std::find(ids.begin(), ids.end(), person->participant_id);
        if (it != ids.end()) run->cosigned.insert(static_cast<uint32_t>(it - ids.begin() + 1));
      }
      return Status::Ok();
    }
    case v1::EntryBody::kShareDestroyed:
      return Status::Ok();
    case v1::EntryBody::kMeetingClosed:
      meeting_closed_ = true;
      return Status::Ok();
    case v1::EntryBody::PAYLOAD_NOT_SET:
      break;
  }
  return EntryError(entry, "has no payload");
}

std::optional<uint64_t> BoardView::FindEntry(const std::string& entry_id) const {
  auto it = by_id_.find(entry_id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

const RosterPerson* BoardView::PersonByPin(const std::string& pin) const {
  auto it = people_by_pin_.find(pin);
  return it == people_by_pin_.end() ? nullptr : &it->second;
}

const RosterPerson* BoardView::PersonById(const std::string& participant_id) const {
  auto it = pin_by_participant_.find(participant_id);
  return it == pin_by_participant_.end() ? nullptr : PersonByPin(it->second);
}

const v1::Participant* BoardView::Participant(const std::string& participant_id) const {
  for (const auto& p : meeting().participants()) {
    if (p.id() == participant_id) return &p;
  }
  return nullptr;
}

bool BoardView::HasRole(const std::string& participant_id, v1::Role role) const {
  const v1::Participant* p = Participant(participant_id);
  if (!p) return false;
  return std::find(p->roles().begin(), p->roles().end(), role) != p->roles().end();
}

std::string BoardView::DelegateOf(const std::string& unit_id) const {
  for (const auto& p : meeting().participants()) {
    if (p.unit_id() == unit_id &&
        std::find(p.roles().begin(), p.roles().end(), v1::ROLE_DELEGATE) != p.roles().end()) {
      return p.id();
    }
  }
  return "";
}

const v1::Unit* BoardView::Unit(const std::string& unit_id) const {
  for (const auto& u : meeting().units()) {
    if (u.id() == unit_id) return &u;
  }
  return nullptr;
}

const v1::BallotSpec* BoardView::Spec(const std::string& ballot_id) const {
  for (const auto& b : meeting().ballots()) {
    if (b.id() == ballot_id) return &b;
  }
  return nullptr;
}

uint32_t BoardView::Weight(const std::string& unit_id) const {
  const v1::Unit* u = Unit(unit_id);
  if (!u) return 0;
  return u->weight() == 0 ? 1 : u->weight();
}

const Run* BoardView::FindRun(const std::string& run_id) const {
  auto it = runs_.find(run_id);
  return it == runs_.end() ? nullptr : &it->second;
}

Run* BoardView::MutableRun(const std::string& run_id) {
  auto it = runs_.find(run_id);
  return it == runs_.end() ? nullptr : &it->second;
}

const Run* BoardView::OpenRun(const std::string& ballot_id) const {
  for (const auto& id : run_order_) {
    const Run& r = runs_.at(id);
    if (r.ballot_id == ballot_id && !r.closed && !r.cancelled) return &r;
  }
  return nullptr;
}

const Run* BoardView::LatestRun(const std::string& ballot_id) const {
  const Run* latest = nullptr;
  for (const auto& id : run_order_) {
    const Run& r = runs_.at(id);
    if (r.ballot_id == ballot_id) latest = &r;
  }
  return latest;
}

std::vector<const Run*> BoardView::RunsInOrder() const {
  std::vector<const Run*> out;
  for (const auto& id : run_order_) out.push_back(&runs_.at(id));
  return out;
}

}  // namespace phieu::record

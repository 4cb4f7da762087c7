#include "tests/meeting_kit/meeting_kit.h"

#include <optional>
#include <set>
#include <utility>

#include "certs/meeting_ca.h"
#include "certs/meeting_directory.h"
#include "core/crypto/ceremony.h"
#include "core/crypto/private_file.h"
#include "core/crypto/secure.h"
#include "core/meeting/meeting_defaults.h"
#include "core/record/run_support.h"
#include "core/rules/layout.h"

namespace phieu::testing {

Result<MeetingKeys> InitMeetingKeys(const std::string& dir, std::string_view meeting_text, int64_t now_unix) {
  certs::MeetingDirectory md(dir);
  RETURN_IF_ERROR(md.InitAll(meeting_text, "127.0.0.1:7443", certs::DefaultServerNames(), now_unix)
                      .Annotate("certs init"));
  ASSIGN_OR_RETURN(std::string ca_pem, crypto::ReadFile(dir + "/ca/ca.pem"));
  ASSIGN_OR_RETURN(crypto::Certificate ca, crypto::Certificate::FromPem(ca_pem));
  ASSIGN_OR_RETURN(std::string key_pem, crypto::ReadFile(dir + "/server/signing.key"));
  auto key = crypto::PrivateKey::FromPem(key_pem);
  crypto::SecureWipe(key_pem);
  if (!key.ok()) return key.status().Annotate("server/signing.key");
  ASSIGN_OR_RETURN(std::string genesis_bytes, crypto::ReadFile(dir + "/genesis.entry"));
  v1::SignedEntry genesis;
  if (!genesis.ParseFromString(genesis_bytes)) return DataLoss("genesis.entry does not parse");
  ASSIGN_OR_RETURN(v1::Meeting meeting, md.LoadMeeting());
  std::map<std::string, certs::Credentials> creds;
  for (const auto& p : meeting.participants()) {
    auto c = certs::LoadCredentials(md.ParticipantDir(p.id()), now_unix);
    if (!c.ok()) return c.status().Annotate("credentials of " + p.id());
    creds.emplace(p.id(), std::move(c).value());
  }
  return MeetingKeys{std::move(ca), std::move(key).value(), std::move(genesis), std::move(creds)};
}

Result<v1::SignedEntry> SignEntry(const certs::Credentials& author, const std::string& meeting_id,
                                  v1::EntryBody body) {
  body.set_meeting_id(meeting_id);
  v1::SignedEntry se;
  if (!body.SerializeToString(se.mutable_body())) return InvalidArgument("entry body does not serialize");
  se.set_author(author.cert.Pin());
  ASSIGN_OR_RETURN(*se.mutable_signature(), author.key.Sign(crypto::kEntryDomain, se.body()));
  return se;
}

Status SyncView(server::Service& svc, const server::Identity& reader, record::BoardView* view) {
  for (;;) {
    v1::Envelope req;
    req.mutable_get_entries()->set_from_seq(view->length());
    const v1::Envelope resp = svc.Handle(reader, req);
    if (!resp.has_entries()) {
      return Internal("reading entries from " + std::to_string(view->length()) + ": " + resp.ShortDebugString());
    }
    if (resp.entries().entries_size() == 0) return Status();
    for (const auto& e : resp.entries().entries()) {
      RETURN_IF_ERROR(view->Apply(e).Annotate("applying entry " + std::to_string(e.seq())));
    }
  }
}

std::string ChairOf(const record::BoardView& view) {
  for (const auto& p : view.meeting().participants()) {
    for (int role : p.roles()) {
      if (role == v1::ROLE_CHAIR) return p.id();
    }
  }
  return "";
}

Status CheckInAll(const record::BoardView& view, const std::map<std::string, certs::Credentials>& creds,
                  const PostFn& post) {
  for (const auto& p : view.meeting().participants()) {
    if (p.unit_id().empty()) continue;
    auto c = creds.find(p.id());
    if (c == creds.end()) return NotFound("no credentials for " + p.id());
    v1::EntryBody body;
    body.mutable_check_in()->set_unit_id(p.unit_id());
    body.mutable_check_in()->set_own_pin(c->second.cert.Pin());
    RETURN_IF_ERROR(post(p.id(), body).Annotate("check-in of " + p.unit_id()));
  }
  return Status();
}

v1::EntryBody CeremonyStartBody(const record::BoardView& view) {
  const v1::TellerSettings& ts = view.meeting().tellers();
  v1::EntryBody start;
  start.mutable_ceremony_start()->set_attempt(view.ceremony().attempt + 1);
  for (const auto& id : ts.participant_ids()) start.mutable_ceremony_start()->add_teller_ids(id);
  start.mutable_ceremony_start()->set_threshold(meeting::EffectiveThreshold(ts));
  return start;
}

Status DriveCeremony(const record::BoardView& view, const PostFn& post,
                     std::map<uint32_t, crypto::Scalar>* final_shares) {
  const auto& ids = view.ceremony().teller_ids;
  std::map<std::string, std::optional<crypto::CeremonyTeller>> tellers;
  std::map<std::string, std::set<uint32_t>> received;
  using Phase = crypto::CeremonyRecord::Phase;
  for (int round = 0; round < 20 && !view.key_ready(); ++round) {
    for (const auto& id : ids) {
      if (view.key_ready()) break;
      const uint32_t me = record::TellerIndex(view, id);
      if (me == 0) return NotFound("ceremony: " + id + " is not a teller of the ceremony");
      ASSIGN_OR_RETURN(crypto::CeremonyRecord rec, record::CeremonyRecordOf(view));
      if (!tellers[id]) {
        auto t = crypto::CeremonyTeller::Create(rec, me);
        if (!t.ok()) return t.status().Annotate("ceremony: teller " + id);
        tellers[id].emplace(std::move(t).value());
      }
      crypto::CeremonyTeller& teller = *tellers[id];
      v1::EntryBody body;
      switch (rec.phase()) {
        case Phase::kCommit: {
          if (rec.commit(me)) continue;
          ASSIGN_OR_RETURN(*body.mutable_ceremony_commit(), teller.Commit());
          break;
        }
        case Phase::kReveal: {
          if (rec.reveal(me)) continue;
          ASSIGN_OR_RETURN(*body.mutable_ceremony_reveal(), teller.Reveal());
          break;
        }
        case Phase::kShares: {
          if (rec.shares(me)) continue;
          ASSIGN_OR_RETURN(*body.mutable_ceremony_shares(), teller.Shares(rec));
          break;
        }
        case Phase::kSettle: {
          for (uint32_t sender = 1; sender <= rec.n(); ++sender) {
            if (sender == me || received[id].count(sender) || !rec.shares(sender)) continue;
            ASSIGN_OR_RETURN(auto complaint, teller.ReceiveShare(rec, sender));
            if (complaint.has_value()) {
              return VerificationFailed("ceremony: " + id + " got a bad share from teller " +
                                        std::to_string(sender));
            }
            received[id].insert(sender);
          }
          if (rec.test_decryption(me)) continue;
          ASSIGN_OR_RETURN(*body.mutable_ceremony_test_decryption(), teller.TestDecryption(rec));
          break;
        }
        case Phase::kDone:
        case Phase::kFailed:
          return FailedPrecondition("ceremony ended without a CeremonyDone entry");
      }
      RETURN_IF_ERROR(post(id, body).Annotate("ceremony: " + id));
    }
  }
  if (!view.key_ready()) return FailedPrecondition("ceremony: no CeremonyDone after 20 rounds");
  if (!final_shares) return Status();
  ASSIGN_OR_RETURN(crypto::CeremonyRecord rec, record::CeremonyRecordOf(view));
  for (const auto& id : ids) {
    auto share = tellers[id]->FinalShare(rec);
    if (!share.ok()) return share.status().Annotate("ceremony: final share of " + id);
    final_shares->emplace(record::TellerIndex(view, id), std::move(share).value());
  }
  return Status();
}

v1::EntryBody OpenBody(const record::BoardView& view, const std::string& ballot_id) {
  v1::EntryBody open;
  open.mutable_open()->set_ballot_id(ballot_id);
  open.mutable_open()->set_round(1);
  open.mutable_open()->set_ceremony_done(view.ceremony().done_entry);
  return open;
}

Result<v1::EntryBody> BallotBody(const record::BoardView& view, const std::string& run_id,
                                 const std::string& unit, const std::vector<std::string>& choices,
                                 crypto::BallotSecrets* secrets_out) {
  const record::Run* run = view.FindRun(run_id);
  if (!run) return NotFound("ballot: no run " + run_id);
  const v1::BallotSpec* spec = view.Spec(run->ballot_id);
  if (!spec) return NotFound("ballot: no ballot " + run->ballot_id);
  ASSIGN_OR_RETURN(v1::BallotLayout layout, record::VoterLayoutFor(view, *run, unit));
  ASSIGN_OR_RETURN(std::vector<uint32_t> marks, rules::MarksFor(layout, *spec, choices, unit));
  ASSIGN_OR_RETURN(std::string ctx, record::RunContext(view, *run));
  ASSIGN_OR_RETURN(crypto::Point key, record::JointKey(view));
  crypto::BallotSecrets secrets;
  v1::EntryBody body;
  ASSIGN_OR_RETURN(*body.mutable_ballot(), crypto::EncryptBallot(ctx, key, layout, marks, run_id, unit,
                                                                 secrets_out ? secrets_out : &secrets));
  return body;
}

}  // namespace phieu::testing

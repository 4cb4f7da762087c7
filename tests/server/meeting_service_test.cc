// MeetingService in-process, with no network: a whole meeting's keys made by
// `certs init` (MeetingDirectory::InitAll), the key ceremony run by three
// CeremonyTeller objects, then the acceptance rules for ballots and chair
// entries, the signed receipt, and a restart on the same data directory.
#include "server/meeting_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "certs/meeting_ca.h"
#include "certs/meeting_directory.h"
#include "certs/profile.h"
#include "client/audit.h"
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/ceremony.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/crypto/private_file.h"
#include "core/record/board_view.h"
#include "core/record/run_support.h"
#include "core/rules/layout.h"
#include "core/util/bytes.h"

namespace phieu::server {
namespace {

constexpr char kChair[] = "nguyen-huy-hoang";  // chair, and delegate of son-la
constexpr char kThu[] = "nguyen-ngoc-thu";     // delegate of cao-bang
constexpr char kBallot[] = "co-thi-dua";

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewTempDir(const std::string& tag) {
  std::random_device rd;
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("phieu-meeting-service-" + tag + "-" + std::to_string(rd()) + std::to_string(rd())))
                        .string();
  std::filesystem::create_directories(dir);
  return dir;
}

class MeetingServiceTest : public ::testing::Test {
 protected:
  // The meeting's keys are made once: certs init is the slow part.
  static void SetUpTestSuite() {
    root_ = new std::string(NewTempDir("certs"));
    certs::MeetingDirectory dir(*root_);
    std::string text = crypto::ReadFile(std::string(PHIEU_SOURCE_DIR) + "/examples/cum4-2024.textproto").value();
    Status s = dir.InitAll(text, "127.0.0.1:7443", certs::DefaultServerNames(), NowUnix());
    ASSERT_TRUE(s.ok()) << s.ToString();
    creds_ = new std::map<std::string, certs::Credentials>();
    auto meeting = dir.LoadMeeting();
    ASSERT_TRUE(meeting.ok()) << meeting.status().ToString();
    for (const auto& p : meeting->participants()) {
      auto c = certs::LoadCredentials(dir.ParticipantDir(p.id()), NowUnix());
      ASSERT_TRUE(c.ok()) << p.id() << ": " << c.status().ToString();
      creds_->emplace(p.id(), std::move(c).value());
    }
  }

  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(*root_, ec);
    delete root_;
    delete creds_;
    root_ = nullptr;
    creds_ = nullptr;
  }

  void SetUp() override {
    data_dir_ = NewTempDir("data");
    std::string g = crypto::ReadFile(*root_ + "/genesis.entry").value();
    ASSERT_TRUE(genesis_.ParseFromString(g));
    ASSERT_TRUE(OpenService(&genesis_));
  }

  void TearDown() override {
    svc_.reset();
    std::error_code ec;
    std::filesystem::remove_all(data_dir_, ec);
  }

  // (Re)opens the service on data_dir_; the view is rebuilt from the board.
  bool OpenService(const v1::SignedEntry* genesis) {
    auto ca = crypto::Certificate::FromPem(crypto::ReadFile(*root_ + "/ca/ca.pem").value());
    EXPECT_TRUE(ca.ok()) << ca.status().ToString();
    auto key = crypto::PrivateKey::FromPem(crypto::ReadFile(*root_ + "/server/signing.key").value());
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    if (!ca.ok() || !key.ok()) return false;
    MeetingServiceOptions options;
    options.data_dir = data_dir_;
    auto svc = MeetingService::Open(options, *ca, std::move(key).value(), genesis);
    EXPECT_TRUE(svc.ok()) << svc.status().ToString();
    if (!svc.ok()) return false;
    svc_ = std::move(svc).value();
    view_ = record::BoardView();
    return Sync();
  }

  static const certs::Credentials& Creds(const std::string& id) { return creds_->at(id); }
  static Identity Who(const std::string& id) { return Identity{Creds(id).cert.Pin(), id}; }

  // Reads the entries the view lacks.
  bool Sync() {
    for (;;) {
      v1::Envelope req;
      req.mutable_get_entries()->set_from_seq(view_.length());
      v1::Envelope resp = svc_->Handle(Who(kChair), req);
      EXPECT_TRUE(resp.has_entries()) << resp.DebugString();
      if (!resp.has_entries()) return false;
      if (resp.entries().entries_size() == 0) return true;
      for (const auto& e : resp.entries().entries()) {
        Status s = view_.Apply(e);
        EXPECT_TRUE(s.ok()) << s.ToString();
        if (!s.ok()) return false;
      }
    }
  }

  v1::SignedEntry SignAs(const std::string& id, v1::EntryBody body) {
    body.set_meeting_id(view_.meeting().id());
    v1::SignedEntry se;
    EXPECT_TRUE(body.SerializeToString(se.mutable_body()));
    se.set_author(Creds(id).cert.Pin());
    se.set_signature(Creds(id).key.Sign(crypto::kEntryDomain, se.body()).value());
    return se;
  }

  v1::Envelope PostSigned(const Identity& who, const v1::SignedEntry& se) {
    v1::Envelope req;
    req.set_request_id(7);
    *req.mutable_post()->mutable_entry() = se;
    v1::Envelope resp = svc_->Handle(who, req);
    EXPECT_EQ(resp.request_id(), 7u);
    Sync();
    return resp;
  }

  // Signs with the participant's key and posts on the participant's connection.
  v1::Envelope Post(const std::string& id, const v1::EntryBody& body) {
    return PostSigned(Who(id), SignAs(id, body));
  }

  void ExpectPosted(const v1::Envelope& resp) {
    EXPECT_TRUE(resp.has_posted()) << resp.DebugString();
  }
  void ExpectError(const v1::Envelope& resp, v1::ErrorCode code, const std::string& words) {
    ASSERT_TRUE(resp.has_error()) << resp.DebugString();
    EXPECT_EQ(resp.error().code(), code) << resp.error().message();
    EXPECT_NE(resp.error().message().find(words), std::string::npos) << resp.error().message();
  }

  // Every unit checks itself in (quorum), as its delegate.
  void CheckInAll() {
    for (const auto& p : view_.meeting().participants()) {
      if (p.unit_id().empty()) continue;
      v1::EntryBody body;
      body.mutable_check_in()->set_unit_id(p.unit_id());
      body.mutable_check_in()->set_own_pin(Creds(p.id()).cert.Pin());
      ExpectPosted(Post(p.id(), body));
    }
  }

  // The chair starts the ceremony; three tellers drive it as
  // client/teller_ceremony.cc does, until the server posts CeremonyDone.
  void RunCeremony() {
    const v1::TellerSettings& ts = view_.meeting().tellers();
    v1::EntryBody start;
    start.mutable_ceremony_start()->set_attempt(view_.ceremony().attempt + 1);
    for (const auto& id : ts.participant_ids()) start.mutable_ceremony_start()->add_teller_ids(id);
    start.mutable_ceremony_start()->set_threshold(ts.threshold());
    ExpectPosted(Post(kChair, start));

    std::map<std::string, std::optional<crypto::CeremonyTeller>> tellers;
    std::map<std::string, std::set<uint32_t>> received;
    using Phase = crypto::CeremonyRecord::Phase;
    for (int round = 0; round < 20 && !view_.key_ready(); ++round) {
      for (const auto& id : ts.participant_ids()) {
        if (view_.key_ready()) break;
        const uint32_t me = record::TellerIndex(view_, id);
        ASSERT_NE(me, 0u) << id;
        auto rec = record::CeremonyRecordOf(view_);
        ASSERT_TRUE(rec.ok()) << rec.status().ToString();
        if (!tellers[id]) {
          auto t = crypto::CeremonyTeller::Create(*rec, me);
          ASSERT_TRUE(t.ok()) << t.status().ToString();
          tellers[id].emplace(std::move(t).value());
        }
        crypto::CeremonyTeller& teller = *tellers[id];
        v1::EntryBody body;
        switch (rec->phase()) {
          case Phase::kCommit:
            if (rec->commit(me)) continue;
            *body.mutable_ceremony_commit() = teller.Commit().value();
            break;
          case Phase::kReveal:
            if (rec->reveal(me)) continue;
            *body.mutable_ceremony_reveal() = teller.Reveal().value();
            break;
          case Phase::kShares: {
            if (rec->shares(me)) continue;
            auto shares = teller.Shares(*rec);
            ASSERT_TRUE(shares.ok()) << shares.status().ToString();
            *body.mutable_ceremony_shares() = *shares;
            break;
          }
          case Phase::kSettle: {
            for (uint32_t sender = 1; sender <= rec->n(); ++sender) {
              if (sender == me || received[id].count(sender) || !rec->shares(sender)) continue;
              auto complaint = teller.ReceiveShare(*rec, sender);
              ASSERT_TRUE(complaint.ok()) << complaint.status().ToString();
              ASSERT_FALSE(complaint->has_value()) << "bad share from " << sender;
              received[id].insert(sender);
            }
            if (rec->test_decryption(me)) continue;
            auto test = teller.TestDecryption(*rec);
            ASSERT_TRUE(test.ok()) << test.status().ToString();
            *body.mutable_ceremony_test_decryption() = *test;
            break;
          }
          case Phase::kDone:
          case Phase::kFailed:
            FAIL() << "ceremony ended without a CeremonyDone entry";
        }
        ExpectPosted(Post(id, body));
      }
    }
    ASSERT_TRUE(view_.key_ready());
  }

  // Check-in, ceremony, open: returns the run id.
  std::string OpenRun() {
    CheckInAll();
    RunCeremony();
    v1::EntryBody open;
    open.mutable_open()->set_ballot_id(kBallot);
    open.mutable_open()->set_round(1);
    open.mutable_open()->set_ceremony_done(view_.ceremony().done_entry);
    ExpectPosted(Post(kChair, open));
    const record::Run* run = view_.OpenRun(kBallot);
    EXPECT_NE(run, nullptr);
    return run ? run->run_id : "";
  }

  // The ballot of `unit` for `choice`, encrypted to the joint key.
  v1::EntryBody Ballot(const std::string& run_id, const std::string& unit, const std::string& choice) {
    v1::EntryBody body;
    const record::Run* run = view_.FindRun(run_id);
    EXPECT_NE(run, nullptr);
    if (!run) return body;
    auto layout = record::VoterLayoutFor(view_, *run, unit);
    EXPECT_TRUE(layout.ok()) << layout.status().ToString();
    auto marks = rules::MarksFor(*layout, *view_.Spec(kBallot), {choice}, unit);
    EXPECT_TRUE(marks.ok()) << marks.status().ToString();
    auto ctx = record::RunContext(view_, *run);
    auto key = record::JointKey(view_);
    EXPECT_TRUE(ctx.ok() && key.ok());
    crypto::BallotSecrets secrets;
    auto enc = crypto::EncryptBallot(*ctx, *key, *layout, *marks, run_id, unit, &secrets);
    EXPECT_TRUE(enc.ok()) << enc.status().ToString();
    *body.mutable_ballot() = *enc;
    return body;
  }

  v1::Genesis GenesisBody() const {
    v1::EntryBody body;
    EXPECT_TRUE(body.ParseFromString(genesis_.body()));
    return body.genesis();
  }

  static std::string* root_;
  static std::map<std::string, certs::Credentials>* creds_;
  std::string data_dir_;
  v1::SignedEntry genesis_;
  std::unique_ptr<MeetingService> svc_;
  record::BoardView view_;
};

std::string* MeetingServiceTest::root_ = nullptr;
std::map<std::string, certs::Credentials>* MeetingServiceTest::creds_ = nullptr;

TEST_F(MeetingServiceTest, CastGivesAReceiptSignedByTheServerKeyOfTheGenesis) {
  std::string run_id = OpenRun();
  v1::EntryBody ballot = Ballot(run_id, "cao-bang", "son-la");
  v1::Envelope resp = Post(kThu, ballot);
  ASSERT_TRUE(resp.has_posted()) << resp.DebugString();
  const v1::SignedReceipt& sr = resp.posted().receipt();
  v1::Receipt r;
  ASSERT_TRUE(r.ParseFromString(sr.receipt()));
  EXPECT_EQ(r.meeting_id(), "cum4-2024");
  EXPECT_EQ(r.run_id(), run_id);
  EXPECT_EQ(r.unit_id(), "cao-bang");
  EXPECT_EQ(r.seq(), resp.posted().seq());
  EXPECT_EQ(r.entry_hash(), resp.posted().entry_hash());
  EXPECT_EQ(r.tracking_code(), Hex(crypto::TrackingCode(ballot.ballot())));

  auto server_key = crypto::PublicKey::FromEd25519Raw(GenesisBody().server_signing_key());
  ASSERT_TRUE(server_key.ok()) << server_key.status().ToString();
  Status s = server_key->Verify(crypto::kReceiptDomain, sr.receipt(), sr.signature());
  EXPECT_TRUE(s.ok()) << s.ToString();
  // The signature is bound to the receipt's bytes and domain.
  EXPECT_FALSE(server_key->Verify(crypto::kEntryDomain, sr.receipt(), sr.signature()).ok());
  std::string altered = sr.receipt();
  altered[altered.size() / 2] ^= 1;
  EXPECT_FALSE(server_key->Verify(crypto::kReceiptDomain, altered, sr.signature()).ok());
}

TEST_F(MeetingServiceTest, IdenticalResendGetsTheSameSeqAndASecondBallotIsRefused) {
  std::string run_id = OpenRun();
  v1::SignedEntry first = SignAs(kThu, Ballot(run_id, "cao-bang", "son-la"));
  v1::Envelope a = PostSigned(Who(kThu), first);
  ASSERT_TRUE(a.has_posted()) << a.DebugString();
  const uint64_t length = view_.length();

  v1::Envelope again = PostSigned(Who(kThu), first);
  ASSERT_TRUE(again.has_posted()) << again.DebugString();
  EXPECT_EQ(again.posted().seq(), a.posted().seq());
  EXPECT_EQ(again.posted().entry_hash(), a.posted().entry_hash());
  EXPECT_EQ(again.posted().receipt().receipt(), a.posted().receipt().receipt());
  EXPECT_EQ(view_.length(), length);  // nothing appended

  v1::EntryBody other = Ballot(run_id, "cao-bang", "lao-cai");
  v1::Envelope second = Post(kThu, other);
  ExpectError(second, v1::ERROR_ALREADY_VOTED, "already voted");
  v1::EntryBody stored;
  ASSERT_TRUE(stored.ParseFromString(first.body()));
  EXPECT_EQ(second.error().tracking_code(), Hex(crypto::TrackingCode(stored.ballot())));
  EXPECT_EQ(view_.length(), length);
}

TEST_F(MeetingServiceTest, CastAfterCloseIsWrongPhase) {
  std::string run_id = OpenRun();
  ExpectPosted(Post(kChair, Ballot(run_id, "son-la", "cao-bang")));
  v1::EntryBody close;
  close.mutable_close()->set_run_id(run_id);
  ExpectPosted(Post(kChair, close));
  ASSERT_TRUE(view_.FindRun(run_id)->closed);

  ExpectError(Post(kThu, Ballot(run_id, "cao-bang", "son-la")), v1::ERROR_WRONG_PHASE, "closed");
  EXPECT_EQ(view_.FindRun(run_id)->ballots.count("cao-bang"), 0u);
}

TEST_F(MeetingServiceTest, ADelegateMayNotOpenOrClose) {
  CheckInAll();
  RunCeremony();
  v1::EntryBody open;
  open.mutable_open()->set_ballot_id(kBallot);
  open.mutable_open()->set_round(1);
  open.mutable_open()->set_ceremony_done(view_.ceremony().done_entry);
  ExpectError(Post(kThu, open), v1::ERROR_PERMISSION_DENIED, "only the chair may open a ballot");
  EXPECT_EQ(view_.OpenRun(kBallot), nullptr);

  ExpectPosted(Post(kChair, open));
  const record::Run* run = view_.OpenRun(kBallot);
  ASSERT_NE(run, nullptr);
  v1::EntryBody close;
  close.mutable_close()->set_run_id(run->run_id);
  ExpectError(Post(kThu, close), v1::ERROR_PERMISSION_DENIED, "only the chair may close a ballot");
  EXPECT_FALSE(view_.FindRun(run->run_id)->closed);
}

TEST_F(MeetingServiceTest, TamperedProofIsRefused) {
  std::string run_id = OpenRun();
  v1::EntryBody ballot = Ballot(run_id, "cao-bang", "son-la");
  ASSERT_GT(ballot.ballot().cell_proofs_size(), 0);
  ASSERT_GT(ballot.ballot().cell_proofs(0).responses_size(), 0);
  std::string* response = ballot.mutable_ballot()->mutable_cell_proofs(0)->mutable_responses(0);
  ASSERT_FALSE(response->empty());
  response->back() ^= 0x01;  // the low byte: still a scalar, no longer a proof
  const uint64_t length = view_.length();
  ExpectError(Post(kThu, ballot), v1::ERROR_VERIFICATION_FAILED, "ballot of 'cao-bang'");
  EXPECT_EQ(view_.length(), length);
  // The untampered ballot is still accepted afterwards.
  ExpectPosted(Post(kThu, Ballot(run_id, "cao-bang", "son-la")));
}

TEST_F(MeetingServiceTest, EntrySignedForAnotherPinIsRefused) {
  std::string run_id = OpenRun();
  // Thư's ballot, correctly signed by Thư, arriving on Lạng Sơn's connection.
  v1::SignedEntry se = SignAs(kThu, Ballot(run_id, "cao-bang", "son-la"));
  const uint64_t length = view_.length();
  ExpectError(PostSigned(Who("dai-bieu-lang-son"), se), v1::ERROR_PERMISSION_DENIED,
              "signed for another certificate");
  EXPECT_EQ(view_.length(), length);
}

TEST_F(MeetingServiceTest, RestartKeepsTheBallot) {
  std::string run_id = OpenRun();
  v1::EntryBody ballot = Ballot(run_id, "cao-bang", "son-la");
  v1::Envelope posted = Post(kThu, ballot);
  ASSERT_TRUE(posted.has_posted()) << posted.DebugString();
  const uint64_t length = svc_->chain_length();

  svc_.reset();
  ASSERT_TRUE(OpenService(nullptr));
  EXPECT_EQ(svc_->chain_length(), length);

  v1::Envelope req;
  req.mutable_my_ballot()->set_run_id(run_id);
  v1::Envelope resp = svc_->Handle(Who(kThu), req);
  ASSERT_TRUE(resp.has_my_ballot_answer()) << resp.DebugString();
  EXPECT_TRUE(resp.my_ballot_answer().counted());
  v1::Receipt r;
  ASSERT_TRUE(r.ParseFromString(resp.my_ballot_answer().receipt().receipt()));
  EXPECT_EQ(r.tracking_code(), Hex(crypto::TrackingCode(ballot.ballot())));
  EXPECT_EQ(r.seq(), posted.posted().seq());
  EXPECT_EQ(resp.my_ballot_answer().receipt().receipt(), posted.posted().receipt().receipt());

  // A unit that has not voted: not counted.
  req.mutable_my_ballot()->set_unit_id("lang-son");
  resp = svc_->Handle(Who("dai-bieu-lang-son"), req);
  ASSERT_TRUE(resp.has_my_ballot_answer()) << resp.DebugString();
  EXPECT_FALSE(resp.my_ballot_answer().counted());
}

TEST_F(MeetingServiceTest, AuthenticateRefusesAnUnknownPin) {
  auto unknown = svc_->Authenticate(std::string(64, '0'), "");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(unknown.status().message().find("not pinned by the roster"), std::string::npos)
      << unknown.status().message();

  auto known = svc_->Authenticate(Creds(kThu).cert.Pin(), Creds(kThu).cert.Der());
  ASSERT_TRUE(known.ok()) << known.status().ToString();
  EXPECT_EQ(known->participant_id, kThu);
}

// ---------------------------------------------------------------- Benaloh challenge

// Spoiled ballots: the caster reveals an encryption (client::MakeChallenge,
// as `phieu vote --challenge` does); it is published, never counted, and its
// encryption can never be cast.
class SpoilTest : public MeetingServiceTest {
 protected:
  v1::EntryBody Spoil(const std::string& run_id, const std::string& unit, const std::string& choice) {
    v1::EntryBody body;
    const record::Run* run = view_.FindRun(run_id);
    EXPECT_NE(run, nullptr);
    if (!run) return body;
    auto layout = record::VoterLayoutFor(view_, *run, unit);
    auto marks = rules::MarksFor(*layout, *view_.Spec(kBallot), {choice}, unit);
    EXPECT_TRUE(marks.ok()) << marks.status().ToString();
    auto spoiled = client::MakeChallenge(view_, *run, unit, *marks);
    EXPECT_TRUE(spoiled.ok()) << spoiled.status().ToString();
    *body.mutable_spoiled() = *spoiled;
    return body;
  }
  static std::string Code(const v1::EncryptedBallot& b) { return Hex(crypto::TrackingCode(b)); }
};

TEST_F(SpoilTest, SpoiledBallotIsPublishedNeverCountedAndNeverCast) {
  std::string run_id = OpenRun();
  v1::SignedEntry spoil = SignAs(kThu, Spoil(run_id, "cao-bang", "son-la"));
  v1::Envelope posted = PostSigned(Who(kThu), spoil);
  ASSERT_TRUE(posted.has_posted()) << posted.DebugString();
  EXPECT_FALSE(posted.posted().has_receipt());  // a receipt is for a cast ballot
  v1::EntryBody body;
  ASSERT_TRUE(body.ParseFromString(spoil.body()));
  const std::string code = Code(body.spoiled().ballot());
  const record::Run* run = view_.FindRun(run_id);
  ASSERT_EQ(run->spoiled_seqs.size(), 1u);
  EXPECT_EQ(run->spoiled_seqs[0], posted.posted().seq());
  EXPECT_EQ(run->spoiled_codes.at(code), posted.posted().seq());
  EXPECT_TRUE(run->ballots.empty());
  auto stored = svc_->Export();
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->entries_size(), static_cast<int>(view_.length()));

  // An identical resend: the same position, nothing appended.
  const uint64_t length = view_.length();
  v1::Envelope again = PostSigned(Who(kThu), spoil);
  ASSERT_TRUE(again.has_posted()) << again.DebugString();
  EXPECT_EQ(again.posted().seq(), posted.posted().seq());
  EXPECT_EQ(view_.length(), length);

  // The revealed encryption can never be cast.
  v1::EntryBody revealed;
  *revealed.mutable_ballot() = body.spoiled().ballot();
  ExpectError(Post(kThu, revealed), v1::ERROR_WRONG_PHASE, "this encryption was revealed");
  EXPECT_TRUE(view_.FindRun(run_id)->ballots.empty());

  // A fresh encryption is cast; afterwards no more challenges, and a cast
  // ballot is never revealed.
  v1::EntryBody cast = Ballot(run_id, "cao-bang", "son-la");
  ExpectPosted(Post(kThu, cast));
  ExpectError(Post(kThu, Spoil(run_id, "cao-bang", "son-la")), v1::ERROR_WRONG_PHASE,
              "has already cast its ballot in this run");
  v1::EntryBody spoil_cast;
  *spoil_cast.mutable_spoiled()->mutable_ballot() = cast.ballot();
  ExpectError(Post(kThu, spoil_cast), v1::ERROR_WRONG_PHASE, "a cast ballot is never revealed");
  EXPECT_EQ(view_.length(), length + 1);

  // The tally lists the cast ballot only.
  ExpectPosted(Post(kChair, Ballot(run_id, "son-la", "cao-bang")));
  v1::EntryBody close;
  close.mutable_close()->set_run_id(run_id);
  ExpectPosted(Post(kChair, close));
  run = view_.FindRun(run_id);
  ASSERT_FALSE(run->tally_entry.empty());
  const v1::Tally& tally = view_.body(run->tally_seq).tally();
  EXPECT_EQ(tally.ballot_entries_size(), 2);
  for (const auto& id : tally.ballot_entries()) {
    EXPECT_NE(id, record::EntryId(view_.entry(run->spoiled_seqs[0])));
  }
  ExpectError(Post(kThu, Spoil(run_id, "son-la", "cao-bang")), v1::ERROR_PERMISSION_DENIED, "may not check");
}

TEST_F(SpoilTest, RefusedSpoils) {
  std::string run_id = OpenRun();
  const uint64_t length = view_.length();
  // Only the unit's caster may spoil for it.
  ExpectError(Post(kChair, Spoil(run_id, "cao-bang", "son-la")), v1::ERROR_PERMISSION_DENIED,
              "may not check encryptions of the ballot of 'cao-bang'");
  // A revealed choice that is not what was encrypted.
  v1::EntryBody lie = Spoil(run_id, "cao-bang", "son-la");
  for (int i = 0; i < lie.spoiled().choices_size(); ++i) {
    lie.mutable_spoiled()->set_choices(i, 1 - lie.spoiled().choices(i));
  }
  ExpectError(Post(kThu, lie), v1::ERROR_VERIFICATION_FAILED, "does not match its revealed choice");
  // Randomness that is not the encryption's.
  v1::EntryBody wrong = Spoil(run_id, "cao-bang", "son-la");
  wrong.mutable_spoiled()->set_randomness(0, Spoil(run_id, "cao-bang", "son-la").spoiled().randomness(0));
  ExpectError(Post(kThu, wrong), v1::ERROR_VERIFICATION_FAILED, "spoiled: cell 0 does not match");
  EXPECT_EQ(view_.length(), length);

  // A different entry for an encryption already revealed.
  v1::EntryBody first = Spoil(run_id, "cao-bang", "lao-cai");
  ExpectPosted(Post(kThu, first));
  v1::EntryBody altered = first;
  altered.mutable_spoiled()->set_randomness(0, wrong.spoiled().randomness(0));
  ExpectError(Post(kThu, altered), v1::ERROR_ALREADY_VOTED, "already revealed");

  // The cap: 10 per unit per run.
  for (int i = 1; i < 10; ++i) ExpectPosted(Post(kThu, Spoil(run_id, "cao-bang", "son-la")));
  ExpectError(Post(kThu, Spoil(run_id, "cao-bang", "son-la")), v1::ERROR_WRONG_PHASE,
              "has already checked 10 encryptions in this run, the most allowed");
  // Other units are not limited by it, and the unit still casts.
  ExpectPosted(Post(kChair, Spoil(run_id, "son-la", "cao-bang")));
  ExpectPosted(Post(kThu, Ballot(run_id, "cao-bang", "son-la")));
  EXPECT_EQ(view_.FindRun(run_id)->spoiled_seqs.size(), 11u);

  // Once closed, no more.
  v1::EntryBody close;
  close.mutable_close()->set_run_id(run_id);
  ExpectPosted(Post(kChair, close));
  ExpectError(Post(kChair, Spoil(run_id, "son-la", "cao-bang")), v1::ERROR_WRONG_PHASE, "this ballot is closed");
}

// The second device: finds the spoiled ballot by its tracking code (or a
// prefix) on the board and checks it, naming the choices.
TEST_F(SpoilTest, SecondDeviceChecksBySpoiledCode) {
  std::string run_id = OpenRun();
  v1::EntryBody spoil = Spoil(run_id, "cao-bang", "son-la");
  ExpectPosted(Post(kThu, spoil));
  const std::string code = Code(spoil.spoiled().ballot());
  auto check = client::CheckSpoiledByCode(view_, code.substr(0, 12));
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->tracking_code, code);
  EXPECT_EQ(check->unit_id, "cao-bang");
  EXPECT_EQ(check->ballot_id, kBallot);
  const v1::BallotSpec& spec = *view_.Spec(kBallot);
  std::string son_la;
  for (const auto& c : spec.candidates()) {
    if (c.id() == "son-la") son_la = c.name();
  }
  ASSERT_EQ(check->choices.size(), 1u);
  EXPECT_EQ(check->choices[0], son_la);

  // A cast ballot's code is not a spoiled one; a short or unknown code is refused.
  v1::EntryBody cast = Ballot(run_id, "cao-bang", "son-la");
  ExpectPosted(Post(kThu, cast));
  auto of_cast = client::CheckSpoiledByCode(view_, Code(cast.ballot()));
  ASSERT_FALSE(of_cast.ok());
  EXPECT_NE(of_cast.status().message().find("CAST ballot"), std::string::npos) << of_cast.status().message();
  EXPECT_EQ(client::CheckSpoiledByCode(view_, code.substr(0, 7)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client::CheckSpoiledByCode(view_, std::string(64, 'f')).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace phieu::server

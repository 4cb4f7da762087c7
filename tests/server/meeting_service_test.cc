// MeetingService in-process, with no network: a whole meeting's keys made by
// `certs init` (MeetingDirectory::InitAll), the key ceremony run by three
// CeremonyTeller objects, then the acceptance rules for ballots and chair
// entries, the signed receipt, and a restart on the same data directory.
#include "server/meeting_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "certs/meeting_ca.h"
#include "certs/meeting_directory.h"
#include "certs/profile.h"
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

// Group commit: ballots posted at the same time from many threads share
// commits; each gets a receipt for its own committed entry, and a unit that
// sends two different ballots at once (possibly in one batch) has exactly one
// counted; an identical resend racing its original gets the original receipt.
TEST_F(MeetingServiceTest, ConcurrentCastsKeepOneBallotPerUnit) {
  std::string run_id = OpenRun();
  struct Cast {
    std::string author;
    v1::SignedEntry entry;
    v1::Envelope response;
  };
  std::vector<Cast> casts;
  for (const auto& p : view_.meeting().participants()) {
    if (p.unit_id().empty()) continue;
    const std::string choice = p.unit_id() == "son-la" ? "cao-bang" : "son-la";
    casts.push_back({p.id(), SignAs(p.id(), Ballot(run_id, p.unit_id(), choice)), {}});
  }
  const size_t units = casts.size();
  ASSERT_GE(units, 5u);
  const v1::SignedEntry thu_first = SignAs(kThu, Ballot(run_id, "cao-bang", "son-la"));
  const v1::SignedEntry thu_other = SignAs(kThu, Ballot(run_id, "cao-bang", "lao-cai"));
  for (auto& c : casts) {
    if (c.author == kThu) c.entry = thu_first;
  }
  casts.push_back({kThu, thu_first, {}});
  casts.push_back({kThu, thu_other, {}});

  std::atomic<size_t> ready{0};
  std::vector<std::thread> threads;
  for (auto& c : casts) {
    threads.emplace_back([&, cast = &c] {
      ready.fetch_add(1);
      while (ready.load() < casts.size()) std::this_thread::yield();
      v1::Envelope req;
      *req.mutable_post()->mutable_entry() = cast->entry;
      cast->response = svc_->Handle(Who(cast->author), req);
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(Sync());

  const record::Run* run = view_.FindRun(run_id);
  ASSERT_NE(run, nullptr);
  ASSERT_EQ(run->ballots.size(), units);
  const uint64_t thu_seq = run->ballots.at("cao-bang").seq;
  const std::string thu_code =
      Hex(crypto::TrackingCode(view_.body(thu_seq).ballot()));
  std::set<uint64_t> seqs;
  size_t thu_posted = 0;
  for (const auto& c : casts) {
    if (c.author != kThu) {
      ASSERT_TRUE(c.response.has_posted()) << c.author << ": " << c.response.DebugString();
      seqs.insert(c.response.posted().seq());
    } else if (c.response.has_posted()) {
      ++thu_posted;
      EXPECT_EQ(c.response.posted().seq(), thu_seq);
    } else {
      ExpectError(c.response, v1::ERROR_ALREADY_VOTED, "already voted");
      EXPECT_EQ(c.response.error().tracking_code(), thu_code);
      continue;
    }
    const v1::Posted& posted = c.response.posted();
    EXPECT_EQ(posted.entry_hash(), view_.entry(posted.seq()).hash());
    v1::Receipt r;
    ASSERT_TRUE(r.ParseFromString(posted.receipt().receipt()));
    EXPECT_EQ(r.seq(), posted.seq());
  }
  // Everyone else has a distinct entry; cao-bang's one entry answered one or
  // both copies of the same ballot, or the other ballot alone.
  EXPECT_EQ(seqs.size(), units - 1);
  EXPECT_FALSE(seqs.count(thu_seq));
  EXPECT_TRUE(thu_posted == 2 || thu_posted == 1) << thu_posted;
  if (thu_posted == 1) {
    EXPECT_EQ(view_.entry(thu_seq).signed_().body(), thu_other.body());
  }
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

}  // namespace
}  // namespace phieu::server

// MeetingService in-process, with no network (the meeting and its key
// ceremony: tests/server/meeting_harness.h): the acceptance rules for ballots and chair
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

#include "client/audit.h"
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/keys.h"
#include "core/record/run_support.h"
#include "core/rules/layout.h"
#include "core/util/bytes.h"
#include "tests/server/meeting_harness.h"

namespace phieu::server {
namespace {

class MeetingServiceTest : public MeetingHarness {};

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

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

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/keys.h"
#include "core/record/run_support.h"
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
  const v1::EntryBody open = OpenBody();
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

// The tally's totals are the sum of the run's ballots whether the server kept
// them as a running aggregate (every ballot cast since it started) or has to
// add them from the board at the close (it restarted while the run was open).
class TallyTest : public MeetingServiceTest {
 protected:
  // Casts the ballot of every unit whose index is in [from, to).
  void CastUnits(const std::string& run_id, size_t from, size_t to) {
    size_t i = 0;
    for (const auto& p : view_.meeting().participants()) {
      if (p.unit_id().empty()) continue;
      if (i >= from && i < to) {
        const std::string choice = p.unit_id() == "son-la" ? "cao-bang" : "son-la";
        ExpectPosted(Post(p.id(), Ballot(run_id, p.unit_id(), choice)));
      }
      ++i;
    }
  }
  void CloseAndExpectTheBoardsSum(const std::string& run_id, size_t ballots) {
    v1::EntryBody close;
    close.mutable_close()->set_run_id(run_id);
    ExpectPosted(Post(kChair, close));
    ASSERT_TRUE(Sync());
    const record::Run* run = view_.FindRun(run_id);
    ASSERT_NE(run, nullptr);
    ASSERT_FALSE(run->tally_entry.empty());
    ASSERT_EQ(run->ballots.size(), ballots);
    const v1::Tally& tally = view_.body(run->tally_seq).tally();
    ASSERT_EQ(static_cast<size_t>(tally.ballot_entries_size()), ballots);
    auto agg = record::RunAggregate::Create(view_, *run);
    ASSERT_TRUE(agg.ok()) << agg.status().ToString();
    for (const auto& [unit, ref] : run->ballots) {
      ASSERT_TRUE(agg->Add(view_.body(ref.seq).ballot(), view_.Weight(unit)).ok());
    }
    auto expected = agg->ToProto();
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    ASSERT_EQ(static_cast<size_t>(tally.totals_size()), expected->size());
    for (int i = 0; i < tally.totals_size(); ++i) {
      EXPECT_EQ(tally.totals(i).SerializeAsString(), (*expected)[i].SerializeAsString()) << "cell " << i;
    }
  }
};

TEST_F(TallyTest, RunningAggregateIsTheSumOfTheBallots) {
  std::string run_id = OpenRun();
  CastUnits(run_id, 0, 4);
  CloseAndExpectTheBoardsSum(run_id, 4);
}

TEST_F(TallyTest, CloseAndCancelDropTheRunningAggregate) {
  std::string run_id = OpenRun();
  EXPECT_EQ(svc_->running_aggregates(), 0u);
  CastUnits(run_id, 0, 2);
  EXPECT_EQ(svc_->running_aggregates(), 1u);
  v1::EntryBody cancel;
  cancel.mutable_cancel()->set_run_id(run_id);
  cancel.mutable_cancel()->set_reason("test");
  ExpectPosted(Post(kChair, cancel));
  EXPECT_EQ(svc_->running_aggregates(), 0u);
}

TEST_F(TallyTest, ClosedRunKeepsNoRunningAggregate) {
  std::string run_id = OpenRun();
  CastUnits(run_id, 0, 3);
  EXPECT_EQ(svc_->running_aggregates(), 1u);
  CloseAndExpectTheBoardsSum(run_id, 3);
  EXPECT_EQ(svc_->running_aggregates(), 0u);
}

TEST_F(TallyTest, RestartWhileOpenTalliesFromTheBoard) {
  std::string run_id = OpenRun();
  CastUnits(run_id, 0, 2);
  svc_.reset();
  ASSERT_TRUE(OpenService(nullptr));
  CastUnits(run_id, 2, 4);
  CloseAndExpectTheBoardsSum(run_id, 4);
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

// Cast or check (Benaloh): client::PreparedBallot, the delegate's ballot
// encrypted and signed before the decision, decided through MeetingService
// in-process (tests/server/meeting_harness.h); and the app's store of
// prepared ballots waiting for the page's decision (client/app/app_backend.h).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "client/app/app_backend.h"
#include "client/audit.h"
#include "client/ballot_cast.h"
#include "core/crypto/ballot_crypto.h"
#include "core/util/bytes.h"
#include "server/meeting_service.h"
#include "tests/server/meeting_harness.h"

namespace phieu::server {
namespace {

using client::PreparedBallot;

class PreparedBallotTest : public MeetingHarness {
 protected:
  PreparedBallot::Signer Signer(const std::string& id) {
    return [this, id](v1::EntryBody b) -> Result<v1::SignedEntry> { return SignAs(id, std::move(b)); };
  }
  std::unique_ptr<PreparedBallot> Prepare(const std::string& run_id, const std::string& choice) {
    const record::Run* run = view_.FindRun(run_id);
    EXPECT_NE(run, nullptr);
    if (!run) return nullptr;
    auto p = PreparedBallot::Prepare(view_, *run, "cao-bang", {choice}, Signer(kThu));
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : nullptr;
  }
  static std::string CodeOf(const v1::SignedEntry& se) {
    v1::EntryBody body;
    EXPECT_TRUE(body.ParseFromString(se.body()));
    return Hex(crypto::TrackingCode(body.ballot()));
  }
};

TEST_F(PreparedBallotTest, CastSendsTheEncryptionWhoseCodeWasShownAndWipesTheSecrets) {
  const std::string run_id = OpenRun();
  auto p = Prepare(run_id, "son-la");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->state(), PreparedBallot::State::kPrepared);
  EXPECT_EQ(p->tracking_code().size(), 64u);
  EXPECT_FALSE(p->SecretsWipedForTest());  // the marks and randomness are held until the decision

  auto entry = p->TakeForCast();
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_TRUE(p->SecretsWipedForTest());
  EXPECT_EQ(p->state(), PreparedBallot::State::kCast);
  EXPECT_EQ(CodeOf(*entry), p->tracking_code());

  v1::Envelope posted = PostSigned(Who(kThu), *entry);
  ASSERT_TRUE(posted.has_posted()) << posted.DebugString();
  v1::Receipt receipt;
  ASSERT_TRUE(receipt.ParseFromString(posted.posted().receipt().receipt()));
  EXPECT_EQ(receipt.tracking_code(), p->tracking_code());
  ASSERT_TRUE(Sync());
  EXPECT_EQ(view_.FindRun(run_id)->ballots.count("cao-bang"), 1u);

  // One decision only.
  auto again = p->TakeForCheck();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("already cast"), std::string::npos);
  EXPECT_FALSE(p->TakeForCast().ok());
}

TEST_F(PreparedBallotTest, CheckRevealsThatEncryptionWhichIsThenNeverCast) {
  const std::string run_id = OpenRun();
  auto p = Prepare(run_id, "lao-cai");
  ASSERT_NE(p, nullptr);
  const std::string code = p->tracking_code();

  auto body = p->TakeForCheck();
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_TRUE(p->SecretsWipedForTest());
  EXPECT_EQ(p->state(), PreparedBallot::State::kChecked);
  ASSERT_TRUE(body->has_spoiled());
  EXPECT_EQ(Hex(crypto::TrackingCode(body->spoiled().ballot())), code);
  ExpectPosted(Post(kThu, *body));

  // A second device finds it by its code and reads the choice the delegate made.
  auto check = client::CheckSpoiledByCode(view_, code.substr(0, 16));
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->tracking_code, code);
  ASSERT_FALSE(check->choices.empty());
  EXPECT_NE(check->choices[0].find("Lào Cai"), std::string::npos) << check->choices[0];

  // The checked object can never be cast, and neither can its encryption.
  auto cast = p->TakeForCast();
  ASSERT_FALSE(cast.ok());
  EXPECT_EQ(cast.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(cast.status().message().find("can never be cast"), std::string::npos);
  v1::EntryBody revealed;
  *revealed.mutable_ballot() = body->spoiled().ballot();
  ExpectError(Post(kThu, revealed), v1::ERROR_WRONG_PHASE, "this encryption was revealed");

  // A fresh ballot is a fresh encryption, and it is cast and counted alone.
  auto fresh = Prepare(run_id, "lao-cai");
  ASSERT_NE(fresh, nullptr);
  EXPECT_NE(fresh->tracking_code(), code);
  auto entry = fresh->TakeForCast();
  ASSERT_TRUE(entry.ok());
  ASSERT_TRUE(PostSigned(Who(kThu), *entry).has_posted());
  ExpectPosted(Post(kChair, Ballot(run_id, "son-la", "cao-bang")));
  v1::EntryBody close;
  close.mutable_close()->set_run_id(run_id);
  ExpectPosted(Post(kChair, close));
  const record::Run* run = view_.FindRun(run_id);
  ASSERT_FALSE(run->tally_entry.empty());
  const v1::Tally& tally = view_.body(run->tally_seq).tally();
  EXPECT_EQ(tally.ballot_entries_size(), 2);
  ASSERT_EQ(run->spoiled_seqs.size(), 1u);
  for (const auto& id : tally.ballot_entries()) EXPECT_NE(id, record::EntryId(view_.entry(run->spoiled_seqs[0])));
}

TEST_F(PreparedBallotTest, ChoicesBreakingTheRulesPrepareNothing) {
  const std::string run_id = OpenRun();
  const record::Run* run = view_.FindRun(run_id);
  ASSERT_NE(run, nullptr);
  int signed_count = 0;
  PreparedBallot::Signer counting = [&](v1::EntryBody b) -> Result<v1::SignedEntry> {
    ++signed_count;
    return SignAs(kThu, std::move(b));
  };
  // cao-bang cannot vote for itself; an unknown id is no candidate.
  for (const std::string& choice : {std::string("cao-bang"), std::string("ha-noi")}) {
    auto p = PreparedBallot::Prepare(view_, *run, "cao-bang", {choice}, counting);
    ASSERT_FALSE(p.ok()) << choice;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << p.status().ToString();
  }
  EXPECT_EQ(signed_count, 0);
}

// The app's store: only the page holding the id decides, once; an abandoned
// ballot (replaced, discarded, expired) is gone and never cast.
TEST_F(PreparedBallotTest, AppStoreDecidesOnlyTheLatestLiveBallotOnce) {
  using client::app::PreparedBallots;
  const std::string run_id = OpenRun();
  const auto t0 = PreparedBallots::Clock::now();
  PreparedBallots store(std::chrono::minutes(10));

  auto first = Prepare(run_id, "son-la");
  auto second = Prepare(run_id, "son-la");
  ASSERT_TRUE(first && second);
  const std::string second_code = second->tracking_code();
  const std::string id1 = store.Keep(std::move(first), t0);
  const std::string id2 = store.Keep(std::move(second), t0);
  EXPECT_NE(id1, id2);
  EXPECT_EQ(store.size(), 1u);  // the newer one replaced the first
  auto gone = store.Take(id1, t0);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(store.Take("", t0).ok());

  auto taken = store.Take(id2, t0 + std::chrono::minutes(9));
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ((*taken)->tracking_code(), second_code);
  EXPECT_FALSE(store.Take(id2, t0).ok());  // once

  // The page must confirm the code it showed, for the run and unit it names.
  EXPECT_TRUE(client::app::CheckConfirmed(**taken, second_code, run_id, "cao-bang").ok());
  EXPECT_FALSE(client::app::CheckConfirmed(**taken, second_code.substr(0, 16), run_id, "cao-bang").ok());
  EXPECT_FALSE(client::app::CheckConfirmed(**taken, second_code, run_id, "son-la").ok());
  EXPECT_FALSE(client::app::CheckConfirmed(**taken, second_code, "other-run", "cao-bang").ok());

  // Not decided in time: dropped.
  const std::string id3 = store.Keep(Prepare(run_id, "son-la"), t0);
  auto late = store.Take(id3, t0 + std::chrono::minutes(11));
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.status().message().find("review the ballot again"), std::string::npos);
  EXPECT_EQ(store.size(), 0u);

  const std::string id4 = store.Keep(Prepare(run_id, "son-la"), t0);
  store.Discard(id4);
  EXPECT_EQ(store.size(), 0u);
  EXPECT_FALSE(store.Take(id4, t0).ok());
}

}  // namespace
}  // namespace phieu::server

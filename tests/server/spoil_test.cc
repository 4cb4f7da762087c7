// Spoiled ballots (Benaloh challenge) through MeetingService in-process: the
// meeting and its key ceremony come from tests/server/meeting_harness.h.
#include <gtest/gtest.h>

#include <string>

#include "client/audit.h"
#include "client/ballot_cast.h"
#include "core/crypto/ballot_crypto.h"
#include "core/record/run_support.h"
#include "core/rules/layout.h"
#include "core/util/bytes.h"
#include "server/meeting_service.h"
#include "tests/server/meeting_harness.h"

namespace phieu::server {
namespace {

class MeetingServiceTest : public MeetingHarness {};


// Spoiled ballots: the caster reveals an encryption it prepared (a
// client::PreparedBallot decided "check", as `phieu vote` and `phieu app` do);
// it is published, never counted, and its encryption can never be cast.
class SpoilTest : public MeetingServiceTest {
 protected:
  v1::EntryBody Spoil(const std::string& run_id, const std::string& unit, const std::string& choice) {
    v1::EntryBody body;
    const record::Run* run = view_.FindRun(run_id);
    EXPECT_NE(run, nullptr);
    if (!run) return body;
    auto prepared = client::PreparedBallot::Prepare(view_, *run, unit, {choice}, Signer(kThu));
    EXPECT_TRUE(prepared.ok()) << prepared.status().ToString();
    if (!prepared.ok()) return body;
    auto spoiled = (*prepared)->TakeForCheck();
    EXPECT_TRUE(spoiled.ok()) << spoiled.status().ToString();
    return spoiled.ok() ? *spoiled : body;
  }
  // Signs as `id` does (the test's stand-in for MeetingClient::Sign).
  client::PreparedBallot::Signer Signer(const std::string& id) {
    return [this, id](v1::EntryBody b) -> Result<v1::SignedEntry> { return SignAs(id, std::move(b)); };
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

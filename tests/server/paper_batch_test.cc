// Paper batches through MeetingService in-process: entered by a teller,
// co-signed by t tellers, counted in the result and flagged; every refusal.
// The meeting and its key ceremony come from tests/server/meeting_harness.h.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/ceremony.h"
#include "core/crypto/certificate.h"
#include "core/crypto/elgamal.h"
#include "core/crypto/keys.h"
#include "core/record/run_support.h"
#include "core/util/bytes.h"
#include "server/meeting_service.h"
#include "tests/server/meeting_harness.h"

namespace phieu::server {
namespace {

class MeetingServiceTest : public MeetingHarness {};

constexpr char kLaoCai[] = "dai-bieu-lao-cai";    // teller 1
constexpr char kHaGiang[] = "dai-bieu-ha-giang";  // teller 2

TEST_F(MeetingServiceTest, PaperBatchIsCheckedSignedByTTellersAndCounted) {
  std::string run_id = OpenRun();
  ExpectPosted(Post(kThu, Ballot(run_id, "cao-bang", "son-la")));
  const std::vector<std::string> units = {"lai-chau", "lang-son"};
  const std::map<std::string, uint32_t> votes = {{"son-la", 1}, {"cao-bang", 1}};

  ExpectError(Post(kThu, PaperBatch(run_id, units, votes, 2, 0, 0)), v1::ERROR_PERMISSION_DENIED,
              "only a teller");
  ExpectError(Post(kLaoCai, PaperBatch(run_id, {"cao-bang"}, {{"son-la", 1}}, 1, 0, 0)), v1::ERROR_WRONG_PHASE,
              "unit 'cao-bang' has an electronic ballot");
  ExpectError(Post(kLaoCai, PaperBatch(run_id, units, votes, 1, 0, 0)), v1::ERROR_BAD_REQUEST,
              "valid + blank + invalid = 1 votes, but its units have 2 votes");
  ExpectError(Post(kLaoCai, PaperBatch(run_id, units, {{"son-la", 1}}, 2, 0, 0)), v1::ERROR_BAD_REQUEST,
              "the counts break constraint 'one choice or blank'");
  ExpectError(Post(kLaoCai, PaperBatch(run_id, {"lai-chau"}, {{"lai-chau", 1}}, 1, 0, 0)), v1::ERROR_BAD_REQUEST,
              "cell 'lai-chau' has 1 votes, more than its units may give it (0)");
  ExpectError(Post(kLaoCai, PaperBatch(run_id, {"lai-chau", "lai-chau"}, votes, 2, 0, 0)), v1::ERROR_BAD_REQUEST,
              "named twice");
  v1::EntryBody blank = PaperBatch(run_id, {"lai-chau"}, {}, 0, 1, 0);
  blank.mutable_paper_batch()->set_counts(7, 0);
  ExpectError(Post(kLaoCai, blank), v1::ERROR_BAD_REQUEST, "the blank cell has 0 votes, the batch says 1 blank");

  v1::Envelope posted = Post(kLaoCai, PaperBatch(run_id, units, votes, 2, 0, 0));
  ASSERT_TRUE(posted.has_posted()) << posted.DebugString();
  const std::string batch_id = Hex(posted.posted().entry_hash());
  ExpectError(Post("dai-bieu-lai-chau", Ballot(run_id, "lai-chau", "son-la")), v1::ERROR_WRONG_PHASE,
              "unit 'lai-chau' voted on paper in this run");
  ExpectError(Post(kHaGiang, PaperBatch(run_id, {"lang-son"}, {{"son-la", 1}}, 1, 0, 0)), v1::ERROR_WRONG_PHASE,
              "already in paper batch " + batch_id.substr(0, 16));

  v1::EntryBody close;
  close.mutable_close()->set_run_id(run_id);
  ExpectError(Post(kChair, close), v1::ERROR_WRONG_PHASE,
              "paper batch " + batch_id.substr(0, 16) + " has 1 of 2 teller signatures");
  v1::EntryBody sign;
  sign.mutable_paper_batch_signature()->set_batch_entry_hash(batch_id);
  ExpectError(Post(kLaoCai, sign), v1::ERROR_PERMISSION_DENIED, "cannot co-sign its own");
  ExpectError(Post(kThu, sign), v1::ERROR_PERMISSION_DENIED, "only a teller");
  ExpectPosted(Post(kHaGiang, sign));
  ExpectError(Post(kHaGiang, sign), v1::ERROR_ALREADY_VOTED, "already signed");
  EXPECT_EQ(record::CountedPaperBatches(*view_.FindRun(run_id)), std::vector<std::string>{batch_id});

  ExpectPosted(Post(kChair, close));
  const record::Run* run = view_.FindRun(run_id);
  ASSERT_FALSE(run->tally_entry.empty()) << "no tally after the close";
  const v1::Tally& tally = view_.body(run->tally_seq).tally();
  ASSERT_EQ(tally.paper_batches_size(), 1);
  EXPECT_EQ(tally.paper_batches(0), batch_id);
  EXPECT_EQ(tally.ballot_entries_size(), 1);
  ExpectError(Post("dai-bieu-dien-bien", sign), v1::ERROR_WRONG_PHASE, "the run is not open");

  auto counts = record::CountsFor(view_, *run);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->received_units(), 3u);
  EXPECT_EQ(counts->paper_units(), 2u);
  EXPECT_EQ(counts->valid_votes(), 3u);
}

TEST_F(MeetingServiceTest, AnAllPaperRunGetsATallyOfPublicZeros) {
  std::string run_id = OpenRun();
  // Every unit on paper: 5 for cao-bang, 1 for son-la (cao-bang's own), 1 blank.
  v1::EntryBody batch = PaperBatch(
      run_id, {"son-la", "cao-bang", "lao-cai", "ha-giang", "lang-son", "lai-chau", "dien-bien"},
      {{"cao-bang", 5}, {"son-la", 1}}, 6, 1, 0);
  v1::Envelope posted = Post(kHaGiang, batch);
  ASSERT_TRUE(posted.has_posted()) << posted.DebugString();
  v1::EntryBody sign;
  sign.mutable_paper_batch_signature()->set_batch_entry_hash(Hex(posted.posted().entry_hash()));
  ExpectPosted(Post(kLaoCai, sign));
  v1::EntryBody close;
  close.mutable_close()->set_run_id(run_id);
  ExpectPosted(Post(kChair, close));

  const record::Run* run = view_.FindRun(run_id);
  ASSERT_FALSE(run->tally_entry.empty()) << "an all-paper run got no tally";
  const v1::Tally& tally = view_.body(run->tally_seq).tally();
  EXPECT_EQ(tally.ballot_entries_size(), 0);
  EXPECT_EQ(tally.paper_batches_size(), 1);
  auto key = record::JointKey(view_);
  ASSERT_TRUE(key.ok());
  ASSERT_EQ(tally.totals_size(), 8);
  for (int i = 0; i < tally.totals_size(); ++i) {
    auto zero = record::EmptyTotal(*key, run_id, static_cast<uint32_t>(i));
    ASSERT_TRUE(zero.ok()) << zero.status().ToString();
    auto got = crypto::FromProto(tally.totals(i));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(got->Equals(*zero)) << "total " << i;
    // (r·G, r·K): it decrypts to zero with the randomness alone.
    if (i > 0) {
      auto previous = record::EmptyTotal(*key, run_id, static_cast<uint32_t>(i - 1));
      EXPECT_FALSE(previous->Equals(*zero)) << "cells " << i - 1 << " and " << i << " share their randomness";
    }
  }
}

}  // namespace
}  // namespace phieu::server

// record::CheckReceipts: receipts and a chain in, findings out. The chain is
// built here entry by entry (bodies the view can index; no proofs needed:
// the receipt check trusts the chain's links, not the ballots' contents),
// with receipts signed by a server key named in the genesis.
#include "core/record/receipt_check.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/keys.h"
#include "core/meeting/meeting_file.h"
#include "core/record/chain.h"
#include "core/util/bytes.h"

namespace phieu::record {
namespace {

constexpr char kBallot[] = "co-thi-dua";

class ReceiptCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::PrivateKey::GenerateEd25519();
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    server_key_ = std::make_unique<crypto::PrivateKey>(std::move(key).value());
    auto meeting = meeting::LoadMeetingFile(std::string(PHIEU_SOURCE_DIR) + "/examples/cum4-2024.textproto");
    ASSERT_TRUE(meeting.ok()) << meeting.status().ToString();
    meeting_id_ = meeting->id();
    v1::EntryBody genesis;
    *genesis.mutable_genesis()->mutable_meeting() = *meeting;
    genesis.mutable_genesis()->set_server_signing_key(
        server_key_->Public().value().RawEd25519().value());
    Append(genesis, "ca");
    for (const char* unit : {"cao-bang", "son-la", "lang-son"}) {
      v1::EntryBody c;
      c.mutable_check_in()->set_unit_id(unit);
      Append(c, "pin-" + std::string(unit));
    }
    v1::EntryBody open;
    open.mutable_open()->set_ballot_id(kBallot);
    open.mutable_open()->set_round(1);
    run_id_ = EntryId(Append(open, "chair"));
  }

  const v1::BoardEntry& Append(v1::EntryBody body, const std::string& author) {
    if (!body.has_genesis()) body.set_meeting_id(meeting_id_);
    v1::BoardEntry e;
    e.set_seq(static_cast<uint64_t>(record_.entries_size()));
    e.set_prev_hash(record_.entries_size() ? record_.entries().rbegin()->hash() : ZeroHash());
    e.set_server_time_ms(1'700'000'000'000 + record_.entries_size());
    body.SerializeToString(e.mutable_signed_()->mutable_body());
    e.mutable_signed_()->set_author(author);
    e.mutable_signed_()->set_signature("sig");
    e.set_hash(ChainHash(e.seq(), e.prev_hash(), e.server_time_ms(), e.signed_()));
    *record_.add_entries() = e;
    return *record_.entries().rbegin();
  }

  // Casts a (stand-in) ballot of `unit` and keeps its server-signed receipt.
  void Cast(const std::string& unit) {
    v1::EntryBody body;
    v1::EncryptedBallot* b = body.mutable_ballot();
    b->set_run_id(run_id_);
    b->set_unit_id(unit);
    b->add_cells()->set_pad("pad of " + unit);
    const v1::BoardEntry& e = Append(body, "pin-" + unit);
    v1::Receipt r;
    r.set_meeting_id(meeting_id_);
    r.set_run_id(run_id_);
    r.set_unit_id(unit);
    r.set_tracking_code(Hex(crypto::TrackingCode(*b)));
    r.set_seq(e.seq());
    r.set_entry_hash(e.hash());
    StoredReceipt sr;
    sr.name = unit + ".receipt";
    r.SerializeToString(sr.signed_receipt.mutable_receipt());
    sr.signed_receipt.set_signature(
        server_key_->Sign(crypto::kReceiptDomain, sr.signed_receipt.receipt()).value());
    receipts_.push_back(sr);
  }

  // Close, and the server's tally listing the ballots of `counted` units.
  void CloseAndTally(const std::vector<std::string>& counted) {
    v1::EntryBody close;
    close.mutable_close()->set_run_id(run_id_);
    Append(close, "chair");
    v1::EntryBody tally;
    tally.mutable_tally()->set_run_id(run_id_);
    for (const v1::BoardEntry& e : record_.entries()) {
      v1::EntryBody b;
      ASSERT_TRUE(b.ParseFromString(e.signed_().body()));
      if (!b.has_ballot()) continue;
      for (const auto& unit : counted) {
        if (b.ballot().unit_id() == unit) tally.mutable_tally()->add_ballot_entries(EntryId(e));
      }
    }
    Append(tally, "server");
  }

  // Rewrites the chain from entry `from` on: edit(body) on each, hashes re-made.
  // `drop` removes entry `from` instead.
  void Rewrite(uint64_t from, bool drop, const std::function<void(v1::EntryBody&)>& edit) {
    v1::ElectionRecord old = record_;
    record_.clear_entries();
    for (const v1::BoardEntry& e : old.entries()) {
      if (e.seq() < from) {
        *record_.add_entries() = e;
        continue;
      }
      if (drop && e.seq() == from) continue;
      v1::EntryBody b;
      ASSERT_TRUE(b.ParseFromString(e.signed_().body()));
      if (e.seq() == from) edit(b);
      Append(b, e.signed_().author());
    }
  }

  std::vector<ReceiptFinding> Check() {
    auto view = ViewOfRecord(record_);
    EXPECT_TRUE(view.ok()) << view.status().ToString();
    if (!view.ok()) return {};
    return CheckReceipts(*view, receipts_);
  }

  static void Expect(const ReceiptFinding& f, ReceiptStatus status, const std::string& words) {
    EXPECT_EQ(static_cast<int>(f.status), static_cast<int>(status)) << f.name << ": " << f.message;
    EXPECT_NE(f.message.find(words), std::string::npos) << f.name << ": " << f.message;
  }

  std::unique_ptr<crypto::PrivateKey> server_key_;
  std::string meeting_id_;
  std::string run_id_;
  v1::ElectionRecord record_;
  std::vector<StoredReceipt> receipts_;
};

TEST_F(ReceiptCheckTest, RecordedWhileOpenThenCountedOnceTallied) {
  Cast("cao-bang");
  Cast("son-la");
  auto open = Check();
  ASSERT_EQ(open.size(), 2u);
  Expect(open[0], ReceiptStatus::kRunOpen, "run still open");
  EXPECT_EQ(open[0].ballot_id, kBallot);
  Expect(open[1], ReceiptStatus::kRunOpen, "recorded at #6");

  CloseAndTally({"cao-bang", "son-la"});
  auto counted = Check();
  ASSERT_EQ(counted.size(), 2u);
  Expect(counted[0], ReceiptStatus::kCounted, "counted: recorded at #5, listed in the tally (#8)");
  Expect(counted[1], ReceiptStatus::kCounted, "listed in the tally");
  EXPECT_FALSE(counted[0].failed());
}

TEST_F(ReceiptCheckTest, ClosedButNotYetTallied) {
  Cast("cao-bang");
  v1::EntryBody close;
  close.mutable_close()->set_run_id(run_id_);
  Append(close, "chair");
  Expect(Check()[0], ReceiptStatus::kAwaitingTally, "tally is not on the board yet");
}

TEST_F(ReceiptCheckTest, CancelledRunIsSaidPlainly) {
  Cast("cao-bang");
  v1::EntryBody cancel;
  cancel.mutable_cancel()->set_run_id(run_id_);
  Append(cancel, "chair");
  auto f = Check();
  Expect(f[0], ReceiptStatus::kRunCancelled, "the run was cancelled");
  EXPECT_FALSE(f[0].failed());
}

TEST_F(ReceiptCheckTest, BallotLeftOutOfTheTallyIsDropped) {
  Cast("cao-bang");
  Cast("son-la");
  CloseAndTally({"son-la"});
  auto f = Check();
  Expect(f[0], ReceiptStatus::kFailed, "DROPPED: recorded at #5 but the run's tally (#8) does not list it");
  Expect(f[1], ReceiptStatus::kCounted, "counted");
}

TEST_F(ReceiptCheckTest, BallotDeletedFromTheChainIsMissing) {
  Cast("cao-bang");
  Cast("son-la");
  CloseAndTally({"cao-bang", "son-la"});
  Rewrite(5, /*drop=*/true, nullptr);  // cao-bang's ballot, chain re-hashed after it
  auto f = Check();
  Expect(f[0], ReceiptStatus::kFailed, "CHAIN FORKED: entry #5 has hash");
  Expect(f[0], ReceiptStatus::kFailed, "is MISSING from it");
  // Son La's ballot moved up to #5: found, but not where its receipt says.
  Expect(f[1], ReceiptStatus::kFailed, "the ballot itself is at #5");
}

TEST_F(ReceiptCheckTest, ChainCutBeforeTheBallotIsMissing) {
  Cast("cao-bang");
  Cast("son-la");
  record_.mutable_entries()->RemoveLast();  // the last ballot
  auto f = Check();
  Expect(f[0], ReceiptStatus::kRunOpen, "recorded at #5");
  Expect(f[1], ReceiptStatus::kFailed, "MISSING: the chain has 6 entries and ends before this ballot's position #6");
}

TEST_F(ReceiptCheckTest, EarlierEntryRewrittenIsAFork) {
  Cast("cao-bang");
  Cast("son-la");
  // Cao Bằng's ballot replaced by another encryption: every hash after it changes.
  Rewrite(5, /*drop=*/false, [](v1::EntryBody& b) { b.mutable_ballot()->mutable_cells(0)->set_pad("other"); });
  auto f = Check();
  Expect(f[0], ReceiptStatus::kFailed, "CHAIN FORKED: entry #5 has hash");
  Expect(f[0], ReceiptStatus::kFailed, "is MISSING from it");
  // Son La's ballot is still at #6, but in a chain that is not a continuation of the receipted one.
  Expect(f[1], ReceiptStatus::kFailed, "CHAIN FORKED: entry #6 has hash");
  Expect(f[1], ReceiptStatus::kFailed, "the ballot itself is at #6");
}

TEST_F(ReceiptCheckTest, ForgedOrForeignReceiptsFail) {
  Cast("cao-bang");
  Cast("son-la");
  Cast("lang-son");
  // Signed by another key than the genesis names.
  auto other = crypto::PrivateKey::GenerateEd25519();
  ASSERT_TRUE(other.ok());
  receipts_[0].signed_receipt.set_signature(
      other->Sign(crypto::kReceiptDomain, receipts_[0].signed_receipt.receipt()).value());
  // Not a receipt at all.
  receipts_[1].signed_receipt.set_receipt(std::string("\x0a\x05" "ab", 4));  // field 1 cut short
  // Correctly signed, but it names an entry that is not its ballot.
  v1::Receipt r;
  ASSERT_TRUE(r.ParseFromString(receipts_[2].signed_receipt.receipt()));
  r.set_seq(1);
  r.set_entry_hash(record_.entries(1).hash());
  receipts_[2].signed_receipt.set_receipt(r.SerializeAsString());
  receipts_[2].signed_receipt.set_signature(
      server_key_->Sign(crypto::kReceiptDomain, receipts_[2].signed_receipt.receipt()).value());
  auto f = Check();
  Expect(f[0], ReceiptStatus::kFailed, "signature does not verify with the server key");
  Expect(f[1], ReceiptStatus::kFailed, "does not parse");
  Expect(f[2], ReceiptStatus::kFailed, "entry #1 is not the ballot the receipt names");
}

TEST_F(ReceiptCheckTest, ViewOfRecordRefusesABrokenLink) {
  Cast("cao-bang");
  record_.mutable_entries(3)->set_server_time_ms(42);  // hash no longer matches
  auto view = ViewOfRecord(record_);
  ASSERT_FALSE(view.ok());
  EXPECT_NE(view.status().message().find("entry 3"), std::string::npos) << view.status().message();
}

}  // namespace
}  // namespace phieu::record

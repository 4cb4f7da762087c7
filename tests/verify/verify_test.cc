// The offline verifier against a complete, realistic record made in-process:
// MeetingService (the real acceptance code) with the meeting of Cụm thi đua
// số 4 — seven units, six checked in, one carried by a proxy, the key
// ceremony of three tellers with t = 2, one ballot question cast by all seven,
// the close, two decryption shares, the server's result and three
// co-signatures, then the meeting closed. The untouched record verifies; each
// tampered copy fails, naming the check and the entry.
//
// Tampers that would stop at the hash chain are "resealed" (Reseal below):
// the entries after the change are re-signed with the keys the test holds
// (participants', the server's, the CA's), references to changed entry ids
// are rewritten, the tellers' partial decryptions re-made, and the chain
// recomputed — so each test proves that the deeper check fires.
#include "core/verify/verify.h"

#include "client/cli_verify.h"
#include "core/record/record_file.h"

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
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/ceremony.h"
#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/crypto/private_file.h"
#include "core/crypto/proofs.h"
#include "core/crypto/threshold.h"
#include "core/record/board_view.h"
#include "core/record/chain.h"
#include "core/record/run_support.h"
#include "core/rules/layout.h"
#include "core/util/bytes.h"
#include "server/meeting_service.h"
#include "tests/server/meeting_harness.h"

namespace phieu::verify {
namespace {

using server::kBallot;
using server::kChair;
using server::kThu;
using server::PaperBatch;
constexpr char kLaiChau[] = "dai-bieu-lai-chau";
constexpr char kAbsent[] = "dien-bien";  // carried by Lai Châu's delegate
constexpr char kTeller1[] = "dai-bieu-lao-cai";
constexpr char kTeller2[] = "dai-bieu-ha-giang";

// What the tampering helpers need besides the record: every key.
struct Keys {
  const std::map<std::string, certs::Credentials>* creds = nullptr;
  std::map<std::string, std::string> id_by_pin;
  std::unique_ptr<crypto::PrivateKey> server_key;
  std::unique_ptr<crypto::PrivateKey> ca_key;
  const std::map<uint32_t, crypto::Scalar>* teller_shares = nullptr;
};
Keys* keys = nullptr;  // set by the fixture for the test's duration

// A teller's partial decryptions of a run's tally.
v1::DecryptionShare MakeShare(const record::BoardView& v, const record::Run& run, uint32_t index,
                              const crypto::Scalar& share) {
  v1::DecryptionShare d;
  d.set_run_id(run.run_id);
  d.set_tally_entry(run.tally_entry);
  d.set_index(index);
  const v1::Tally& tally = v.body(run.tally_seq).tally();
  auto public_share = record::TellerPublicShare(v, index).value();
  const std::string ctx = record::DecryptionContext(v, run);
  for (const auto& total : tally.totals()) {
    *d.add_partials() = crypto::PartialDecrypt(ctx, share, public_share, crypto::FromProto(total).value()).value();
  }
  return d;
}

// ------------------------------------------------------------ tampering

// Re-signs entry `i` of `rec` by its author with the key the test holds.
void Resign(v1::BoardEntry* e) {
  const std::string& author = e->signed_().author();
  const crypto::PrivateKey* key = author == "server" ? keys->server_key.get()
                                  : author == "ca"   ? keys->ca_key.get()
                                                     : &keys->creds->at(keys->id_by_pin.at(author)).key;
  e->mutable_signed_()->set_signature(key->Sign(crypto::kEntryDomain, e->signed_().body()).value());
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to) {
  for (size_t at = s->find(from); at != std::string::npos; at = s->find(from, at + to.size())) {
    s->replace(at, from.size(), to);
  }
}

// After a change at `from`: for every entry from `from` on, rewrite the ids
// (hex chain hashes, all 64 characters, so the protobuf lengths hold) of the
// entries whose hash changed, re-make the tellers' partial decryptions (they
// are bound to the tally's id), re-sign every entry whose body changed (and
// entry `from` itself), and recompute the chain.
void Reseal(v1::ElectionRecord* rec, int from) {
  std::map<std::string, std::string> renamed;  // old id -> new id
  record::BoardView v;
  for (int i = 0; i < rec->entries_size(); ++i) {
    v1::BoardEntry* e = rec->mutable_entries(i);
    if (i >= from) {
      std::string body = e->signed_().body();
      for (const auto& [old_id, new_id] : renamed) ReplaceAll(&body, old_id, new_id);
      v1::EntryBody parsed;
      if (parsed.ParseFromString(body) && parsed.has_decryption_share()) {
        const record::Run* run = v.FindRun(parsed.decryption_share().run_id());
        if (run && !run->tally_entry.empty()) {
          const uint32_t idx = parsed.decryption_share().index();
          *parsed.mutable_decryption_share() = MakeShare(v, *run, idx, keys->teller_shares->at(idx));
          parsed.SerializeToString(&body);
        }
      }
      if (parsed.ParseFromString(body) && parsed.has_result()) {
        parsed.mutable_result()->set_chain_head(Hex(rec->entries(i - 1).hash()));
        parsed.SerializeToString(&body);
      }
      const bool changed = body != e->signed_().body();
      e->mutable_signed_()->set_body(body);
      if (changed || i == from) Resign(e);
      const std::string old_id = Hex(e->hash());
      e->set_seq(static_cast<uint64_t>(i));
      e->set_prev_hash(i == 0 ? record::ZeroHash() : rec->entries(i - 1).hash());
      e->set_hash(record::ChainHash(e->seq(), e->prev_hash(), e->server_time_ms(), e->signed_()));
      if (!old_id.empty() && Hex(e->hash()) != old_id) renamed[old_id] = Hex(e->hash());
    }
    (void)v.Apply(*e);
  }
  rec->set_entry_count(rec->entries_size());
  rec->set_head(rec->entries(rec->entries_size() - 1).hash());
}

// Only the chain: seq, prev_hash and hash from `from` on (no re-signing).
void Rechain(v1::ElectionRecord* rec, int from) {
  for (int i = from; i < rec->entries_size(); ++i) {
    v1::BoardEntry* e = rec->mutable_entries(i);
    e->set_seq(static_cast<uint64_t>(i));
    e->set_prev_hash(i == 0 ? record::ZeroHash() : rec->entries(i - 1).hash());
    e->set_hash(record::ChainHash(e->seq(), e->prev_hash(), e->server_time_ms(), e->signed_()));
  }
}

v1::EntryBody Body(const v1::ElectionRecord& rec, int i) {
  v1::EntryBody b;
  EXPECT_TRUE(b.ParseFromString(rec.entries(i).signed_().body()));
  return b;
}

int FindKind(const v1::ElectionRecord& rec, const std::string& kind, int nth = 0) {
  for (int i = 0; i < rec.entries_size(); ++i) {
    if (record::PayloadKind(Body(rec, i)) == kind && nth-- == 0) return i;
  }
  ADD_FAILURE() << "no " << kind << " entry";
  return 0;
}

int FindBallotOf(const v1::ElectionRecord& rec, const std::string& unit) {
  for (int i = 0; i < rec.entries_size(); ++i) {
    v1::EntryBody b = Body(rec, i);
    if (b.has_ballot() && b.ballot().unit_id() == unit) return i;
  }
  ADD_FAILURE() << "no ballot of " << unit;
  return 0;
}

v1::BoardEntry SignedBy(const std::string& id, const v1::EntryBody& body, const v1::BoardEntry& like) {
  v1::BoardEntry e = like;
  body.SerializeToString(e.mutable_signed_()->mutable_body());
  e.mutable_signed_()->set_author(keys->creds->at(id).cert.Pin());
  Resign(&e);
  return e;
}

// A new entry at `at` (its hash is cleared: it names no earlier entry).
void Insert(v1::ElectionRecord* rec, int at, const v1::BoardEntry& e) {
  rec->add_entries();
  for (int i = rec->entries_size() - 1; i > at; --i) rec->mutable_entries()->SwapElements(i, i - 1);
  *rec->mutable_entries(at) = e;
  rec->mutable_entries(at)->clear_hash();
}

void Erase(v1::ElectionRecord* rec, int at) { rec->mutable_entries()->erase(rec->mutable_entries()->begin() + at); }

// The meeting's record, built by MeetingService for each test.
struct World {
  std::unique_ptr<crypto::Certificate> ca;
  v1::ElectionRecord record;
  std::map<std::string, v1::SignedReceipt> receipts;  // unit -> receipt
  std::map<std::string, v1::EntryBody> ballots;       // unit -> the cast body
  std::string run_id;
  // Lạng Sơn's ballot was first encrypted as `spoilable` (choice "lai-chau")
  // with `spoil_secrets` and spoiled; that encryption was never cast.
  v1::EncryptedBallot spoilable;
  crypto::BallotSecrets spoil_secrets;
};

class VerifyTest : public server::MeetingHarness {
 protected:
  void SetUp() override {
    MeetingHarness::SetUp();
    keys_.creds = creds_;
    for (const auto& [id, c] : *creds_) keys_.id_by_pin[c.cert.Pin()] = id;
    keys_.server_key = std::make_unique<crypto::PrivateKey>(
        crypto::PrivateKey::FromPem(crypto::ReadFile(CertsRoot() + "/server/signing.key").value()).value());
    keys_.ca_key = std::make_unique<crypto::PrivateKey>(
        crypto::PrivateKey::FromPem(crypto::ReadFile(CertsRoot() + "/ca/ca.key").value()).value());
    keys_.teller_shares = &teller_shares_;
    keys = &keys_;
    world_.ca = std::make_unique<crypto::Certificate>(
        crypto::Certificate::FromPem(crypto::ReadFile(CertsRoot() + "/ca/ca.pem").value()).value());
    world = &world_;
    BuildRecord();
    ASSERT_GT(world->record.entries_size(), 30);
  }
  void TearDown() override {
    keys = nullptr;
    world = nullptr;
    MeetingHarness::TearDown();
  }

  // Six units check in, the seventh is carried by a proxy; the ceremony; one
  // question cast by all seven; close, two shares, the result, three
  // co-signatures; the meeting closed.
  void BuildRecord() {
    for (const auto& p : view_.meeting().participants()) {
      if (p.unit_id().empty() || p.unit_id() == kAbsent) continue;
      v1::EntryBody body;
      body.mutable_check_in()->set_unit_id(p.unit_id());
      body.mutable_check_in()->set_own_pin(Creds(p.id()).cert.Pin());
      ExpectPosted(Post(p.id(), body));
    }
    v1::EntryBody proxy;
    proxy.mutable_proxy()->set_absent_unit_id(kAbsent);
    proxy.mutable_proxy()->set_holder_id(kLaiChau);
    v1::Envelope proxy_posted = Post(kChair, proxy);
    ExpectPosted(proxy_posted);
    v1::EntryBody accept;
    accept.mutable_proxy_acceptance()->set_absent_unit_id(kAbsent);
    accept.mutable_proxy_acceptance()->set_proxy_entry_hash(Hex(proxy_posted.posted().entry_hash()));
    ExpectPosted(Post(kLaiChau, accept));

    RunCeremony();
    v1::EntryBody open;
    open.mutable_open()->set_ballot_id(kBallot);
    open.mutable_open()->set_round(1);
    open.mutable_open()->set_ceremony_done(view_.ceremony().done_entry);
    ExpectPosted(Post(kChair, open));
    world_.run_id = view_.OpenRun(kBallot)->run_id;
    // Lạng Sơn's delegate checks one encryption (Benaloh challenge) before casting.
    world_.spoilable = Ballot(world_.run_id, "lang-son", "lai-chau", &world_.spoil_secrets).ballot();
    v1::EntryBody spoil;
    *spoil.mutable_spoiled() = world_.spoil_secrets.Spoil(world_.spoilable);
    ExpectPosted(Post("dai-bieu-lang-son", spoil));

    const std::map<std::string, std::pair<std::string, std::string>> votes = {
        {"son-la", {kChair, "cao-bang"}},
        {"cao-bang", {kThu, "son-la"}},
        {"lao-cai", {"dai-bieu-lao-cai", "son-la"}},
        {"ha-giang", {"dai-bieu-ha-giang", "son-la"}},
        {"lang-son", {"dai-bieu-lang-son", "son-la"}},
        {"lai-chau", {kLaiChau, "son-la"}},
        {kAbsent, {kLaiChau, "lai-chau"}},  // the proxy holder casts for the absent unit
    };
    for (const auto& [unit, who] : votes) {
      if (paper_ && (unit == "lao-cai" || unit == "ha-giang" || unit == "lang-son")) continue;
      v1::EntryBody body = Ballot(world_.run_id, unit, who.second);
      v1::Envelope posted = Post(who.first, body);
      ExpectPosted(posted);
      world_.receipts[unit] = posted.posted().receipt();
      world_.ballots[unit] = body;
    }
    if (paper_) {
      // Lào Cai and Hà Giang voted on paper (one for Sơn La, one blank),
      // Lạng Sơn too, blank: two batches, each co-signed by the other teller.
      const std::pair<std::string, v1::EntryBody> batches[] = {
          {kTeller1, PaperBatch(world_.run_id, {"lao-cai", "ha-giang"}, {{"son-la", 1}}, 1, 1, 0)},
          {kTeller2, PaperBatch(world_.run_id, {"lang-son"}, {}, 0, 1, 0)},
      };
      for (const auto& [teller, body] : batches) {
        v1::Envelope posted = Post(teller, body);
        ExpectPosted(posted);
        v1::EntryBody sign;
        sign.mutable_paper_batch_signature()->set_batch_entry_hash(Hex(posted.posted().entry_hash()));
        ExpectPosted(Post(teller == kTeller1 ? kTeller2 : kTeller1, sign));
      }
    }
    v1::EntryBody close;
    close.mutable_close()->set_run_id(world_.run_id);
    ExpectPosted(Post(kChair, close));
    for (uint32_t index : {1u, 3u}) {
      const record::Run* run = view_.FindRun(world_.run_id);
      ASSERT_FALSE(run->tally_entry.empty()) << "no tally";
      v1::EntryBody share;
      *share.mutable_decryption_share() = MakeShare(view_, *run, index, teller_shares_.at(index));
      ExpectPosted(Post(view_.ceremony().teller_ids[index - 1], share));
    }
    ASSERT_FALSE(view_.FindRun(world_.run_id)->result_entry.empty()) << "no result";
    for (const auto& id : view_.meeting().tellers().participant_ids()) {
      v1::EntryBody cosign;
      cosign.mutable_result_cosign()->set_result_entry(view_.FindRun(world_.run_id)->result_entry);
      ExpectPosted(Post(id, cosign));
    }
    v1::EntryBody closed;
    closed.mutable_meeting_closed();
    ExpectPosted(Post(kChair, closed));
    auto exported = svc_->Export();
    ASSERT_TRUE(exported.ok()) << exported.status().ToString();
    world_.record = std::move(exported).value();
  }

  bool paper_ = false;  // set by PaperVerifyTest: three units vote on paper
  Keys keys_;
  World world_;
  World* world = nullptr;

  VerifyReport Run(const v1::ElectionRecord& rec, VerifyOptions options = {}) {
    return Verify(rec, *world->ca, options);
  }

  // The record fails exactly at `check`, entry `seq`.
  void ExpectFails(const v1::ElectionRecord& rec, std::string_view check, int seq, const std::string& words = "",
                   VerifyOptions options = {}) {
    VerifyReport r = Run(rec, options);
    ASSERT_FALSE(r.ok()) << "the tampered record verified";
    EXPECT_EQ(r.failure->check, check) << r.failure->message << " (entry " << r.failure->seq << ")";
    EXPECT_EQ(r.failure->seq, static_cast<uint64_t>(seq)) << r.failure->check << ": " << r.failure->message;
    if (!words.empty()) {
      EXPECT_NE(r.failure->message.find(words), std::string::npos) << r.failure->message;
    }
    const CheckLine* line = r.Find(check);
    ASSERT_NE(line, nullptr);
    EXPECT_FALSE(line->ok);
  }
};

TEST_F(VerifyTest, TheRecordOfTheMeetingVerifies) {
  VerifyOptions options;
  for (const auto& [unit, receipt] : world->receipts) options.receipts.push_back(receipt);
  options.expect_head = Hex(world->record.head());
  std::vector<std::string> stages;
  options.progress = [&](std::string_view stage, uint64_t, uint64_t) { stages.emplace_back(stage); };
  VerifyReport r = Run(world->record, options);
  ASSERT_TRUE(r.ok()) << r.failure->check << " at entry " << r.failure->seq << " (" << r.failure->kind
                      << "): " << r.failure->message;
  EXPECT_EQ(r.entries, static_cast<uint64_t>(world->record.entries_size()));
  EXPECT_EQ(r.meeting_id, "cum4-2024");
  EXPECT_EQ(r.ballots_verified, 7u);
  auto count = [&](std::string_view name) { return r.Find(name) ? r.Find(name)->count : 0; };
  EXPECT_EQ(count(kCheckChain), r.entries);
  EXPECT_EQ(count(kCheckHead), 1u);
  EXPECT_EQ(count(kCheckSignatures), r.entries);
  EXPECT_EQ(count(kCheckBallots), 7u);
  EXPECT_EQ(count(kCheckOnePerUnit), 7u);
  EXPECT_EQ(count(kCheckTallies), 1u);
  EXPECT_EQ(count(kCheckShares), 2u);
  EXPECT_EQ(count(kCheckResults), 1u);
  EXPECT_EQ(count(kCheckCosign), 1u);
  EXPECT_EQ(count(kCheckReceipts), 7u);
  EXPECT_EQ(count(kCheckCheckIns), 8u);  // six check-ins, a proxy and its acceptance
  EXPECT_GT(count(kCheckCeremony), 10u);
  bool proxy_listed = false;
  for (const auto& a : r.attention) proxy_listed |= a.kind == "proxy";
  EXPECT_TRUE(proxy_listed);
  EXPECT_FALSE(stages.empty());
  // One thread or four: the same verdict.
  options.threads = 1;
  EXPECT_TRUE(Run(world->record, options).ok());
  options.threads = 4;
  EXPECT_TRUE(Run(world->record, options).ok());
}

TEST_F(VerifyTest, AnotherCaOrAnotherHeadIsRefused) {
  VerifyOptions options;
  options.expect_head = std::string(64, 'a');
  ExpectFails(world->record, kCheckHead, world->record.entries_size() - 1, "minutes", options);
  auto other = crypto::Certificate::FromDer(Creds(kThu).cert.Der()).value();
  VerifyReport r = Verify(world->record, other, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->check, kCheckMeetingCa);
}

TEST_F(VerifyTest, AByteFlippedInEachKindOfEntryIsNamed) {
  std::set<std::string> kinds;
  for (int i = 0; i < world->record.entries_size(); ++i) {
    const std::string kind = record::PayloadKind(Body(world->record, i));
    if (!kinds.insert(kind).second) continue;
    SCOPED_TRACE("entry " + std::to_string(i) + " (" + kind + ")");
    v1::ElectionRecord rec = world->record;
    std::string* body = rec.mutable_entries(i)->mutable_signed_()->mutable_body();
    (*body)[body->size() - 1] ^= 0x01;
    // As it is: the chain names the entry.
    ExpectFails(rec, kCheckChain, i, "hash does not match");
    // Re-chained: the author's signature names it (the genesis: the CA's).
    Rechain(&rec, i);
    VerifyReport r = Run(rec);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure->seq, static_cast<uint64_t>(i)) << r.failure->check << ": " << r.failure->message;
    EXPECT_EQ(r.failure->check, i == 0 ? kCheckMeetingCa : kCheckSignatures) << r.failure->message;
  }
  for (const char* k : {"genesis", "check_in", "proxy", "proxy_acceptance", "ceremony_start", "ceremony_commit",
                        "ceremony_reveal", "ceremony_shares", "ceremony_test_decryption", "ceremony_done", "open",
                        "ballot", "close", "tally", "decryption_share", "result", "result_cosign", "meeting_closed"}) {
    EXPECT_TRUE(kinds.count(k)) << k;
  }
}

TEST_F(VerifyTest, DeletedDuplicatedOrReorderedEntriesBreakTheChain) {
  const int b = FindBallotOf(world->record, "cao-bang");
  v1::ElectionRecord deleted = world->record;
  Erase(&deleted, b);
  ExpectFails(deleted, kCheckChain, b, "seq");

  v1::ElectionRecord duplicated = world->record;
  Insert(&duplicated, b + 1, world->record.entries(b));
  duplicated.mutable_entries(b + 1)->set_hash(world->record.entries(b).hash());  // an exact copy
  ExpectFails(duplicated, kCheckChain, b + 1, "seq");

  v1::ElectionRecord reordered = world->record;
  reordered.mutable_entries()->SwapElements(b, b + 1);
  ExpectFails(reordered, kCheckChain, b, "seq");

  // Cut at the end: the chain alone holds, the minutes' head does not.
  v1::ElectionRecord cut = world->record;
  Erase(&cut, cut.entries_size() - 1);
  VerifyOptions options;
  options.expect_head = Hex(world->record.head());
  ExpectFails(cut, kCheckHead, cut.entries_size() - 1, "", options);
}

TEST_F(VerifyTest, ABallotReplacedByAnotherDelegatesIsNamed) {
  // Thư's signed ballot for Cao Bằng copied over Sơn La's (cast later).
  v1::ElectionRecord rec = world->record;
  const int a = FindBallotOf(rec, "cao-bang");
  const int b = FindBallotOf(rec, "son-la");
  ASSERT_LT(a, b);
  *rec.mutable_entries(b)->mutable_signed_() = rec.entries(a).signed_();
  Reseal(&rec, b);
  ExpectFails(rec, kCheckOnePerUnit, b, "second ballot for 'cao-bang'");

  // The same ballot re-labelled for Sơn La and re-signed by Thư: not her unit.
  v1::ElectionRecord relabel = world->record;
  v1::EntryBody body = world->ballots.at("cao-bang");
  body.mutable_ballot()->set_unit_id("son-la");
  body.set_meeting_id("cum4-2024");
  *relabel.mutable_entries(b) = SignedBy(kThu, body, relabel.entries(b));
  Reseal(&relabel, b);
  ExpectFails(relabel, kCheckRoles, b, "may not cast");
}

TEST_F(VerifyTest, ASecondBallotOfADelegateIsNamed) {
  v1::ElectionRecord rec = world->record;
  const int b = FindBallotOf(rec, "cao-bang");
  record::BoardView v;
  for (int i = 0; i <= b; ++i) ASSERT_TRUE(v.Apply(rec.entries(i)).ok());
  const record::Run* run = v.FindRun(world->run_id);
  auto layout = record::VoterLayoutFor(v, *run, "cao-bang").value();
  auto marks = rules::MarksFor(layout, *v.Spec(kBallot), {"lao-cai"}, "cao-bang").value();
  v1::EntryBody second;
  second.set_meeting_id("cum4-2024");
  *second.mutable_ballot() = crypto::EncryptBallot(record::RunContext(v, *run).value(), record::JointKey(v).value(),
                                                   layout, marks, world->run_id, "cao-bang", nullptr)
                                 .value();
  Insert(&rec, b + 1, SignedBy(kThu, second, rec.entries(b)));
  Reseal(&rec, b + 1);
  ExpectFails(rec, kCheckOnePerUnit, b + 1, "second ballot for 'cao-bang'");
}

TEST_F(VerifyTest, ATotalChangedByOneIsNamed) {
  const int res = FindKind(world->record, "result");
  // Re-signed with a key that is not the server's.
  v1::ElectionRecord rec = world->record;
  v1::EntryBody body = Body(rec, res);
  body.mutable_result()->set_totals(0, body.result().totals(0) + 1);
  body.SerializeToString(rec.mutable_entries(res)->mutable_signed_()->mutable_body());
  auto impostor = crypto::PrivateKey::GenerateEd25519().value();
  rec.mutable_entries(res)->mutable_signed_()->set_signature(
      impostor.Sign(crypto::kEntryDomain, rec.entries(res).signed_().body()).value());
  Rechain(&rec, res);
  ExpectFails(rec, kCheckSignatures, res, "server signature");

  // Re-signed with the real server key: the totals do not follow.
  v1::ElectionRecord signed_rec = world->record;
  body = Body(signed_rec, res);
  body.mutable_result()->set_totals(1, body.result().totals(1) - 1);
  body.SerializeToString(signed_rec.mutable_entries(res)->mutable_signed_()->mutable_body());
  Reseal(&signed_rec, res);
  ExpectFails(signed_rec, kCheckResults, res, "not the decryption");

  // With the real key and a teller's partial bent so that the total opens
  // one higher: the decryption proof fails.
  v1::ElectionRecord bent = world->record;
  const int share = FindKind(bent, "decryption_share");
  body = Body(bent, share);
  const uint32_t idx = body.decryption_share().index();
  auto lambda = crypto::Lagrange(idx, {1, 3}).value();
  auto step = crypto::Point::MulGen(lambda.Inverse().value()).value();
  auto m = crypto::Point::Decode(body.decryption_share().partials(0).share()).value();
  body.mutable_decryption_share()->mutable_partials(0)->set_share(m.Sub(step).value().Encode().value());
  body.SerializeToString(bent.mutable_entries(share)->mutable_signed_()->mutable_body());
  Resign(bent.mutable_entries(share));
  v1::EntryBody rb = Body(bent, res);
  rb.mutable_result()->set_totals(0, rb.result().totals(0) + 1);
  rb.SerializeToString(bent.mutable_entries(res)->mutable_signed_()->mutable_body());
  Resign(bent.mutable_entries(res));
  Rechain(&bent, share);
  // Keep the references: re-point the result and co-signs at the new hashes.
  for (int i = share + 1; i < bent.entries_size(); ++i) {
    v1::EntryBody b = Body(bent, i);
    if (b.has_result()) b.mutable_result()->set_chain_head(Hex(bent.entries(i - 1).hash()));
    b.SerializeToString(bent.mutable_entries(i)->mutable_signed_()->mutable_body());
    Resign(bent.mutable_entries(i));
    Rechain(&bent, i);
  }
  ExpectFails(bent, kCheckShares, share, "decryption proof");
}

TEST_F(VerifyTest, AReceiptWhoseBallotWasDroppedIsNamed) {
  v1::ElectionRecord rec = world->record;
  const int b = FindBallotOf(rec, "lao-cai");
  Erase(&rec, b);
  Reseal(&rec, b);
  VerifyOptions options;
  options.receipts.push_back(world->receipts.at("lao-cai"));
  ExpectFails(rec, kCheckReceipts, b, "lao-cai", options);
  // A receipt not signed by the server key of the genesis.
  v1::SignedReceipt forged = world->receipts.at("son-la");
  forged.set_signature(crypto::PrivateKey::GenerateEd25519().value().Sign(crypto::kReceiptDomain, forged.receipt()).value());
  VerifyOptions forged_options;
  forged_options.receipts.push_back(forged);
  v1::Receipt r;
  ASSERT_TRUE(r.ParseFromString(forged.receipt()));
  ExpectFails(world->record, kCheckReceipts, static_cast<int>(r.seq()), "server key", forged_options);
}

TEST_F(VerifyTest, ACheckInOrProxyForgedByTheServerIsNamed) {
  for (const char* kind : {"check_in", "proxy"}) {
    SCOPED_TRACE(kind);
    const int i = FindKind(world->record, kind);
    // Authored by the server, properly signed by it: no role allows it.
    v1::ElectionRecord rec = world->record;
    rec.mutable_entries(i)->mutable_signed_()->set_author("server");
    Reseal(&rec, i);
    ExpectFails(rec, kCheckRoles, i, "server may not author");
    // In a participant's name, signed with the server's key.
    v1::ElectionRecord posing = world->record;
    posing.mutable_entries(i)->mutable_signed_()->set_signature(
        keys->server_key->Sign(crypto::kEntryDomain, posing.entries(i).signed_().body()).value());
    Rechain(&posing, i);
    ExpectFails(posing, kCheckSignatures, i);
  }
  // A check-in confirming another pin than its author's.
  v1::ElectionRecord rec = world->record;
  const int c = FindKind(rec, "check_in");
  v1::EntryBody body = Body(rec, c);
  body.mutable_check_in()->set_own_pin(std::string(64, 'f'));
  body.SerializeToString(rec.mutable_entries(c)->mutable_signed_()->mutable_body());
  Reseal(&rec, c);
  ExpectFails(rec, kCheckCheckIns, c, "confirms another pin");
}

TEST_F(VerifyTest, AResultNotCoSignedByTTellersIsNamed) {
  v1::ElectionRecord rec = world->record;
  const int res = FindKind(rec, "result");
  // Drop two of the three co-signatures (t = 2).
  Erase(&rec, FindKind(rec, "result_cosign"));
  Erase(&rec, FindKind(rec, "result_cosign"));
  Reseal(&rec, res + 1);
  ExpectFails(rec, kCheckCosign, res, "co-signed by 1");
  // A co-signature by a participant who is no teller.
  v1::ElectionRecord other = world->record;
  const int cs = FindKind(other, "result_cosign");
  v1::EntryBody body = Body(other, cs);
  *other.mutable_entries(cs) = SignedBy(kThu, body, other.entries(cs));
  Reseal(&other, cs);
  ExpectFails(other, kCheckRoles, cs, "only the tellers may co-sign");
}

TEST_F(VerifyTest, ASpoiledBallotIsOpenedAndNeverCounted) {
  // Lạng Sơn spoiled one encryption through the server, before casting.
  v1::ElectionRecord rec = world->record;
  const int open = FindKind(rec, "spoiled") - 1;
  VerifyReport r = Run(rec);
  ASSERT_TRUE(r.ok()) << r.failure->check << " at " << r.failure->seq << ": " << r.failure->message;
  EXPECT_EQ(r.Find(kCheckSpoiled)->count, 1u);
  bool listed = false;
  for (const auto& a : r.attention) listed |= a.kind == "spoiled ballot" && a.seq == static_cast<uint64_t>(open + 1);
  EXPECT_TRUE(listed);

  // The second device: the revealed choice, by candidate name.
  auto opened = OpenSpoiled(rec, "");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ASSERT_EQ(opened->size(), 1u);
  EXPECT_TRUE((*opened)[0].status.ok()) << (*opened)[0].status.ToString();
  EXPECT_EQ((*opened)[0].marked, std::vector<std::string>{"Lai Châu"});
  EXPECT_TRUE(OpenSpoiled(rec, (*opened)[0].tracking_code.substr(0, 12)).ok());
  EXPECT_EQ(OpenSpoiled(rec, "00000000").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(OpenSpoiled(rec, "", world->ca.get()).ok());
  auto stranger = crypto::Certificate::FromDer(Creds(kThu).cert.Der()).value();
  EXPECT_EQ(OpenSpoiled(rec, "", &stranger).status().code(), StatusCode::kVerificationFailed);

  // A revealed choice that is not the encrypted one.
  v1::ElectionRecord lie = rec;
  v1::EntryBody body = Body(lie, open + 1);
  auto* choices = body.mutable_spoiled()->mutable_choices();
  for (int i = 0; i < choices->size(); ++i) choices->Set(i, choices->Get(i) ^ 1u);
  body.SerializeToString(lie.mutable_entries(open + 1)->mutable_signed_()->mutable_body());
  Reseal(&lie, open + 1);
  ExpectFails(lie, kCheckSpoiled, open + 1, "spoiled");
  ASSERT_TRUE(OpenSpoiled(lie, "").ok());
  EXPECT_FALSE((*OpenSpoiled(lie, ""))[0].status.ok());

  // The spoiled encryption cast afterwards (and so counted).
  v1::ElectionRecord counted = rec;
  const int b = FindBallotOf(counted, "lang-son");
  v1::EntryBody cast;
  cast.set_meeting_id("cum4-2024");
  *cast.mutable_ballot() = world->spoilable;
  *counted.mutable_entries(b) = SignedBy("dai-bieu-lang-son", cast, counted.entries(b));
  Reseal(&counted, b);
  ExpectFails(counted, kCheckSpoiled, b, "spoiled ballot");

  // The same encryption revealed twice.
  v1::ElectionRecord twice = rec;
  Insert(&twice, open + 2, rec.entries(open + 1));
  Reseal(&twice, open + 2);
  ExpectFails(twice, kCheckSpoiled, open + 2, "revealed twice");
}

TEST_F(VerifyTest, ABallotWithABadProofIsNamedWhateverTheThreads) {
  v1::ElectionRecord rec = world->record;
  const int b = FindBallotOf(rec, "ha-giang");
  v1::EntryBody body = Body(rec, b);
  std::string* z = body.mutable_ballot()->mutable_cell_proofs(0)->mutable_responses(0);
  z->back() ^= 0x01;
  body.SerializeToString(rec.mutable_entries(b)->mutable_signed_()->mutable_body());
  Reseal(&rec, b);
  for (unsigned threads : {1u, 2u, 8u}) {
    VerifyOptions options;
    options.threads = threads;
    ExpectFails(rec, kCheckBallots, b, "ballot of 'ha-giang'", options);
  }
}

TEST_F(VerifyTest, TheCommandLineChecksTheRecordAndOpensSpoiledBallots) {
  v1::ElectionRecord rec = world->record;
  const int open = FindKind(rec, "spoiled") - 1;
  const std::string dir = server::NewTempDir("verify-cli");
  const std::string path = dir + "/record.pb";
  const std::string ca = CertsRoot() + "/ca/ca.pem";
  ASSERT_TRUE(record::WriteRecordFile(path, rec).ok());

  ::testing::internal::CaptureStdout();
  EXPECT_EQ(client::RunVerify({path, "--ca", ca}), 0);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("ALL CHECKS PASSED"), std::string::npos) << out;
  EXPECT_NE(out.find("spoiled ballot"), std::string::npos) << out;

  ::testing::internal::CaptureStdout();
  EXPECT_EQ(client::RunVerify({path, "--spoiled", "--ca", ca}), 0);
  out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("Lai Châu"), std::string::npos) << out;

  ::testing::internal::CaptureStdout();
  EXPECT_EQ(client::RunVerify({path, "--ca", ca, "--json"}), 0);
  out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("\"ok\": true"), std::string::npos) << out;

  // A record whose spoiled ballot lies about its choice: exit code 4 both ways.
  v1::EntryBody body = Body(rec, open + 1);
  body.mutable_spoiled()->set_choices(0, body.spoiled().choices(0) ^ 1u);
  body.SerializeToString(rec.mutable_entries(open + 1)->mutable_signed_()->mutable_body());
  Reseal(&rec, open + 1);
  ASSERT_TRUE(record::WriteRecordFile(path, rec).ok());
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(client::RunVerify({path, "--ca", ca, "--quiet"}), 4);
  EXPECT_EQ(client::RunVerify({path, "--spoiled"}), 4);
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(client::RunVerify({path}), 2);  // no --ca
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}


// The same meeting with three units on paper, in two co-signed batches (one
// of them all blank): the server's tally lists both, its result adds them.
class PaperVerifyTest : public VerifyTest {
 protected:
  PaperVerifyTest() { paper_ = true; }
};

TEST_F(PaperVerifyTest, TheRecordWithPaperBatchesVerifies) {
  VerifyReport r = Run(world->record);
  ASSERT_TRUE(r.ok()) << r.failure->check << " at entry " << r.failure->seq << ": " << r.failure->message;
  const int tally = FindKind(world->record, "tally");
  EXPECT_EQ(Body(world->record, tally).tally().paper_batches_size(), 2);
}

TEST_F(PaperVerifyTest, ABatchWithTooFewSignaturesIsNamedAtTheClose) {
  v1::ElectionRecord rec = world->record;
  const int sign = FindKind(rec, "paper_batch_signature", 1);
  Erase(&rec, sign);
  Reseal(&rec, sign);
  ExpectFails(rec, kCheckPaper, FindKind(rec, "close"), "has 1 of 2 teller signatures");
}

TEST_F(PaperVerifyTest, ATallyThatLeavesOutACountedBatchIsNamed) {
  v1::ElectionRecord rec = world->record;
  const int tally = FindKind(rec, "tally");
  v1::EntryBody body = Body(rec, tally);
  body.mutable_tally()->mutable_paper_batches()->RemoveLast();
  body.SerializeToString(rec.mutable_entries(tally)->mutable_signed_()->mutable_body());
  Reseal(&rec, tally);
  ExpectFails(rec, kCheckTallies, tally, "lists 1 paper batch(es); the run has 2 counted");
}

TEST_F(PaperVerifyTest, ACountChangedInABatchIsNamed) {
  // A vote moved from Sơn La to Cao Bằng: the batch still obeys the rules,
  // but the server's result no longer adds up.
  v1::ElectionRecord rec = world->record;
  const int batch = FindKind(rec, "paper_batch");
  v1::EntryBody body = Body(rec, batch);
  body.mutable_paper_batch()->set_counts(0, 0);
  body.mutable_paper_batch()->set_counts(1, 1);
  body.SerializeToString(rec.mutable_entries(batch)->mutable_signed_()->mutable_body());
  Reseal(&rec, batch);
  ExpectFails(rec, kCheckResults, FindKind(rec, "result"), "plus its paper batches");
  // One more invalid vote than the units have.
  v1::ElectionRecord more = world->record;
  body = Body(more, batch);
  body.mutable_paper_batch()->set_invalid(1);
  body.SerializeToString(more.mutable_entries(batch)->mutable_signed_()->mutable_body());
  Reseal(&more, batch);
  ExpectFails(more, kCheckPaper, batch, "valid + blank + invalid = 3 votes, but its units have 2");
}

TEST_F(PaperVerifyTest, AUnitOnPaperAndElectronicIsNamed) {
  // An electronic ballot of Lào Cai after its paper batch.
  v1::ElectionRecord rec = world->record;
  const int batch = FindKind(rec, "paper_batch");
  record::BoardView v;
  for (int i = 0; i <= batch; ++i) ASSERT_TRUE(v.Apply(rec.entries(i)).ok());
  const record::Run* run = v.FindRun(world->run_id);
  auto layout = record::VoterLayoutFor(v, *run, "lao-cai").value();
  auto marks = rules::MarksFor(layout, *v.Spec(kBallot), {"son-la"}, "lao-cai").value();
  v1::EntryBody ballot;
  ballot.set_meeting_id("cum4-2024");
  *ballot.mutable_ballot() = crypto::EncryptBallot(record::RunContext(v, *run).value(), record::JointKey(v).value(),
                                                   layout, marks, world->run_id, "lao-cai", nullptr)
                                 .value();
  Insert(&rec, batch + 1, SignedBy(kTeller1, ballot, rec.entries(batch)));
  Reseal(&rec, batch + 1);
  ExpectFails(rec, kCheckPaper, batch + 1, "unit 'lao-cai' voted on paper in this run");
  // A batch naming Cao Bằng, whose electronic ballot is already on the board.
  v1::ElectionRecord both = world->record;
  const int second = FindKind(both, "paper_batch", 1);
  v1::EntryBody body = Body(both, second);
  body.mutable_paper_batch()->set_unit_ids(0, "cao-bang");
  body.SerializeToString(both.mutable_entries(second)->mutable_signed_()->mutable_body());
  Reseal(&both, second);
  ExpectFails(both, kCheckPaper, second, "unit 'cao-bang' has an electronic ballot");
}

}  // namespace
}  // namespace phieu::verify

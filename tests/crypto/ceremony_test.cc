// The tellers' key ceremony: full runs (3 of 5, 2 of 3), threshold
// decryption by any t and not by t−1, and every way a teller can cheat.
#include "core/crypto/ceremony.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "core/crypto/elgamal.h"
#include "core/crypto/proofs.h"
#include "core/crypto/threshold.h"
#include "core/util/bytes.h"

namespace phieu::crypto {
namespace {

const std::string kGenesis(32, '\x42');

v1::CeremonyStart Start(uint32_t n, uint32_t t, uint32_t attempt = 1) {
  v1::CeremonyStart s;
  s.set_attempt(attempt);
  s.set_threshold(t);
  for (uint32_t i = 1; i <= n; ++i) s.add_teller_ids("teller-" + std::to_string(i));
  return s;
}

// The entry body carrying a ceremony message: the EntryBody payload field
// whose type is M.
template <typename M>
v1::EntryBody Body(const M& m) {
  v1::EntryBody b;
  const google::protobuf::Descriptor* d = v1::EntryBody::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (f->message_type() == M::descriptor()) {
      b.GetReflection()->MutableMessage(&b, f)->CopyFrom(m);
      return b;
    }
  }
  ADD_FAILURE() << "no EntryBody field of type " << M::descriptor()->full_name();
  return b;
}

// A ceremony in progress: the public record and every teller's secret side.
struct Ceremony {
  CeremonyRecord record;
  std::vector<CeremonyTeller> tellers;  // tellers[i - 1] has index i

  static Ceremony Make(uint32_t n, uint32_t t, bool demo = false) {
    auto r = CeremonyRecord::Begin(kGenesis, Start(n, t), demo);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    Ceremony c{std::move(r).value(), {}};
    for (uint32_t i = 1; i <= n; ++i) {
      c.tellers.push_back(CeremonyTeller::Create(c.record, i).value());
    }
    return c;
  }
  CeremonyTeller& T(uint32_t i) { return tellers[i - 1]; }

  void CommitAll() {
    for (auto& t : tellers) ASSERT_TRUE(record.Add(t.index(), Body(t.Commit().value())).ok());
  }
  void RevealAll() {
    for (auto& t : tellers) {
      Status s = record.Add(t.index(), Body(t.Reveal().value()));
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }
  void ShareAll() {
    for (auto& t : tellers) {
      Status s = record.Add(t.index(), Body(t.Shares(record).value()));
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }
  // Every teller checks every share it got; returns the complaints.
  std::vector<v1::CeremonyComplaint> ReceiveAll() {
    std::vector<v1::CeremonyComplaint> out;
    for (auto& t : tellers) {
      for (uint32_t s = 1; s <= record.n(); ++s) {
        if (s == t.index()) continue;
        auto c = t.ReceiveShare(record, s);
        EXPECT_TRUE(c.ok()) << c.status().ToString();
        if (c.ok() && c->has_value()) out.push_back(**c);
      }
    }
    return out;
  }
  void TestAll() {
    for (uint32_t i : record.Qualified()) {
      auto td = T(i).TestDecryption(record);
      ASSERT_TRUE(td.ok()) << td.status().ToString();
      Status s = record.Add(i, Body(*td));
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }
  void RunHonest() {
    CommitAll();
    RevealAll();
    ShareAll();
    EXPECT_TRUE(ReceiveAll().empty());
    TestAll();
  }
};

// Decrypts m·G from a ciphertext with the tellers in `who`.
Result<Point> DecryptWith(Ceremony& c, const std::vector<uint32_t>& who, const Ciphertext& ct) {
  std::vector<Point> partials;
  for (uint32_t i : who) {
    ASSIGN_OR_RETURN(Scalar s, c.T(i).FinalShare(c.record));
    ASSIGN_OR_RETURN(Point ki, c.record.PublicShare(i));
    ASSIGN_OR_RETURN(v1::PartialDecryption p, PartialDecrypt("test", s, ki, ct));
    RETURN_IF_ERROR(VerifyPartial("test", ki, ct, p));
    ASSIGN_OR_RETURN(Point m, Point::Decode(p.share()));
    partials.push_back(std::move(m));
  }
  ASSIGN_OR_RETURN(Point combined, CombinePartials(who, partials));
  return DecryptToPoint(ct, combined);
}

void ForEachSubset(const std::vector<uint32_t>& from, size_t k,
                   const std::function<void(const std::vector<uint32_t>&)>& f) {
  std::vector<bool> pick(from.size(), false);
  std::fill(pick.begin(), pick.begin() + k, true);
  do {
    std::vector<uint32_t> s;
    for (size_t i = 0; i < from.size(); ++i) {
      if (pick[i]) s.push_back(from[i]);
    }
    f(s);
  } while (std::prev_permutation(pick.begin(), pick.end()));
}

void ExpectThresholdDecryption(Ceremony& c, uint32_t t) {
  Point k = c.record.JointKey().value();
  Ciphertext ct = Encrypt(k, 7, Scalar::Random().value()).value();
  Point seven = Point::MulGen(Scalar::FromUint64(7)).value();
  std::vector<uint32_t> q = c.record.Qualified();
  int subsets = 0;
  ForEachSubset(q, t, [&](const std::vector<uint32_t>& who) {
    auto m = DecryptWith(c, who, ct);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_TRUE(m->Equals(seven));
    ++subsets;
  });
  EXPECT_GT(subsets, 0);
  ForEachSubset(q, t - 1, [&](const std::vector<uint32_t>& who) {
    if (who.empty()) return;
    auto m = DecryptWith(c, who, ct);
    ASSERT_TRUE(m.ok());
    EXPECT_FALSE(m->Equals(seven)) << "t−1 tellers decrypted";
  });
}

TEST(CeremonyTest, ThreeOfFive) {
  Ceremony c = Ceremony::Make(5, 3);
  c.RunHonest();
  EXPECT_EQ(c.record.phase(), CeremonyRecord::Phase::kDone);
  auto done = c.record.Done();
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->qualified_size(), 5);
  EXPECT_EQ(done->transcript_hash().size(), 32u);
  EXPECT_TRUE(c.record.VerifyDone(*done).ok());
  v1::CeremonyDone forged = *done;
  forged.set_joint_key(Point::MulGen(Scalar::Random().value())->Encode().value());
  EXPECT_EQ(c.record.VerifyDone(forged).code(), StatusCode::kVerificationFailed);
  // Each teller's final share matches its public share K_i.
  for (uint32_t i = 1; i <= 5; ++i) {
    Point ki = Point::MulGen(c.T(i).FinalShare(c.record).value()).value();
    EXPECT_TRUE(ki.Equals(c.record.PublicShare(i).value())) << i;
  }
  ExpectThresholdDecryption(c, 3);
}

TEST(CeremonyTest, TwoOfThree) {
  Ceremony c = Ceremony::Make(3, 2);
  c.RunHonest();
  ASSERT_TRUE(c.record.Done().ok());
  ExpectThresholdDecryption(c, 2);
}

TEST(CeremonyTest, ThresholdOneOnlyInDemoMode) {
  auto r = CeremonyRecord::Begin(kGenesis, Start(3, 1), /*demo_mode=*/false);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("demo"), std::string::npos);
  EXPECT_FALSE(CeremonyRecord::Begin(kGenesis, Start(3, 4), false).ok());
  Ceremony c = Ceremony::Make(1, 1, /*demo=*/true);
  c.RunHonest();
  EXPECT_TRUE(c.record.Done().ok());
}

TEST(CeremonyTest, ContextBindsMeetingAttemptAndTellers) {
  std::string a = CeremonyContext(kGenesis, Start(3, 2));
  EXPECT_NE(a, CeremonyContext(std::string(32, 'x'), Start(3, 2)));
  EXPECT_NE(a, CeremonyContext(kGenesis, Start(3, 2, 2)));
  EXPECT_NE(a, CeremonyContext(kGenesis, Start(3, 3)));
  EXPECT_NE(a, CeremonyContext(kGenesis, Start(4, 2)));
}

TEST(CeremonyTest, PhasesInOrder) {
  Ceremony c = Ceremony::Make(3, 2);
  ASSERT_TRUE(c.record.Add(1, Body(c.T(1).Commit().value())).ok());
  // No reveal before every commit: nobody may choose after seeing others.
  Status s = c.record.Add(1, Body(c.T(1).Reveal().value()));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(c.record.Add(1, Body(c.T(1).Commit().value())).code(), StatusCode::kAlreadyExists);
  // A teller cannot post for another.
  EXPECT_EQ(c.record.Add(3, Body(c.T(2).Commit().value())).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(c.record.Waiting().size(), 2u);
  ASSERT_TRUE(c.record.Add(2, Body(c.T(2).Commit().value())).ok());
  ASSERT_TRUE(c.record.Add(3, Body(c.T(3).Commit().value())).ok());
  EXPECT_EQ(c.record.phase(), CeremonyRecord::Phase::kReveal);
  EXPECT_FALSE(c.record.JointKey().ok());
  v1::CeremonyCommit other_attempt = c.T(1).Commit().value();
  other_attempt.set_attempt(2);
  EXPECT_EQ(c.record.Add(1, Body(other_attempt)).code(), StatusCode::kFailedPrecondition);
}

TEST(CeremonyTest, ForgedSchnorrProofRejected) {
  Ceremony c = Ceremony::Make(3, 2);
  c.CommitAll();
  v1::CeremonyReveal r = c.T(2).Reveal().value();
  // Replace coefficient 1's proof with the proof of coefficient 0.
  *r.mutable_coefficient_proofs(1) = r.coefficient_proofs(0);
  Status s = c.record.Add(2, Body(r));
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_NE(s.message().find("teller 2 coefficient 1"), std::string::npos) << s.message();
  // A response changed by one bit.
  r = c.T(2).Reveal().value();
  std::string resp = r.coefficient_proofs(0).response();
  resp[31] ^= 1;
  r.mutable_coefficient_proofs(0)->set_response(resp);
  EXPECT_EQ(c.record.Add(2, Body(r)).code(), StatusCode::kVerificationFailed);
  // The proof of one teller does not serve another (bound to the index).
  EXPECT_TRUE(c.record.Add(2, Body(c.T(2).Reveal().value())).ok());
}

TEST(CeremonyTest, RevealNotMatchingCommitRejected) {
  Ceremony c = Ceremony::Make(3, 2);
  c.CommitAll();
  // Teller 1 tries to switch to a fresh polynomial after seeing the commits.
  CeremonyTeller switched = CeremonyTeller::Create(c.record, 1).value();
  Status s = c.record.Add(1, Body(switched.Reveal().value()));
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_NE(s.message().find("do not match its commit hash"), std::string::npos) << s.message();
  v1::CeremonyReveal short_reveal = c.T(1).Reveal().value();
  short_reveal.mutable_coefficient_commitments()->RemoveLast();
  EXPECT_EQ(c.record.Add(1, Body(short_reveal)).code(), StatusCode::kInvalidArgument);
}

TEST(CeremonyTest, WrongShareCaughtAndSenderNamed) {
  Ceremony c = Ceremony::Make(5, 3);
  c.CommitAll();
  c.RevealAll();
  // Teller 2 sends teller 4 a share off its polynomial, properly encrypted.
  v1::CeremonyShares bad = c.T(2).Shares(c.record).value();
  Scalar e = Scalar::Random().value();
  Scalar wrong = Scalar::Random().value();
  for (auto& es : *bad.mutable_shares()) {
    if (es.recipient() == 4) {
      es = EncryptShare(c.record.context(), 2, 4, *c.record.encryption_key(4), e, wrong).value();
    }
  }
  ASSERT_TRUE(c.record.Add(2, Body(bad)).ok());
  for (uint32_t i : {1u, 3u, 4u, 5u}) {
    ASSERT_TRUE(c.record.Add(i, Body(c.T(i).Shares(c.record).value())).ok());
  }
  std::vector<v1::CeremonyComplaint> complaints = c.ReceiveAll();
  ASSERT_EQ(complaints.size(), 1u);
  EXPECT_EQ(complaints[0].index(), 4u);
  EXPECT_EQ(complaints[0].against(), 2u);
  EXPECT_NE(complaints[0].reason().find("commitments"), std::string::npos);
  ASSERT_TRUE(c.record.Add(4, Body(complaints[0])).ok());
  // Nobody may test-decrypt while a complaint is open.
  EXPECT_EQ(c.record.Add(1, Body(v1::CeremonyTestDecryption())).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(c.record.Waiting().at(2), "answer to the complaint of teller 4");
  // Teller 2 answers with what it really sent: the share fails the commitments.
  v1::CeremonyComplaintAnswer answer;
  answer.set_attempt(1);
  answer.set_index(2);
  answer.set_recipient(4);
  answer.set_share(wrong.Encode());
  answer.set_ephemeral_secret(e.Encode());
  ASSERT_TRUE(c.record.Add(2, Body(answer)).ok());
  ASSERT_EQ(c.record.excluded().count(2), 1u);
  EXPECT_NE(c.record.excluded().at(2).find("bad share for teller 4"), std::string::npos);
  EXPECT_EQ(c.record.Qualified(), (std::vector<uint32_t>{1, 3, 4, 5}));
  // The ceremony goes on without teller 2; any 3 of the 4 decrypt.
  c.TestAll();
  auto done = c.record.Done();
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->qualified_size(), 4);
  EXPECT_FALSE(c.T(2).FinalShare(c.record).ok());
  ExpectThresholdDecryption(c, 3);
}

TEST(CeremonyTest, LyingAnswerExcludesTheSender) {
  Ceremony c = Ceremony::Make(3, 2);
  c.CommitAll();
  c.RevealAll();
  v1::CeremonyShares bad = c.T(1).Shares(c.record).value();
  std::string ct = bad.shares(0).ciphertext();
  ct[0] ^= 1;  // garbles the share for its first recipient
  uint32_t victim = bad.shares(0).recipient();
  bad.mutable_shares(0)->set_ciphertext(ct);
  ASSERT_TRUE(c.record.Add(1, Body(bad)).ok());
  for (uint32_t i : {2u, 3u})
    ASSERT_TRUE(c.record.Add(i, Body(c.T(i).Shares(c.record).value())).ok());
  auto complaint = c.T(victim).ReceiveShare(c.record, 1).value();
  ASSERT_TRUE(complaint.has_value());
  EXPECT_EQ(complaint->reason(), "share does not decrypt");
  ASSERT_TRUE(c.record.Add(victim, Body(*complaint)).ok());
  // The honest-looking answer does not reproduce what was posted.
  ASSERT_TRUE(c.record.Add(1, Body(c.T(1).AnswerComplaint(*complaint).value())).ok());
  ASSERT_EQ(c.record.excluded().count(1), 1u);
  EXPECT_NE(c.record.excluded().at(1).find("does not reproduce"), std::string::npos);
}

TEST(CeremonyTest, FalseComplaintNamesTheComplainer) {
  Ceremony c = Ceremony::Make(5, 3);
  c.CommitAll();
  c.RevealAll();
  c.ShareAll();
  ASSERT_TRUE(c.ReceiveAll().empty());
  // Tellers 1 and 2 test-decrypt first.
  v1::CeremonyTestDecryption early = c.T(1).TestDecryption(c.record).value();
  ASSERT_TRUE(c.record.Add(1, Body(early)).ok());
  EXPECT_NE(c.record.test_decryption(1), nullptr);
  ASSERT_TRUE(c.record.Add(2, Body(c.T(2).TestDecryption(c.record).value())).ok());
  // A teller that accepted its shares cannot complain any more.
  v1::CeremonyComplaint late;
  late.set_attempt(1);
  late.set_index(1);
  late.set_against(5);
  EXPECT_EQ(c.record.Add(1, Body(late)).code(), StatusCode::kFailedPrecondition);
  // Teller 3 complains falsely against teller 5.
  v1::CeremonyComplaint lie;
  lie.set_attempt(1);
  lie.set_index(3);
  lie.set_against(5);
  lie.set_reason("share does not decrypt");
  ASSERT_TRUE(c.record.Add(3, Body(lie)).ok());
  ASSERT_TRUE(c.record.Add(5, Body(c.T(5).AnswerComplaint(lie).value())).ok());
  ASSERT_EQ(c.record.excluded().count(3), 1u);
  EXPECT_NE(c.record.excluded().at(3).find("false complaint against teller 5"), std::string::npos);
  EXPECT_EQ(c.record.excluded().count(5), 0u);
  // The qualified set changed: the early test decryption is stale.
  EXPECT_EQ(c.record.test_decryption(1), nullptr);
  Status stale = c.record.Add(1, Body(early));
  EXPECT_EQ(stale.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(stale.message().find("another transcript"), std::string::npos);
  c.TestAll();
  ASSERT_TRUE(c.record.Done().ok());
  EXPECT_EQ(c.record.Qualified(), (std::vector<uint32_t>{1, 2, 4, 5}));
  ExpectThresholdDecryption(c, 3);
}

TEST(CeremonyTest, WrongTestDecryptionRejected) {
  Ceremony c = Ceremony::Make(3, 2);
  c.CommitAll();
  c.RevealAll();
  c.ShareAll();
  ASSERT_TRUE(c.ReceiveAll().empty());
  // A teller whose share is wrong (e.g. a forgotten passphrase led to a
  // restore from the wrong file) cannot produce a valid test decryption.
  v1::CeremonyTestDecryption td;
  td.set_attempt(1);
  td.set_index(2);
  td.set_transcript_hash(c.record.TranscriptHash().value());
  *td.mutable_partial() =
      PartialDecrypt(c.record.TestDecryptionContext(2).value(), Scalar::Random().value(),
                     c.record.PublicShare(2).value(), c.record.TestCiphertext().value())
          .value();
  Status s = c.record.Add(2, Body(td));
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_NE(s.message().find("test decryption of teller 2"), std::string::npos) << s.message();
  // Teller 1's good test decryption cannot be replayed as teller 2's.
  v1::CeremonyTestDecryption t1 = c.T(1).TestDecryption(c.record).value();
  t1.set_index(2);
  EXPECT_EQ(c.record.Add(2, Body(t1)).code(), StatusCode::kVerificationFailed);
  auto d = c.record.Done();
  EXPECT_EQ(d.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(d.status().message().find("teller 1: test decryption"), std::string::npos);
}

TEST(CeremonyTest, TooManyExclusionsFailTheAttempt) {
  Ceremony c = Ceremony::Make(3, 3);
  c.CommitAll();
  c.RevealAll();
  c.ShareAll();
  v1::CeremonyComplaint lie;
  lie.set_attempt(1);
  lie.set_index(2);
  lie.set_against(1);
  ASSERT_TRUE(c.record.Add(2, Body(lie)).ok());
  ASSERT_TRUE(c.record.Add(1, Body(c.T(1).AnswerComplaint(lie).value())).ok());
  EXPECT_EQ(c.record.phase(), CeremonyRecord::Phase::kFailed);
  EXPECT_NE(c.record.Done().status().message().find("new attempt"), std::string::npos);
}

}  // namespace
}  // namespace phieu::crypto

namespace phieu::crypto {
namespace {

// Known answers from tests/crypto/ceremony_kat.py, an independent
// implementation of docs/crypto.md: the spec and the code agree byte for byte.
TEST(CeremonyKatTest, ContextCommitmentAndShareEncryption) {
  std::string ctx = CeremonyContext(kGenesis, Start(3, 2));
  EXPECT_EQ(Hex(ctx), "0f818a7398486ece80ffedd5579439db5bcddbb2d9c4bd047ba44ce03486f1e5");
  std::vector<Point> cs;
  cs.push_back(Point::MulGen(Scalar::FromUint64(3)).value());
  cs.push_back(Point::MulGen(Scalar::FromUint64(4)).value());
  EXPECT_EQ(Hex(CommitmentHash(ctx, 1, cs).value()),
            "e723c8115ba8cdd1c5e44dec7bcaff2e91f76c5343e17c4257ae9fbdc3370d7e");
  auto es = EncryptShare(ctx, 1, 2, Point::MulGen(Scalar::FromUint64(11)).value(),
                         Scalar::FromUint64(5), Scalar::FromUint64(7));
  ASSERT_TRUE(es.ok());
  EXPECT_EQ(es->recipient(), 2u);
  EXPECT_EQ(Hex(es->ephemeral()),
            "0251590b7a515140d2d784c85608668fdfef8c82fd1f5be52421554a0dc3d033ed");
  EXPECT_EQ(Hex(es->ciphertext()),
            "d67a4810de7517ce8cd821b638def603c4e0d681d6592a35f60b2849e5f787b0"
            "bcb1a9820ad1c4c434ce4e45385bb588");
}

}  // namespace
}  // namespace phieu::crypto

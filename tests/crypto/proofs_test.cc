#include "core/crypto/proofs.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/crypto/elgamal.h"

namespace phieu::crypto {
namespace {

void ExpectFails(const Status& s, const std::string& check) {
  EXPECT_FALSE(s.ok()) << "expected failure naming: " << check;
  EXPECT_NE(s.message().find(check), std::string::npos) << s.ToString();
}

std::string FlipByte(std::string s, size_t i = 31) {
  s[i] = static_cast<char>(s[i] ^ 0x01);
  return s;
}

class ProofsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    secret_ = *Scalar::Random();
    key_ = *Point::MulGen(secret_);
    other_key_ = *Point::MulGen(*Scalar::Random());
  }
  Scalar secret_;
  Point key_, other_key_;
  const std::string ctx_ = "run context / unit / position";
};

TEST_F(ProofsTest, RangeRoundTripEveryValue) {
  for (int64_t lo : {int64_t{0}, int64_t{1}, int64_t{-2}}) {
    for (int64_t hi = lo; hi <= lo + 3; ++hi) {
      for (int64_t m = lo; m <= hi; ++m) {
        Scalar r = *Scalar::Random();
        // A negative m is the homomorphic sum of a constraint: encrypt |m| and negate.
        Ciphertext ct = *Encrypt(key_, static_cast<uint64_t>(m < 0 ? -m : m), r);
        if (m < 0) {
          ct = *SmallMul(ct, -1);
          r = *r.Neg();
        }
        auto proof = ProveRange(ctx_, key_, ct, m, r, lo, hi);
        ASSERT_TRUE(proof.ok()) << proof.status().ToString();
        EXPECT_EQ(proof->challenges_size(), hi - lo + 1);
        EXPECT_TRUE(VerifyRange(ctx_, key_, ct, lo, hi, *proof).ok())
            << "lo=" << lo << " hi=" << hi << " m=" << m;
      }
    }
  }
}

TEST_F(ProofsTest, RangeProverRefusesValueOutsideRange) {
  Scalar r = *Scalar::Random();
  Ciphertext ct = *Encrypt(key_, 2, r);
  auto proof = ProveRange(ctx_, key_, ct, 2, r, 0, 1);
  ASSERT_FALSE(proof.ok());
  EXPECT_NE(proof.status().message().find("outside"), std::string::npos);
  EXPECT_EQ(proof.status().message().find("2"), std::string::npos) << "leaks the value";
  EXPECT_FALSE(ProveRange(ctx_, key_, ct, 2, r, 3, 1).ok());
  EXPECT_FALSE(ProveRange(ctx_, key_, ct, 2, r, 0, kMaxRangeBranches).ok());
}

TEST_F(ProofsTest, RangeProofOfAFalseStatementFails) {
  // A prover lying about m (ciphertext of 2, claims 1) cannot convince.
  Scalar r = *Scalar::Random();
  Ciphertext ct = *Encrypt(key_, 2, r);
  auto proof = ProveRange(ctx_, key_, ct, 1, r, 0, 1);
  ASSERT_TRUE(proof.ok());
  ExpectFails(VerifyRange(ctx_, key_, ct, 0, 1, *proof), "challenge sum mismatch");
}

TEST_F(ProofsTest, RangeEveryStatementAndProofFieldMatters) {
  Scalar r = *Scalar::Random();
  Ciphertext ct = *Encrypt(key_, 1, r);
  const v1::RangeProof proof = *ProveRange(ctx_, key_, ct, 1, r, 0, 2);
  ASSERT_TRUE(VerifyRange(ctx_, key_, ct, 0, 2, proof).ok());

  // Statement.
  ExpectFails(VerifyRange("another run", key_, ct, 0, 2, proof), "challenge sum mismatch");
  ExpectFails(VerifyRange(ctx_, other_key_, ct, 0, 2, proof), "challenge sum mismatch");
  Ciphertext other_pad{*ct.pad.Add(Point::Generator()), ct.data.Clone()};
  ExpectFails(VerifyRange(ctx_, key_, other_pad, 0, 2, proof), "challenge sum mismatch");
  Ciphertext other_data{ct.pad.Clone(), *ct.data.Add(Point::Generator())};
  ExpectFails(VerifyRange(ctx_, key_, other_data, 0, 2, proof), "challenge sum mismatch");
  ExpectFails(VerifyRange(ctx_, key_, ct, 1, 3, proof), "challenge sum mismatch");
  ExpectFails(VerifyRange(ctx_, key_, ct, 0, 1, proof), "wrong number of branches");
  ExpectFails(VerifyRange(ctx_, key_, ct, 0, 3, proof), "wrong number of branches");
  ExpectFails(VerifyRange(ctx_, key_, ct, 2, 0, proof), "empty range");

  // Proof: each challenge and response in turn.
  for (int i = 0; i < 3; ++i) {
    v1::RangeProof bad = proof;
    bad.set_challenges(i, FlipByte(bad.challenges(i)));
    ExpectFails(VerifyRange(ctx_, key_, ct, 0, 2, bad), "challenge sum mismatch");
    bad = proof;
    bad.set_responses(i, FlipByte(bad.responses(i)));
    ExpectFails(VerifyRange(ctx_, key_, ct, 0, 2, bad), "challenge sum mismatch");
    bad = proof;
    bad.set_challenges(i, std::string(32, '\xff'));
    ExpectFails(VerifyRange(ctx_, key_, ct, 0, 2, bad),
                "challenge " + std::to_string(i) + " not a canonical scalar");
    bad = proof;
    bad.set_responses(i, std::string(31, '\x01'));
    ExpectFails(VerifyRange(ctx_, key_, ct, 0, 2, bad),
                "response " + std::to_string(i) + " not a canonical scalar");
  }
  v1::RangeProof fewer = proof;
  fewer.mutable_challenges()->RemoveLast();
  ExpectFails(VerifyRange(ctx_, key_, ct, 0, 2, fewer), "wrong number of branches");
  v1::RangeProof more = proof;
  more.add_responses(proof.responses(0));
  ExpectFails(VerifyRange(ctx_, key_, ct, 0, 2, more), "wrong number of branches");
  // Swapping two branches moves each (c, z) to the wrong value.
  v1::RangeProof swapped = proof;
  swapped.set_challenges(0, proof.challenges(1));
  swapped.set_challenges(1, proof.challenges(0));
  swapped.set_responses(0, proof.responses(1));
  swapped.set_responses(1, proof.responses(0));
  ExpectFails(VerifyRange(ctx_, key_, ct, 0, 2, swapped), "challenge sum mismatch");
}

TEST_F(ProofsTest, RangeWithKeyTableAgrees) {
  const FixedBase table = *FixedBase::Create(key_);
  const FixedBase other_table = *FixedBase::Create(other_key_);
  Scalar r = *Scalar::Random();
  Ciphertext ct = *Encrypt(key_, 2, r);
  const v1::RangeProof proof = *ProveRange(ctx_, key_, ct, 2, r, 1, 3);
  EXPECT_TRUE(VerifyRange(ctx_, table, ct, 1, 3, proof).ok());
  ExpectFails(VerifyRange(ctx_, other_table, ct, 1, 3, proof), "challenge sum mismatch");
  ExpectFails(VerifyRange("other", table, ct, 1, 3, proof), "challenge sum mismatch");
  v1::RangeProof bad = proof;
  bad.set_responses(2, FlipByte(bad.responses(2)));
  ExpectFails(VerifyRange(ctx_, table, ct, 1, 3, bad), "challenge sum mismatch");
  ResetCounters();
  ASSERT_TRUE(VerifyRange(ctx_, table, ct, 1, 3, proof).ok());
  EXPECT_EQ(Counters().double_base, 6u);
  EXPECT_EQ(Counters().variable_base, 0u);
}

TEST_F(ProofsTest, SchnorrRoundTripAndTampering) {
  Scalar x = *Scalar::Random();
  Point X = *Point::MulGen(x);
  const v1::SchnorrProof proof = *ProveSchnorr(ctx_, x, X);
  ASSERT_TRUE(VerifySchnorr(ctx_, X, proof).ok());

  ExpectFails(VerifySchnorr("other", X, proof), "equation v·G = h + c·X fails");
  ExpectFails(VerifySchnorr(ctx_, other_key_, proof), "equation v·G = h + c·X fails");
  v1::SchnorrProof bad = proof;
  bad.set_response(FlipByte(bad.response()));
  ExpectFails(VerifySchnorr(ctx_, X, bad), "equation v·G = h + c·X fails");
  bad = proof;
  bad.set_response(std::string(32, '\xff'));
  ExpectFails(VerifySchnorr(ctx_, X, bad), "response not a canonical scalar");
  bad = proof;
  bad.set_commitment(*Point::MulGen(*Scalar::Random())->Encode());
  ExpectFails(VerifySchnorr(ctx_, X, bad), "equation v·G = h + c·X fails");
  bad = proof;
  bad.set_commitment(std::string(33, '\0'));
  ExpectFails(VerifySchnorr(ctx_, X, bad), "schnorr proof: commitment: point: bad prefix");
  // A proof for a key the prover does not know: wrong x.
  auto forged = ProveSchnorr(ctx_, *Scalar::Random(), X);
  ASSERT_TRUE(forged.ok());
  ExpectFails(VerifySchnorr(ctx_, X, *forged), "equation");
}

TEST_F(ProofsTest, PartialDecryptionRoundTripAndTampering) {
  Scalar r = *Scalar::Random();
  Ciphertext ct = *Encrypt(key_, 5, r);
  const v1::PartialDecryption partial = *PartialDecrypt(ctx_, secret_, key_, ct);
  ASSERT_TRUE(VerifyPartial(ctx_, key_, ct, partial).ok());
  // With the whole key, M = s·pad decrypts.
  Point m = *Point::Decode(partial.share());
  EXPECT_TRUE(ct.data.Sub(m)->Equals(*Point::MulGen(Scalar::FromUint64(5))));

  ExpectFails(VerifyPartial("other", key_, ct, partial), "decryption proof: challenge mismatch");
  ExpectFails(VerifyPartial(ctx_, other_key_, ct, partial), "challenge mismatch");
  Ciphertext other_pad{*ct.pad.Add(Point::Generator()), ct.data.Clone()};
  ExpectFails(VerifyPartial(ctx_, key_, other_pad, partial), "challenge mismatch");
  Ciphertext other_data{ct.pad.Clone(), *ct.data.Add(Point::Generator())};
  ExpectFails(VerifyPartial(ctx_, key_, other_data, partial), "challenge mismatch");

  v1::PartialDecryption bad = partial;
  bad.set_share(*m.Add(Point::Generator())->Encode());  // a wrong partial
  ExpectFails(VerifyPartial(ctx_, key_, ct, bad), "challenge mismatch");
  bad = partial;
  bad.set_share("\x04" + partial.share().substr(1));
  ExpectFails(VerifyPartial(ctx_, key_, ct, bad), "decryption proof: share: point:");
  bad = partial;
  bad.mutable_proof()->set_challenge(FlipByte(partial.proof().challenge()));
  ExpectFails(VerifyPartial(ctx_, key_, ct, bad), "challenge mismatch");
  bad = partial;
  bad.mutable_proof()->set_response(FlipByte(partial.proof().response()));
  ExpectFails(VerifyPartial(ctx_, key_, ct, bad), "challenge mismatch");
  bad = partial;
  bad.mutable_proof()->set_challenge(std::string(32, '\xff'));
  ExpectFails(VerifyPartial(ctx_, key_, ct, bad), "challenge not a canonical scalar");
  bad = partial;
  bad.mutable_proof()->set_response("");
  ExpectFails(VerifyPartial(ctx_, key_, ct, bad), "response not a canonical scalar");
  bad = partial;
  bad.clear_proof();
  ExpectFails(VerifyPartial(ctx_, key_, ct, bad), "decryption proof: missing");

  // A teller using a share that is not its own cannot prove the partial.
  auto wrong = PartialDecrypt(ctx_, *Scalar::Random(), key_, ct);
  ASSERT_TRUE(wrong.ok());
  ExpectFails(VerifyPartial(ctx_, key_, ct, *wrong), "challenge mismatch");
}

TEST_F(ProofsTest, DeterministicSourceMakesIdenticalProofs) {
  Scalar r = Scalar::FromUint64(12345);
  Ciphertext ct = *Encrypt(key_, 1, r);
  DeterministicScalarSource a("seed"), b("seed"), c("other seed");
  auto pa = ProveRange(ctx_, key_, ct, 1, r, 0, 1, &a);
  auto pb = ProveRange(ctx_, key_, ct, 1, r, 0, 1, &b);
  auto pc = ProveRange(ctx_, key_, ct, 1, r, 0, 1, &c);
  ASSERT_TRUE(pa.ok() && pb.ok() && pc.ok());
  EXPECT_EQ(pa->SerializeAsString(), pb->SerializeAsString());
  EXPECT_NE(pa->SerializeAsString(), pc->SerializeAsString());
  EXPECT_EQ(a.counter(), 3u);  // u for the real branch; c, z for the simulated one
}

}  // namespace
}  // namespace phieu::crypto

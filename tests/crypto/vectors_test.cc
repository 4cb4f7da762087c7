// Re-checks tests/vectors/crypto_vectors.txt: (1) the generator, run again,
// reproduces every value (so an encoding or hash change cannot slip in
// unnoticed); (2) the stored proofs, ballot and tracking code verify from the
// file's bytes alone, through the public verifiers.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/proofs.h"
#include "core/crypto/threshold.h"
#include "core/util/bytes.h"
#include "tests/crypto/test_layouts.h"
#include "tests/vectors/vectors.h"

namespace phieu::crypto {
namespace {

class VectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(PHIEU_VECTORS_FILE, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << PHIEU_VECTORS_FILE;
    std::stringstream ss;
    ss << in.rdbuf();
    ASSERT_TRUE(vectors::Parse(ss.str(), &stored_));
    for (const auto& [k, v] : stored_) map_[k] = v;
  }
  std::string Bin(const std::string& name) {
    std::string out;
    EXPECT_TRUE(map_.count(name)) << name;
    EXPECT_TRUE(FromHex(map_[name], &out)) << name;
    return out;
  }
  Point Pt(const std::string& name) {
    auto p = Point::Decode(Bin(name));
    EXPECT_TRUE(p.ok()) << name;
    return p.ok() ? std::move(p).value() : Point();
  }
  v1::RangeProof Range(const std::string& prefix, int branches) {
    v1::RangeProof p;
    for (int i = 0; i < branches; ++i) {
      p.add_challenges(Bin(prefix + ".challenge." + std::to_string(i)));
      p.add_responses(Bin(prefix + ".response." + std::to_string(i)));
    }
    return p;
  }
  vectors::Vectors stored_;
  std::map<std::string, std::string> map_;
};

TEST_F(VectorsTest, GeneratorReproducesEveryValue) {
  const vectors::Vectors fresh = vectors::Generate(vectors::kSeed);
  ASSERT_EQ(fresh.size(), stored_.size());
  for (size_t i = 0; i < fresh.size(); ++i) {
    EXPECT_EQ(fresh[i].first, stored_[i].first);
    EXPECT_EQ(fresh[i].second, stored_[i].second) << fresh[i].first;
  }
}

TEST_F(VectorsTest, StandardConstants) {
  EXPECT_EQ(map_["group.generator"],
            "036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
  EXPECT_EQ(map_["group.minus_one"],
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550");
  auto s0 = Scalar::Decode(Bin("group.scalar0"));
  ASSERT_TRUE(s0.ok());
  EXPECT_TRUE(Point::MulGen(*s0)->Equals(Pt("group.scalar0_g")));
}

TEST_F(VectorsTest, StoredProofsVerify) {
  const Point key = Pt("elgamal.key");
  const std::string ctx = Bin("range.context");
  Ciphertext ct{Pt("elgamal.pad"), Pt("elgamal.data")};
  EXPECT_TRUE(VerifyRange(ctx, key, ct, 0, 1, Range("range01", 2)).ok());
  Ciphertext ct2{Pt("range13.pad"), Pt("range13.data")};
  EXPECT_TRUE(VerifyRange(ctx, key, ct2, 1, 3, Range("range13", 3)).ok());
  EXPECT_FALSE(VerifyRange(ctx, key, ct, 1, 3, Range("range13", 3)).ok());

  v1::SchnorrProof schnorr;
  schnorr.set_commitment(Bin("schnorr.commitment"));
  schnorr.set_response(Bin("schnorr.response"));
  EXPECT_TRUE(VerifySchnorr(ctx, key, schnorr).ok());

  v1::PartialDecryption partial;
  partial.set_share(Bin("partial.share"));
  partial.mutable_proof()->set_challenge(Bin("partial.challenge"));
  partial.mutable_proof()->set_response(Bin("partial.response"));
  EXPECT_TRUE(VerifyPartial(ctx, key, ct, partial).ok());
  // The whole key as one share: data − M = 1·G.
  EXPECT_TRUE(ct.data.Sub(Pt("partial.share"))->Equals(Point::Generator()));

  // λ_1 + λ_3 + λ_4 = 1 for any set (interpolating the constant 1).
  Scalar sum;
  for (const char* i : {"1", "3", "4"}) {
    sum = *sum.Add(*Scalar::Decode(Bin(std::string("lagrange.134.") + i)));
  }
  EXPECT_TRUE(sum.Equals(Scalar::FromUint64(1)));
}

TEST_F(VectorsTest, StoredBallotVerifiesAndHasItsTrackingCode) {
  const Point key = Pt("elgamal.key");
  const std::string run = Bin("ballot.run_context");
  EXPECT_EQ(run, RunContext(std::string(32, '\x01'), std::string(32, '\x02'), key,
                            std::string(32, '\x03'), "ballot-1"));
  const v1::BallotLayout layout = testing::ElectOne(3);
  EXPECT_EQ(Bin("ballot.layout_encoding"), EncodeLayout(layout));
  v1::EncryptedBallot b;
  b.set_run_id("run-1");
  b.set_unit_id("unit-2");
  for (int i = 0; i < 4; ++i) {
    const std::string c = "ballot.cell." + std::to_string(i);
    v1::Ciphertext* cell = b.add_cells();
    cell->set_pad(Bin(c + ".pad"));
    cell->set_data(Bin(c + ".data"));
    *b.add_cell_proofs() = Range(c + ".proof", 2);
  }
  *b.add_constraint_proofs() = Range("ballot.constraint.0.proof", 1);
  Status s = VerifyBallot(run, key, layout, b);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(TrackingCode(b), Bin("ballot.tracking_code"));
  EXPECT_EQ(std::to_string(BallotBodyBytes(b).size()), map_["ballot.body_sha256_input_size"]);
  b.set_unit_id("unit-3");
  EXPECT_FALSE(VerifyBallot(run, key, layout, b).ok());
}

}  // namespace
}  // namespace phieu::crypto

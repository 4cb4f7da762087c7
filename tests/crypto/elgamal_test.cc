#include "core/crypto/elgamal.h"

#include <gtest/gtest.h>

namespace phieu::crypto {
namespace {

Point Times(int64_t x) { return *Point::MulGen(Scalar::FromInt64(x)); }

class ElGamalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    secret_ = *Scalar::Random();
    key_ = *Point::MulGen(secret_);
  }
  // m·G = data − s·pad
  Point Decrypt(const Ciphertext& c) { return *c.data.Sub(*c.pad.Mul(secret_)); }
  Scalar secret_;
  Point key_;
};

TEST_F(ElGamalTest, EncryptDecrypt) {
  for (uint64_t m : {0u, 1u, 7u}) {
    Scalar r = *Scalar::Random();
    Ciphertext c = *Encrypt(key_, m, r);
    EXPECT_TRUE(c.pad.Equals(*Point::MulGen(r)));
    if (m == 0) {
      EXPECT_TRUE(Decrypt(c).IsIdentity());
    } else {
      EXPECT_TRUE(Decrypt(c).Equals(Times(static_cast<int64_t>(m))));
    }
  }
}

TEST_F(ElGamalTest, HomomorphicSums) {
  Ciphertext a = *Encrypt(key_, 1, *Scalar::Random());
  Ciphertext b = *Encrypt(key_, 1, *Scalar::Random());
  Ciphertext c = *Encrypt(key_, 0, *Scalar::Random());
  EXPECT_TRUE(Decrypt(*Add(a, b)).Equals(Times(2)));
  EXPECT_TRUE(Decrypt(*Sub(a, c)).Equals(Times(1)));
  EXPECT_TRUE(Decrypt(*ScalarMul(a, Scalar::FromUint64(5))).Equals(Times(5)));
  EXPECT_TRUE(Decrypt(*SmallMul(a, -1)).Equals(Times(-1)));
  EXPECT_TRUE(SmallMul(a, 0)->pad.IsIdentity());
  std::vector<Ciphertext> cells;
  cells.push_back(a.Clone());
  cells.push_back(b.Clone());
  cells.push_back(c.Clone());
  // 3·1 − 1 + 2·0 = 2
  EXPECT_TRUE(Decrypt(*Sum(cells, {3, -1, 2})).Equals(Times(2)));
  EXPECT_NE(Sum(cells, {1, 1}).status().message().find("3 cells but 2 coefficients"),
            std::string::npos);
}

TEST_F(ElGamalTest, ProtoRoundTripAndValidation) {
  Ciphertext c = *Encrypt(key_, 1, *Scalar::Random());
  auto proto = ToProto(c);
  ASSERT_TRUE(proto.ok());
  EXPECT_EQ(proto->pad().size(), 33u);
  auto back = FromProto(*proto);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->Equals(c));

  v1::Ciphertext bad = *proto;
  bad.set_pad(std::string(33, '\0'));
  EXPECT_NE(FromProto(bad).status().message().find("ciphertext pad: point: bad prefix"),
            std::string::npos);
  bad = *proto;
  bad.set_data(bad.data().substr(1));
  EXPECT_NE(FromProto(bad).status().message().find("ciphertext data: point: wrong length"),
            std::string::npos);
  EXPECT_NE(ToProto(Ciphertext::Zero()).status().message().find("identity"), std::string::npos);
}

}  // namespace
}  // namespace phieu::crypto

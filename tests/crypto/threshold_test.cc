#include "core/crypto/threshold.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/crypto/dlog.h"
#include "core/crypto/proofs.h"

namespace phieu::crypto {
namespace {

// A simulated t-of-n ceremony: polynomials, commitments, shares.
struct Ceremony {
  Ceremony(uint32_t t, uint32_t n) {
    shares.resize(n);
    for (uint32_t j = 0; j < n; ++j) {
      std::vector<Scalar> coefficients;
      std::vector<Point> commitments_j;
      for (uint32_t k = 0; k < t; ++k) {
        coefficients.push_back(*Scalar::Random());
        commitments_j.push_back(*Point::MulGen(coefficients.back()));
      }
      polys.push_back(std::move(coefficients));
      commitments.push_back(std::move(commitments_j));
    }
    for (uint32_t i = 1; i <= n; ++i) {
      Scalar s;
      for (const auto& p : polys) s = *s.Add(*EvaluatePolynomial(p, i));
      shares[i - 1] = std::move(s);
    }
    key = *JointKey(commitments);
  }
  std::vector<std::vector<Scalar>> polys;
  std::vector<std::vector<Point>> commitments;
  std::vector<Scalar> shares;  // s_i at index i−1
  Point key;
};

constexpr char kCtx[] = "tally context";

// Decrypts ct with the tellers in `who`, verifying each partial.
Result<Point> DecryptWith(const Ceremony& c, const Ciphertext& ct,
                          const std::vector<uint32_t>& who) {
  std::vector<Point> partials;
  for (uint32_t i : who) {
    ASSIGN_OR_RETURN(Point ki, PublicShare(i, c.commitments));
    ASSIGN_OR_RETURN(v1::PartialDecryption p, PartialDecrypt(kCtx, c.shares[i - 1], ki, ct));
    RETURN_IF_ERROR(VerifyPartial(kCtx, ki, ct, p));
    ASSIGN_OR_RETURN(Point m, Point::Decode(p.share()));
    partials.push_back(std::move(m));
  }
  ASSIGN_OR_RETURN(Point combined, CombinePartials(who, partials));
  return DecryptToPoint(ct, combined);
}

TEST(ThresholdTest, PublicShareMatchesShare) {
  Ceremony c(3, 5);
  for (uint32_t i = 1; i <= 5; ++i) {
    EXPECT_TRUE(PublicShare(i, c.commitments)->Equals(*Point::MulGen(c.shares[i - 1])));
  }
  // The joint key is the polynomial sum at 0.
  Scalar s;
  for (const auto& p : c.polys) s = *s.Add(p[0]);
  EXPECT_TRUE(c.key.Equals(*Point::MulGen(s)));
}

TEST(ThresholdTest, AnyTOfNDecryptAndFewerCannot) {
  Ceremony c(3, 5);
  const uint64_t m = 42;
  Ciphertext ct = *Encrypt(c.key, m, *Scalar::Random());
  const Point expected = *Point::MulGen(Scalar::FromUint64(m));
  DlogTable table = *DlogTable::Create(1000);
  int subsets = 0;
  for (uint32_t a = 1; a <= 5; ++a) {
    for (uint32_t b = a + 1; b <= 5; ++b) {
      for (uint32_t d = b + 1; d <= 5; ++d) {
        auto mg = DecryptWith(c, ct, {a, b, d});
        ASSERT_TRUE(mg.ok()) << mg.status().ToString();
        EXPECT_TRUE(mg->Equals(expected)) << a << b << d;
        EXPECT_EQ(*table.Solve(*mg), m);
        ++subsets;
      }
      // t − 1 tellers: the Lagrange combination of two shares is not s.
      auto two = DecryptWith(c, ct, {a, b});
      ASSERT_TRUE(two.ok());
      EXPECT_FALSE(two->Equals(expected)) << a << b;
      EXPECT_FALSE(table.Solve(*two).ok());
    }
  }
  EXPECT_EQ(subsets, 10);
  // All five also decrypt.
  EXPECT_TRUE(DecryptWith(c, ct, {1, 2, 3, 4, 5})->Equals(expected));
}

TEST(ThresholdTest, WrongPartialIsCaughtByItsProof) {
  Ceremony c(2, 3);
  Ciphertext ct = *Encrypt(c.key, 3, *Scalar::Random());
  Point k2 = *PublicShare(2, c.commitments);
  // Teller 2 uses teller 3's share.
  auto p = PartialDecrypt(kCtx, c.shares[2], k2, ct);
  ASSERT_TRUE(p.ok());
  Status s = VerifyPartial(kCtx, k2, ct, *p);
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_NE(s.message().find("challenge mismatch"), std::string::npos);
}

TEST(ThresholdTest, LagrangeChecksItsIndices) {
  EXPECT_NE(Lagrange(0, {0, 1}).status().message().find("index 0"), std::string::npos);
  EXPECT_NE(Lagrange(1, {1, 2, 2}).status().message().find("duplicate index 2"),
            std::string::npos);
  EXPECT_NE(Lagrange(4, {1, 2, 3}).status().message().find("not in the set"), std::string::npos);
  // λ_1 for {1, 2} = 2 / (2 − 1) = 2; λ_2 = 1 / (1 − 2) = −1.
  EXPECT_TRUE(Lagrange(1, {1, 2})->Equals(Scalar::FromUint64(2)));
  EXPECT_TRUE(Lagrange(2, {1, 2})->Equals(Scalar::FromInt64(-1)));
  EXPECT_TRUE(Lagrange(3, {3})->Equals(Scalar::FromUint64(1)));
}

TEST(ThresholdTest, ShapeErrorsAreNamed) {
  Ceremony c(2, 3);
  auto uneven = std::move(c.commitments);
  uneven[1].pop_back();
  EXPECT_NE(PublicShare(1, uneven).status().message().find("teller 2 has 1 commitments, want 2"),
            std::string::npos);
  EXPECT_NE(CombinePartials({1, 2}, {}).status().message().find("2 indices but 0 partials"),
            std::string::npos);
}

}  // namespace
}  // namespace phieu::crypto

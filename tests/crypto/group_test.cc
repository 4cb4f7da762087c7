#include "core/crypto/group.h"

#include <gtest/gtest.h>

#include <string>

#include "core/util/bytes.h"

namespace phieu::crypto {
namespace {

// P-256 parameters (SEC 2 §2.4.2), big-endian hex.
constexpr char kOrderHex[] = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
constexpr char kPrimeHex[] = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
constexpr char kGeneratorHex[] =
    "036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";

std::string Bytes(const char* hex) {
  std::string out;
  EXPECT_TRUE(FromHex(hex, &out)) << hex;
  return out;
}

std::string Increment(std::string be) {
  for (size_t i = be.size(); i-- > 0;) {
    if (++reinterpret_cast<unsigned char&>(be[i]) != 0) break;
  }
  return be;
}

void ExpectRejected(const Result<Scalar>& r, const std::string& check) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(check), std::string::npos) << r.status().ToString();
}

void ExpectRejected(const Result<Point>& r, const std::string& check) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(check), std::string::npos) << r.status().ToString();
}

TEST(ScalarTest, DecodeRejectsOrderAndAbove) {
  const std::string n = Bytes(kOrderHex);
  ExpectRejected(Scalar::Decode(n), "not below the group order");
  ExpectRejected(Scalar::Decode(Increment(n)), "not below the group order");
  ExpectRejected(Scalar::Decode(std::string(32, '\xff')), "not below the group order");
}

TEST(ScalarTest, DecodeRejectsWrongLength) {
  ExpectRejected(Scalar::Decode(std::string(31, '\x01')), "wrong length");
  ExpectRejected(Scalar::Decode(std::string(33, '\x01')), "wrong length");
  ExpectRejected(Scalar::Decode(""), "wrong length");
}

TEST(ScalarTest, DecodeAcceptsZeroAndOrderMinusOne) {
  auto zero = Scalar::Decode(std::string(32, '\0'));
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(zero->IsZero());
  std::string n_minus_1 = Bytes(kOrderHex);
  n_minus_1.back() = static_cast<char>(n_minus_1.back() - 1);
  auto s = Scalar::Decode(n_minus_1);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->Equals(Scalar::FromInt64(-1)));
  EXPECT_EQ(s->Encode(), n_minus_1);
}

TEST(ScalarTest, ArithmeticModOrder) {
  Scalar a = Scalar::FromUint64(7), b = Scalar::FromInt64(-3);
  EXPECT_TRUE(a.Add(b)->Equals(Scalar::FromUint64(4)));
  EXPECT_TRUE(b.Sub(a)->Equals(Scalar::FromInt64(-10)));
  EXPECT_TRUE(a.Mul(b)->Equals(Scalar::FromInt64(-21)));
  EXPECT_TRUE(a.Neg()->Equals(Scalar::FromInt64(-7)));
  EXPECT_TRUE(Scalar().Neg()->IsZero());
  auto inv = a.Inverse();
  ASSERT_TRUE(inv.ok());
  EXPECT_TRUE(inv->Mul(a)->Equals(Scalar::FromUint64(1)));
  EXPECT_FALSE(Scalar().Inverse().ok());
  EXPECT_TRUE(Scalar::FromInt64(INT64_MIN).Add(Scalar::FromUint64(uint64_t{1} << 63))->IsZero());
}

TEST(ScalarTest, FromDigestReducesModOrder) {
  // n + 5 reduces to 5.
  std::string n = Bytes(kOrderHex);
  for (int i = 0; i < 5; ++i) n = Increment(n);
  EXPECT_TRUE(Scalar::FromDigest(n).Equals(Scalar::FromUint64(5)));
}

TEST(ScalarTest, RandomIsNonZeroAndVaries) {
  auto a = Scalar::Random(), b = Scalar::Random();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->IsZero());
  EXPECT_FALSE(a->Equals(*b));
  EXPECT_TRUE(Scalar::Decode(a->Encode())->Equals(*a));
}

TEST(PointTest, GeneratorEncodingAndRoundTrip) {
  Point g = Point::Generator();
  auto enc = g.Encode();
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(Hex(*enc), kGeneratorHex);
  auto back = Point::Decode(*enc);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->Equals(g));
  EXPECT_TRUE(Point::MulGen(Scalar::FromUint64(1))->Equals(g));
}

TEST(PointTest, DecodeRejectsIdentity) {
  ExpectRejected(Point::Decode(std::string(1, '\0')), "identity");
  ExpectRejected(Point::Decode(std::string(33, '\0')), "bad prefix");
  EXPECT_FALSE(Point::Identity().Encode().ok());
}

TEST(PointTest, DecodeRejectsUncompressedAndBadPrefix) {
  std::string g = *Point::Generator().Encode();
  std::string uncompressed = g;
  uncompressed[0] = 0x04;
  ExpectRejected(Point::Decode(uncompressed), "uncompressed");
  ExpectRejected(Point::Decode(uncompressed + std::string(32, '\x01')), "uncompressed");
  std::string bad = g;
  bad[0] = 0x05;
  ExpectRejected(Point::Decode(bad), "bad prefix");
}

TEST(PointTest, DecodeRejectsWrongLength) {
  std::string g = *Point::Generator().Encode();
  ExpectRejected(Point::Decode(g.substr(0, 32)), "wrong length");
  ExpectRejected(Point::Decode(g + "x"), "wrong length");
  ExpectRejected(Point::Decode(""), "wrong length");
}

TEST(PointTest, DecodeRejectsNonCanonicalX) {
  ExpectRejected(Point::Decode("\x02" + Bytes(kPrimeHex)), "x not canonical");
  ExpectRejected(Point::Decode("\x03" + Increment(Bytes(kPrimeHex))), "x not canonical");
  ExpectRejected(Point::Decode("\x02" + std::string(32, '\xff')), "x not canonical");
}

TEST(PointTest, DecodeRejectsOffCurve) {
  // About half of all x have no y on the curve; find one among small x.
  int rejected = 0;
  for (int x = 1; x < 40 && rejected == 0; ++x) {
    std::string enc(33, '\0');
    enc[0] = 0x02;
    enc[32] = static_cast<char>(x);
    auto p = Point::Decode(enc);
    if (!p.ok()) {
      ExpectRejected(p, "not on the curve");
      ++rejected;
    }
  }
  EXPECT_EQ(rejected, 1);
}

// Point::Decode computes y itself (one exponentiation with a Montgomery
// context made once) and keeps the encoding it decoded; both must agree with
// OpenSSL's own arithmetic and encoding, for both parities of y.
TEST(PointTest, DecodeAgreesWithOpenSslForManyPoints) {
  int even = 0, odd = 0;
  Point p = Point::Generator();
  const Point step = *Point::MulGen(*Scalar::Random());
  for (int i = 0; i < 200; ++i) {
    p = *p.Add(step);
    const std::string enc = *p.Encode();  // computed: OpenSSL's point2oct
    (enc[0] == 0x02 ? even : odd)++;
    auto back = Point::Decode(enc);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_TRUE(back->Equals(p));
    EXPECT_EQ(*back->Encode(), enc);
    // The kept encoding goes with copies, never with a computed point.
    EXPECT_EQ(*back->Clone().Encode(), enc);
    EXPECT_EQ(*back->Neg()->Encode(), *p.Neg()->Encode());
    EXPECT_NE(*back->Neg()->Encode(), enc);
    EXPECT_EQ(*back->Add(Point::Generator())->Encode(), *p.Add(Point::Generator())->Encode());
    // The other parity is the negated point.
    std::string flipped = enc;
    flipped[0] = enc[0] == 0x02 ? 0x03 : 0x02;
    auto neg = Point::Decode(flipped);
    ASSERT_TRUE(neg.ok());
    EXPECT_TRUE(neg->Add(p)->IsIdentity());
  }
  EXPECT_GT(even, 0);
  EXPECT_GT(odd, 0);
}

TEST(PointTest, FixedBaseKeepsTheEncodingOfItsBase) {
  Point k = *Point::MulGen(Scalar::FromUint64(12345));
  auto table = FixedBase::Create(k);
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(*table->base().Encode(), *k.Encode());
  EXPECT_TRUE(table->base().Equals(k));
}

TEST(PointTest, ArithmeticAgrees) {
  Scalar a = Scalar::FromUint64(11), b = Scalar::FromUint64(5);
  Point p = *Point::MulGen(Scalar::FromUint64(3));
  // a·G + b·P = (11 + 15)·G
  auto sum = Point::MulAdd(a, p, b);
  ASSERT_TRUE(sum.ok());
  EXPECT_TRUE(sum->Equals(*Point::MulGen(Scalar::FromUint64(26))));
  EXPECT_TRUE(p.Mul(b)->Equals(*Point::MulGen(Scalar::FromUint64(15))));
  EXPECT_TRUE(p.Sub(p)->IsIdentity());
  EXPECT_TRUE(p.Add(*p.Neg())->IsIdentity());
  EXPECT_TRUE(Point::Identity().Add(p)->Equals(p));
  EXPECT_FALSE(p.Equals(Point::Generator()));
  EXPECT_TRUE(p.Clone().Equals(p));
}

TEST(PointTest, CountersCountByKind) {
  ResetCounters();
  Scalar k = Scalar::FromUint64(9);
  Point g = Point::Generator();
  ASSERT_TRUE(Point::MulGen(k).ok());
  ASSERT_TRUE(g.Mul(k).ok());
  ASSERT_TRUE(g.Mul(k).ok());
  ASSERT_TRUE(Point::MulAdd(k, g, k).ok());
  ASSERT_TRUE(g.Add(g).ok());
  OpCounters c = Counters();
  EXPECT_EQ(c.fixed_base, 1u);
  EXPECT_EQ(c.variable_base, 2u);
  EXPECT_EQ(c.double_base, 1u);
  EXPECT_EQ(c.additions, 1u);
  EXPECT_EQ(c.Multiplications(), 4u);
  ResetCounters();
  EXPECT_EQ(Counters().Multiplications(), 0u);
}

TEST(FixedBaseTest, AgreesWithPlainMultiplication) {
  const Point k = *Point::MulGen(*Scalar::Random());
  auto table = FixedBase::Create(k);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_TRUE(table->base().Equals(k));
  const Scalar a = *Scalar::Random(), b = *Scalar::Random();
  const Point p = *Point::MulGen(*Scalar::Random());
  EXPECT_TRUE(table->Mul(a)->Equals(*k.Mul(a)));
  const Point expected = *k.Mul(a)->Add(*p.Mul(b));
  ResetCounters();
  auto got = table->MulAdd(a, p, b);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Counters().double_base, 1u);
  EXPECT_TRUE(got->Equals(expected));
  // Results mix with ordinary points and encode normally.
  EXPECT_TRUE(Point::Decode(*got->Encode())->Equals(expected));
  EXPECT_TRUE(got->Sub(expected)->IsIdentity());
  // A copy shares the table.
  FixedBase copy = *table;
  EXPECT_TRUE(copy.MulAdd(a, p, b)->Equals(expected));
  EXPECT_FALSE(FixedBase::Create(Point::Identity()).ok());
}

}  // namespace
}  // namespace phieu::crypto

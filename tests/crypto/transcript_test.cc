#include "core/crypto/transcript.h"

#include <gtest/gtest.h>

#include "core/crypto/sha256.h"
#include "core/util/bytes.h"

namespace phieu::crypto {
namespace {

TEST(TranscriptTest, BytesAreDocumentedEncoding) {
  Transcript t("tag");
  t.AddBytes("l", "ab").AddU64("n", 258).AddI64("i", -1);
  // Bytes("tag") | Bytes("l") Bytes("ab") | Bytes("n") Bytes(u64 258) | Bytes("i") Bytes(i64 -1)
  EXPECT_EQ(Hex(t.bytes()),
            "00000003746167"
            "000000016c" "000000026162"
            "000000016e" "00000008" "0000000000000102"
            "0000000169" "00000008" "ffffffffffffffff");
  EXPECT_EQ(t.Digest(), Sha256(t.bytes()));
  EXPECT_TRUE(t.Challenge().Equals(Scalar::FromDigest(t.Digest())));
}

TEST(TranscriptTest, PointsScalarsAndIdentity) {
  Transcript t("x");
  t.AddPoint("G", Point::Generator()).AddPoint("O", Point::Identity()).AddScalar("s",
                                                                               Scalar::FromUint64(1));
  std::string expected = ByteWriter()
                             .Bytes("x")
                             .Bytes("G")
                             .Bytes(*Point::Generator().Encode())
                             .Bytes("O")
                             .Bytes(std::string(1, '\0'))
                             .Bytes("s")
                             .Bytes(Scalar::FromUint64(1).Encode())
                             .Take();
  EXPECT_EQ(t.bytes(), expected);
}

TEST(TranscriptTest, BoundariesAndLabelsMatter) {
  auto digest = [](auto f) {
    Transcript t("tag");
    f(t);
    return t.Digest();
  };
  const std::string a = digest([](Transcript& t) { t.AddBytes("x", "ab").AddBytes("y", "c"); });
  EXPECT_NE(a, digest([](Transcript& t) { t.AddBytes("x", "a").AddBytes("y", "bc"); }));
  EXPECT_NE(a, digest([](Transcript& t) { t.AddBytes("y", "ab").AddBytes("x", "c"); }));
  EXPECT_NE(a, digest([](Transcript& t) { t.AddBytes("x", "abc"); }));
  EXPECT_EQ(a, digest([](Transcript& t) { t.AddBytes("x", "ab").AddBytes("y", "c"); }));
  Transcript other("tah");
  other.AddBytes("x", "ab").AddBytes("y", "c");
  EXPECT_NE(a, other.Digest());
}

}  // namespace
}  // namespace phieu::crypto

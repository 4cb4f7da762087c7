#include "server/frame.h"

#include <gtest/gtest.h>

namespace phieu::server {
namespace {

std::array<unsigned char, 4> HeaderOf(const std::string& frame) {
  return {static_cast<unsigned char>(frame[0]), static_cast<unsigned char>(frame[1]),
          static_cast<unsigned char>(frame[2]), static_cast<unsigned char>(frame[3])};
}

TEST(FrameTest, EncodeThenDecodeRoundTrips) {
  v1::Envelope in;
  in.set_request_id(77);
  in.mutable_get_entries()->set_from_seq(12);
  in.mutable_get_entries()->set_limit(5);
  const std::string frame = EncodeFrame(in);
  ASSERT_GT(frame.size(), kFrameHeaderSize);
  EXPECT_EQ(DecodeFrameLength(HeaderOf(frame)), frame.size() - kFrameHeaderSize);
  auto out = DecodeFrameBody(std::string_view(frame).substr(kFrameHeaderSize));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->request_id(), 77u);
  ASSERT_TRUE(out->has_get_entries());
  EXPECT_EQ(out->get_entries().from_seq(), 12u);
}

TEST(FrameTest, LengthIsBigEndian) {
  EXPECT_EQ(DecodeFrameLength({0x00, 0x00, 0x01, 0x02}), 0x0102u);
  EXPECT_EQ(DecodeFrameLength({0x01, 0x02, 0x03, 0x04}), 0x01020304u);
  EXPECT_EQ(DecodeFrameLength({0xff, 0xff, 0xff, 0xff}), 0xffffffffu);
}

TEST(FrameTest, LengthChecks) {
  EXPECT_EQ(CheckFrameLength(0, kDefaultMaxFrame).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckFrameLength(1, kDefaultMaxFrame).ok());
  EXPECT_TRUE(CheckFrameLength(kDefaultMaxFrame, kDefaultMaxFrame).ok());
  Status over = CheckFrameLength(kDefaultMaxFrame + 1, kDefaultMaxFrame);
  EXPECT_EQ(over.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.message().find("frame length check"), std::string::npos);
  EXPECT_EQ(CheckFrameLength(0xffffffffu, kDefaultMaxFrame).code(), StatusCode::kResourceExhausted);
}

TEST(FrameTest, EmptyBodyRefused) {
  EXPECT_EQ(DecodeFrameBody("").status().code(), StatusCode::kInvalidArgument);
}

TEST(FrameTest, GarbageRefused) {
  // 0xff... is an invalid tag/varint sequence.
  EXPECT_FALSE(DecodeFrameBody(std::string(16, '\xff')).ok());
  // A length-delimited field whose length runs past the end.
  EXPECT_FALSE(DecodeFrameBody(std::string("\x5a\x7f\x01", 3)).ok());
}

TEST(FrameTest, DeepNestingRefused) {
  // Unknown groups (wire type 3) nest and count against the recursion limit.
  auto nested = [](int depth) {
    std::string s;
    for (int i = 0; i < depth; ++i) s += "\xa3\x06";  // field 100, start group
    for (int i = 0; i < depth; ++i) s += "\xa4\x06";  // field 100, end group
    return s;
  };
  EXPECT_TRUE(DecodeFrameBody(nested(10)).ok());
  auto deep = DecodeFrameBody(nested(kEnvelopeRecursionLimit + 10));
  EXPECT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("frame body check"), std::string::npos);
}

TEST(FrameTest, ErrorEnvelope) {
  v1::Envelope e = MakeErrorEnvelope(9, v1::ERROR_BAD_REQUEST, "frame length check: too big");
  EXPECT_EQ(e.request_id(), 9u);
  ASSERT_TRUE(e.has_error());
  EXPECT_EQ(e.error().code(), v1::ERROR_BAD_REQUEST);
}

}  // namespace
}  // namespace phieu::server

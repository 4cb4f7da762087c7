// Known answers for the record's public derivations around the tally, as
// docs/crypto.md states them: the empty-total encryption of zero and the
// tally decryption context. The expected values were computed by
// tests/record/record_kat.py, an independent implementation from the doc
// alone (pure Python P-256); the doc quotes them.
#include <gtest/gtest.h>

#include <string>

#include "core/crypto/group.h"
#include "core/crypto/sha256.h"
#include "core/record/run_support.h"
#include "core/util/bytes.h"

namespace phieu::record {
namespace {

TEST(RecordKatTest, EmptyTotalIsThePublicEncryptionOfZero) {
  auto key = crypto::Point::MulGen(crypto::Scalar::FromUint64(9));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  const std::string run_id = Hex(std::string(32, '\x11'));
  auto total = EmptyTotal(*key, run_id, 3);
  ASSERT_TRUE(total.ok()) << total.status().ToString();
  auto pad = total->pad.Encode();
  auto data = total->data.Encode();
  ASSERT_TRUE(pad.ok() && data.ok());
  EXPECT_EQ(Hex(*pad), "033bfb2438788affb1035c4b4ca381eabea0e21cfe0d344ed40f789abd4e27cd41");
  EXPECT_EQ(Hex(*data), "02f4410d1f0aaaa15bf81a7ee7381f2358ac6deaa4743b2702aaea5ab32c4d98a4");
  // Another cell, another randomness.
  auto other = EmptyTotal(*key, run_id, 4);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(Hex(other->pad.Encode().value()), Hex(*pad));
  // A run id that is not 64 hex characters is refused.
  EXPECT_FALSE(EmptyTotal(*key, "not-hex", 3).ok());
}

TEST(RecordKatTest, TallyDecryptionContext) {
  const std::string ctx = DecryptionContext(std::string(32, '\x42'), Hex(std::string(32, '\x11')),
                                            Hex(std::string(32, '\x22')));
  EXPECT_EQ(ctx.size(), 168u);  // 32 + (4 + 64) + (4 + 64)
  EXPECT_EQ(Hex(crypto::Sha256(ctx)), "274bdd92008c670b6988be63cdf9261321b4928fda96422e20190289e57c7835");
}

}  // namespace
}  // namespace phieu::record

#include "core/crypto/share_vault.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/crypto/private_file.h"

namespace phieu::crypto {
namespace {

// The default cost (2^15) is what teller laptops use; tests of the format
// itself use 2^10 to stay fast, and one test runs the real cost.
constexpr ScryptParams kFast{10, 8, 1};
const std::string kSecret(32, '\x5a');

TEST(ShareVaultTest, RoundTripWithDefaultCost) {
  std::string ctx = ShareVaultContext("cum4-2024", 2);
  auto sealed = SealShare(kSecret, "correct horse", ctx);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->substr(0, 9), "PHIEU-SV1");
  EXPECT_EQ(static_cast<uint8_t>((*sealed)[9]), 15);
  EXPECT_EQ(sealed->size(), 9 + 1 + 8 + 16 + 12 + 32 + 16u);
  EXPECT_EQ(sealed->find(kSecret), std::string::npos);
  auto opened = OpenShare(*sealed, "correct horse", ctx);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, kSecret);
}

TEST(ShareVaultTest, WrongPassphraseFails) {
  std::string ctx = ShareVaultContext("m", 1);
  std::string sealed = SealShare(kSecret, "pass", ctx, kFast).value();
  Status s = OpenShare(sealed, "Pass", ctx).status();
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_EQ(s.message(), "share vault: wrong passphrase or corrupted file");
}

TEST(ShareVaultTest, OtherMeetingOrTellerFails) {
  std::string sealed = SealShare(kSecret, "pass", ShareVaultContext("m", 1), kFast).value();
  EXPECT_EQ(OpenShare(sealed, "pass", ShareVaultContext("m", 2)).status().code(),
            StatusCode::kVerificationFailed);
  EXPECT_EQ(OpenShare(sealed, "pass", ShareVaultContext("n", 1)).status().code(),
            StatusCode::kVerificationFailed);
}

TEST(ShareVaultTest, EveryByteIsAuthenticated) {
  std::string ctx = ShareVaultContext("m", 1);
  std::string sealed = SealShare(kSecret, "pass", ctx, kFast).value();
  // Header bytes (magic, cost, r, p, salt, nonce) and ciphertext and tag.
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] ^= 0x01;
    auto r = OpenShare(bad, "pass", ctx);
    EXPECT_FALSE(r.ok()) << "byte " << i;
  }
  EXPECT_EQ(OpenShare(sealed.substr(0, 40), "pass", ctx).status().code(),
            StatusCode::kInvalidArgument);
  std::string bad_magic = sealed;
  bad_magic[0] = 'X';
  EXPECT_EQ(OpenShare(bad_magic, "pass", ctx).status().code(), StatusCode::kInvalidArgument);
}

TEST(ShareVaultTest, HostileCostRefused) {
  std::string ctx = ShareVaultContext("m", 1);
  std::string sealed = SealShare(kSecret, "pass", ctx, kFast).value();
  sealed[9] = 40;  // 2^40: would never finish
  EXPECT_EQ(OpenShare(sealed, "pass", ctx).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(SealShare(kSecret, "", ctx, kFast).ok());
}

TEST(ShareVaultTest, FileIs0600) {
  std::string dir = ::testing::TempDir() + "/vault_test_" + std::to_string(::getpid());
  ASSERT_TRUE(MakeDirs(dir, 0700).ok());
  std::string path = dir + "/share.sealed";
  std::remove(path.c_str());
  std::string ctx = ShareVaultContext("m", 3);
  ASSERT_TRUE(WritePrivateFile(path, SealShare(kSecret, "pw", ctx, kFast).value()).ok());
  EXPECT_EQ(FileMode(path).value(), 0600u);
  EXPECT_EQ(OpenShare(ReadFile(path).value(), "pw", ctx).value(), kSecret);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace phieu::crypto

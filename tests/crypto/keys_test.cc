#include "core/crypto/keys.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>

#include "core/crypto/private_file.h"

namespace phieu::crypto {
namespace {

TEST(SignatureMessageTest, DomainThenZeroThenMessage) {
  EXPECT_EQ(SignatureMessage("d", "m"), std::string("d\0m", 3));
}

class KeyTypeTest : public ::testing::TestWithParam<KeyType> {
 protected:
  PrivateKey Make() {
    auto k =
        GetParam() == KeyType::kP256 ? PrivateKey::GenerateP256() : PrivateKey::GenerateEd25519();
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return std::move(k).value();
  }
};

TEST_P(KeyTypeTest, SignVerifyRoundTrip) {
  PrivateKey key = Make();
  EXPECT_EQ(key.type(), GetParam());
  auto sig = key.Sign(kEntryDomain, "body bytes");
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  if (GetParam() == KeyType::kEd25519) {
    EXPECT_EQ(sig->size(), 64u);
  }
  auto pub = key.Public();
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->Verify(kEntryDomain, "body bytes", *sig).ok());
}

TEST_P(KeyTypeTest, TamperingFails) {
  PrivateKey key = Make();
  std::string sig = key.Sign(kEntryDomain, "body bytes").value();
  PublicKey pub = key.Public().value();
  // Another message, another domain, a flipped signature bit, another key.
  Status s = pub.Verify(kEntryDomain, "body bytez", sig);
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_NE(s.message().find("signature"), std::string::npos) << s.message();
  EXPECT_EQ(pub.Verify(kReceiptDomain, "body bytes", sig).code(), StatusCode::kVerificationFailed);
  std::string bad = sig;
  bad[bad.size() / 2] ^= 0x01;
  EXPECT_EQ(pub.Verify(kEntryDomain, "body bytes", bad).code(), StatusCode::kVerificationFailed);
  EXPECT_EQ(pub.Verify(kEntryDomain, "body bytes", "").code(), StatusCode::kVerificationFailed);
  PublicKey other = Make().Public().value();
  EXPECT_EQ(other.Verify(kEntryDomain, "body bytes", sig).code(), StatusCode::kVerificationFailed);
}

TEST_P(KeyTypeTest, PemAndDerRoundTrips) {
  PrivateKey key = Make();
  std::string pem = key.ToPem().value();
  EXPECT_NE(pem.find("BEGIN PRIVATE KEY"), std::string::npos);
  auto again = PrivateKey::FromPem(pem);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  std::string sig = again->Sign(kEntryDomain, "x").value();
  PublicKey pub = key.Public().value();
  EXPECT_TRUE(pub.Verify(kEntryDomain, "x", sig).ok());
  auto from_der = PublicKey::FromDer(pub.Der().value());
  ASSERT_TRUE(from_der.ok());
  EXPECT_EQ(from_der->Fingerprint().value(), pub.Fingerprint().value());
  EXPECT_EQ(pub.Fingerprint()->size(), 64u);
  auto from_pem = PublicKey::FromPem(pub.Pem().value());
  ASSERT_TRUE(from_pem.ok());
  EXPECT_TRUE(from_pem->Verify(kEntryDomain, "x", sig).ok());
}

INSTANTIATE_TEST_SUITE_P(BothKeyTypes, KeyTypeTest,
                         ::testing::Values(KeyType::kP256, KeyType::kEd25519));

TEST(PublicKeyTest, Ed25519RawRoundTrip) {
  PrivateKey key = PrivateKey::GenerateEd25519().value();
  PublicKey pub = key.Public().value();
  std::string raw = pub.RawEd25519().value();
  ASSERT_EQ(raw.size(), 32u);
  PublicKey again = PublicKey::FromEd25519Raw(raw).value();
  std::string sig = key.Sign(kReceiptDomain, "receipt").value();
  EXPECT_TRUE(again.Verify(kReceiptDomain, "receipt", sig).ok());
  EXPECT_FALSE(PublicKey::FromEd25519Raw(raw.substr(1)).ok());
  EXPECT_FALSE(PrivateKey::GenerateP256().value().Public().value().RawEd25519().ok());
}

TEST(PublicKeyTest, MalformedInputRejected) {
  EXPECT_EQ(PublicKey::FromDer("not der").status().code(), StatusCode::kInvalidArgument);
  std::string der = PrivateKey::GenerateP256().value().Public().value().Der().value();
  EXPECT_FALSE(PublicKey::FromDer(der + "x").ok());  // trailing bytes
  EXPECT_FALSE(
      PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").ok());
}

TEST(PublicKeyTest, OtherCurvesRefused) {
  // A P-384 key is neither of the two Phiếu key types.
  EVP_PKEY* p384 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  ASSERT_NE(p384, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio, p384, nullptr, nullptr, 0, nullptr, nullptr), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  auto k = PrivateKey::FromPem(pem);
  EXPECT_EQ(k.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(k.status().message().find("P-256"), std::string::npos);
  EXPECT_EQ(PublicKey::Adopt(p384).status().code(), StatusCode::kInvalidArgument);
}

TEST(PrivateFileTest, KeyFileIs0600AndNeverOverwritten) {
  std::string dir = ::testing::TempDir() + "/keys_test_" + std::to_string(::getpid());
  ASSERT_TRUE(MakeDirs(dir, 0700).ok());
  std::string path = dir + "/key.pem";
  std::remove(path.c_str());
  std::string pem = PrivateKey::GenerateP256().value().ToPem().value();
  ASSERT_TRUE(WritePrivateFile(path, pem).ok());
  EXPECT_EQ(FileMode(path).value(), 0600u);
  EXPECT_EQ(ReadFile(path).value(), pem);
  EXPECT_EQ(WritePrivateFile(path, "other").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadFile(path).value(), pem);
  EXPECT_EQ(ReadFile(dir + "/missing").status().code(), StatusCode::kNotFound);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace phieu::crypto

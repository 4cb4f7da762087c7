// Certificates as the meeting CA makes them: issued-by checks, validity at a
// given time, CSR round trip, pins.
#include "core/crypto/certificate.h"

#include <gtest/gtest.h>

#include "certs/certificate_request.h"
#include "certs/meeting_ca.h"

namespace phieu::certs {
namespace {

using crypto::Certificate;
using crypto::PrivateKey;

constexpr int64_t kNow = 1722556800;  // 2024-08-02 00:00:00 UTC, the cụm 4 meeting

class CertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = MeetingCa::Create("cum4-2024", Validity::Around(kNow));
    ASSERT_TRUE(ca.ok()) << ca.status().ToString();
    ca_.emplace(std::move(ca).value());
  }
  Certificate Issue(const MeetingCa& ca, const PrivateKey& key, const std::string& id,
                    Validity v = Validity::Around(kNow)) {
    std::string csr = CertificateRequest::Create(key, id).value();
    auto cert = ca.SignRequest(csr, id, v);
    EXPECT_TRUE(cert.ok()) << cert.status().ToString();
    return std::move(cert).value();
  }
  std::optional<MeetingCa> ca_;
};

TEST_F(CertificateTest, CaIsSelfSignedCa) {
  const Certificate& c = ca_->certificate();
  EXPECT_TRUE(c.IsCa());
  EXPECT_EQ(c.CommonName(), "Phiếu meeting CA cum4-2024");
  EXPECT_EQ(c.NotBefore(), kNow - kBackdateSeconds);
  EXPECT_EQ(c.NotAfter(), kNow + kDefaultValidDays * 86400);
  EXPECT_TRUE(c.VerifyIssuedBy(c, kNow).ok());
}

TEST_F(CertificateTest, CsrToCertificateRoundTrip) {
  PrivateKey key = PrivateKey::GenerateP256().value();
  Certificate cert = Issue(*ca_, key, "dai-bieu-son-la");
  EXPECT_EQ(cert.CommonName(), "dai-bieu-son-la");
  EXPECT_FALSE(cert.IsCa());
  EXPECT_TRUE(cert.VerifyIssuedBy(ca_->certificate(), kNow).ok());
  // The certificate carries the participant's key: its signatures verify.
  std::string sig = key.Sign(crypto::kEntryDomain, "ballot").value();
  EXPECT_TRUE(cert.Key().value().Verify(crypto::kEntryDomain, "ballot", sig).ok());
  EXPECT_EQ(cert.Key()->Fingerprint().value(), key.Public()->Fingerprint().value());
}

TEST_F(CertificateTest, PinIsStableAcrossEncodings) {
  Certificate cert = Issue(*ca_, PrivateKey::GenerateP256().value(), "a");
  std::string pin = cert.Pin();
  EXPECT_EQ(pin.size(), 64u);
  EXPECT_EQ(pin.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(Certificate::FromDer(cert.Der()).value().Pin(), pin);
  EXPECT_EQ(Certificate::FromPem(cert.Pem().value()).value().Pin(), pin);
  EXPECT_EQ(cert.Clone().Pin(), pin);
  // Another certificate for the same id and key gets another pin (new serial).
  EXPECT_NE(Issue(*ca_, PrivateKey::GenerateP256().value(), "a").Pin(), pin);
}

TEST_F(CertificateTest, AnotherCaIsRejected) {
  MeetingCa other = MeetingCa::Create("cum4-2024", Validity::Around(kNow)).value();
  Certificate cert = Issue(other, PrivateKey::GenerateP256().value(), "a");
  Status s = cert.VerifyIssuedBy(ca_->certificate(), kNow);
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_NE(s.message().find("signature"), std::string::npos) << s.message();
  MeetingCa renamed = MeetingCa::Create("other-meeting", Validity::Around(kNow)).value();
  s = Issue(renamed, PrivateKey::GenerateP256().value(), "a")
          .VerifyIssuedBy(ca_->certificate(), kNow);
  EXPECT_NE(s.message().find("issuer name"), std::string::npos) << s.message();
}

TEST_F(CertificateTest, ANonCaIssuerIsRejected) {
  Certificate leaf = Issue(*ca_, PrivateKey::GenerateP256().value(), "a");
  Status s = leaf.VerifyIssuedBy(leaf, kNow);
  EXPECT_EQ(s.code(), StatusCode::kVerificationFailed);
  EXPECT_NE(s.message().find("not a CA"), std::string::npos) << s.message();
}

TEST_F(CertificateTest, ValidityJudgedAtTheGivenTime) {
  Validity v{kNow, kNow + 3600};
  Certificate cert = Issue(*ca_, PrivateKey::GenerateP256().value(), "a", v);
  const Certificate& ca = ca_->certificate();
  EXPECT_TRUE(cert.VerifyIssuedBy(ca, kNow).ok());
  EXPECT_TRUE(cert.VerifyIssuedBy(ca, kNow + 3600).ok());
  Status early = cert.VerifyIssuedBy(ca, kNow - 1);
  EXPECT_EQ(early.code(), StatusCode::kVerificationFailed);
  EXPECT_NE(early.message().find("not yet valid"), std::string::npos);
  Status late = cert.VerifyIssuedBy(ca, kNow + 3601);
  EXPECT_NE(late.message().find("expired"), std::string::npos);
  // The CA's own validity counts too (back-dated one hour, 30 days long).
  Validity long_v{kNow, kNow + 90 * 86400};
  Certificate outlives = Issue(*ca_, PrivateKey::GenerateP256().value(), "b", long_v);
  Status ca_expired = outlives.VerifyIssuedBy(ca, kNow + 60 * 86400);
  EXPECT_NE(ca_expired.message().find("CA certificate: expired"), std::string::npos);
  EXPECT_TRUE(Issue(*ca_, PrivateKey::GenerateP256().value(), "c")
                  .VerifyIssuedBy(ca, kNow - 1800)
                  .ok());  // back-dated an hour
}

TEST_F(CertificateTest, CsrChecks) {
  PrivateKey key = PrivateKey::GenerateP256().value();
  std::string csr = CertificateRequest::Create(key, "lao-cai").value();
  auto parsed = CertificateRequest::Parse(csr);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->common_name(), "lao-cai");
  // A CSR for one id is not signed for another.
  auto wrong = ca_->SignRequest(csr, "ha-giang", Validity::Around(kNow));
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(CertificateRequest::Parse("garbage").ok());
  EXPECT_FALSE(CertificateRequest::Create(PrivateKey::GenerateEd25519().value(), "x").ok());
}

TEST_F(CertificateTest, ServerCertificateNames) {
  PrivateKey key = PrivateKey::GenerateP256().value();
  auto cert = ca_->IssueServer(key.Public().value(), DefaultServerNames(), Validity::Around(kNow));
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_TRUE(cert->VerifyIssuedBy(ca_->certificate(), kNow).ok());
  EXPECT_EQ(cert->CommonName(), "127.0.0.1");
  EXPECT_FALSE(
      ca_->IssueServer(key.Public().value(), {"bad name,IP:1.2.3.4"}, Validity::Around(kNow)).ok());
  EXPECT_FALSE(ca_->IssueServer(key.Public().value(), {}, Validity::Around(kNow)).ok());
}

TEST_F(CertificateTest, LoadChecksKeyMatchesCertificate) {
  std::string key_pem = ca_->key().ToPem().value();
  std::string cert_pem = ca_->certificate().Pem().value();
  EXPECT_TRUE(MeetingCa::Load(key_pem, cert_pem).ok());
  std::string other_key = PrivateKey::GenerateP256().value().ToPem().value();
  EXPECT_FALSE(MeetingCa::Load(other_key, cert_pem).ok());
}

TEST(CertificateParseTest, MalformedRejected) {
  EXPECT_EQ(Certificate::FromDer("junk").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Certificate::FromPem("junk").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace phieu::certs

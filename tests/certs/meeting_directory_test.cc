// The chair's directory: the real way (keygen on the laptop, sign, profile,
// roster) and the quick way (init), file modes, and the genesis entry.
#include "certs/meeting_directory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "certs/certificate_request.h"
#include "certs/profile.h"
#include "core/crypto/certificate.h"
#include "core/crypto/private_file.h"

namespace phieu::certs {
namespace {

constexpr int64_t kNow = 1722556800;

constexpr char kMeeting[] = R"(
id: "test-meeting"
title: "Họp thử"
participants { id: "chair" roles: ROLE_CHAIR }
participants { id: "son-la" roles: ROLE_DELEGATE unit_id: "son-la" }
participants { id: "lao-cai" roles: ROLE_DELEGATE roles: ROLE_TELLER unit_id: "lao-cai" }
)";

class MeetingDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/certs_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string root_;
};

TEST_F(MeetingDirectoryTest, TheRealWay) {
  MeetingDirectory dir(root_ + "/chair");
  ASSERT_TRUE(dir.CreateCa(kMeeting, kNow).ok());
  EXPECT_EQ(crypto::FileMode(root_ + "/chair/ca/ca.key").value(), 0600u);
  ASSERT_TRUE(dir.CreateServer(DefaultServerNames(), kNow).ok());
  EXPECT_EQ(crypto::FileMode(root_ + "/chair/server/server.key").value(), 0600u);
  EXPECT_EQ(crypto::FileMode(root_ + "/chair/server/signing.key").value(), 0600u);

  // Each laptop makes its own key; the chair only ever sees the request.
  for (const char* id : {"chair", "son-la", "lao-cai"}) {
    std::string laptop = root_ + "/laptop-" + id;
    auto kg = Keygen(laptop, id);
    ASSERT_TRUE(kg.ok()) << kg.status().ToString();
    EXPECT_EQ(crypto::FileMode(kg->key_path).value(), 0600u);
    EXPECT_EQ(kg->fingerprint.size(), 64u);
    std::string csr = crypto::ReadFile(kg->csr_path).value();
    auto pin = dir.SignRequest(csr, id, kNow);
    ASSERT_TRUE(pin.ok()) << pin.status().ToString();
    ASSERT_TRUE(dir.WriteProfile(id, "127.0.0.1:7443").ok());
    EXPECT_FALSE(std::filesystem::exists(dir.ParticipantDir(id) + "/key.pem"));
    // The participant copies cert.pem, ca.pem, profile.textproto next to its key.
    for (const char* f : {"cert.pem", "ca.pem", "profile.textproto"}) {
      std::filesystem::copy_file(dir.ParticipantDir(id) + "/" + f, laptop + "/" + f);
    }
    auto creds = LoadCredentials(laptop, kNow);
    ASSERT_TRUE(creds.ok()) << creds.status().ToString();
    EXPECT_EQ(creds->cert.Pin(), *pin);
    EXPECT_EQ(creds->profile.meeting_id(), "test-meeting");
  }
  auto meeting = dir.LoadMeeting();
  ASSERT_TRUE(meeting.ok());
  auto genesis = dir.BuildGenesis(*meeting, kNow);
  ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(root_ + "/chair/genesis.entry"));
}

TEST_F(MeetingDirectoryTest, SignRefusesUnknownIdAndMismatchedCsr) {
  MeetingDirectory dir(root_);
  ASSERT_TRUE(dir.CreateCa(kMeeting, kNow).ok());
  auto kg = Keygen(root_ + "/laptop", "stranger").value();
  std::string csr = crypto::ReadFile(kg.csr_path).value();
  auto r = dir.SignRequest(csr, "stranger", kNow);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("not a participant"), std::string::npos);
  EXPECT_FALSE(dir.SignRequest(csr, "son-la", kNow).ok());  // CN is "stranger"
  EXPECT_FALSE(dir.SignRequest(csr, "../etc", kNow).ok());
}

TEST_F(MeetingDirectoryTest, RosterRefusesMissingCertificates) {
  MeetingDirectory dir(root_);
  ASSERT_TRUE(dir.CreateCa(kMeeting, kNow).ok());
  ASSERT_TRUE(dir.CreateServer(DefaultServerNames(), kNow).ok());
  auto kg = Keygen(root_ + "/laptop", "son-la").value();
  ASSERT_TRUE(dir.SignRequest(crypto::ReadFile(kg.csr_path).value(), "son-la", kNow).ok());
  auto g = dir.BuildGenesis(dir.LoadMeeting().value(), kNow);
  EXPECT_EQ(g.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(g.status().message().find("chair, lao-cai"), std::string::npos) << g.status().message();
}

TEST_F(MeetingDirectoryTest, StepsOutOfOrderSayWhatToRun) {
  MeetingDirectory dir(root_);
  Status s = dir.CreateServer(DefaultServerNames(), kNow);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("phieu certs ca"), std::string::npos) << s.message();
}

TEST_F(MeetingDirectoryTest, QuickWayMakesEverythingAndASignedGenesis) {
  MeetingDirectory dir(root_);
  ASSERT_TRUE(dir.InitAll(kMeeting, "127.0.0.1:7443", DefaultServerNames(), kNow).ok());
  for (const char* id : {"chair", "son-la", "lao-cai"}) {
    std::string p = dir.ParticipantDir(id);
    EXPECT_EQ(crypto::FileMode(p + "/key.pem").value(), 0600u);
    auto creds = LoadCredentials(p, kNow);
    ASSERT_TRUE(creds.ok()) << id << ": " << creds.status().ToString();
    EXPECT_EQ(creds->profile.server(), "127.0.0.1:7443");
  }
  // Rerunning never overwrites a key.
  EXPECT_FALSE(dir.InitAll(kMeeting, "127.0.0.1:7443", DefaultServerNames(), kNow).ok());

  phieu::v1::SignedEntry entry;
  ASSERT_TRUE(entry.ParseFromString(crypto::ReadFile(root_ + "/genesis.entry").value()));
  EXPECT_EQ(entry.author(), "ca");
  phieu::v1::EntryBody body;
  ASSERT_TRUE(body.ParseFromString(entry.body()));
  ASSERT_TRUE(body.has_genesis());
  const auto& g = body.genesis();
  EXPECT_EQ(body.meeting_id(), "test-meeting");
  EXPECT_EQ(g.meeting().id(), "test-meeting");
  ASSERT_EQ(g.roster_size(), 3);
  EXPECT_EQ(g.nonce().size(), 32u);
  EXPECT_EQ(g.server_signing_key().size(), 32u);
  EXPECT_EQ(g.created_unix_ms(), kNow * 1000);
  auto ca = crypto::Certificate::FromDer(g.ca_certificate()).value();
  EXPECT_TRUE(ca.Key().value().Verify(crypto::kEntryDomain, entry.body(), entry.signature()).ok());
  EXPECT_FALSE(
      ca.Key().value().Verify(crypto::kEntryDomain, entry.body() + "x", entry.signature()).ok());
  for (const auto& m : g.roster()) {
    auto cert = crypto::Certificate::FromDer(m.certificate()).value();
    EXPECT_EQ(cert.CommonName(), m.participant_id());
    EXPECT_TRUE(cert.VerifyIssuedBy(ca, kNow).ok());
    EXPECT_EQ(LoadCredentials(dir.ParticipantDir(m.participant_id()), kNow)->cert.Pin(),
              cert.Pin());
  }
  auto tls = crypto::Certificate::FromDer(g.server_tls_certificate()).value();
  EXPECT_TRUE(tls.VerifyIssuedBy(ca, kNow).ok());
  auto signing = crypto::PublicKey::FromEd25519Raw(g.server_signing_key()).value();
  auto signing_key =
      crypto::PrivateKey::FromPem(crypto::ReadFile(root_ + "/server/signing.key").value()).value();
  EXPECT_TRUE(signing
                  .Verify(crypto::kReceiptDomain, "r",
                          signing_key.Sign(crypto::kReceiptDomain, "r").value())
                  .ok());
}

TEST(MeetingTextTest, Validation) {
  EXPECT_TRUE(ParseMeetingText(kMeeting).ok());
  EXPECT_FALSE(ParseMeetingText("not a meeting {").ok());
  EXPECT_FALSE(ParseMeetingText("id: \"m\"").ok());  // no participants
  EXPECT_FALSE(ParseMeetingText("id: \"m\" participants { id: \"A/b\" }").ok());
  EXPECT_FALSE(
      ParseMeetingText("id: \"m\" participants { id: \"a\" } participants { id: \"a\" }").ok());
  EXPECT_TRUE(IsValidId("lao-cai-2"));
  EXPECT_FALSE(IsValidId(".."));
  EXPECT_FALSE(IsValidId(""));
}

}  // namespace
}  // namespace phieu::certs

namespace phieu::certs {
namespace {

TEST_F(MeetingDirectoryTest, LostLaptopReplacement) {
  MeetingDirectory dir(root_);
  ASSERT_TRUE(dir.InitAll(kMeeting, "127.0.0.1:7443", DefaultServerNames(), kNow).ok());
  std::string old_pin = LoadCredentials(dir.ParticipantDir("son-la"), kNow)->cert.Pin();
  // The request made with the lost key is refused.
  auto same_key = crypto::PrivateKey::FromPem(
      crypto::ReadFile(dir.ParticipantDir("son-la") + "/key.pem").value());
  std::string old_csr = CertificateRequest::Create(*same_key, "son-la").value();
  EXPECT_FALSE(dir.ReplaceCertificate("son-la", old_csr, "lost", kNow + 60).ok());

  auto kg = Keygen(root_ + "/new-laptop", "son-la").value();
  auto r = dir.ReplaceCertificate("son-la", crypto::ReadFile(kg.csr_path).value(), "lost laptop",
                                  kNow + 60);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->revoked_pin, old_pin);
  EXPECT_NE(r->new_pin, old_pin);
  phieu::v1::EntryBody body;
  ASSERT_TRUE(body.ParseFromString(r->entry.body()));
  ASSERT_TRUE(body.has_roster_change());
  EXPECT_EQ(body.meeting_id(), "test-meeting");
  EXPECT_EQ(body.roster_change().revoke_pins(0), old_pin);
  EXPECT_EQ(body.roster_change().reason(), "lost laptop");
  ASSERT_EQ(body.roster_change().add_size(), 1);
  auto cert = crypto::Certificate::FromDer(body.roster_change().add(0).certificate()).value();
  EXPECT_EQ(cert.Pin(), r->new_pin);
  EXPECT_EQ(r->entry.author(), "ca");
  auto ca = dir.LoadCa().value();
  EXPECT_TRUE(ca.certificate()
                  .Key()
                  ->Verify(crypto::kEntryDomain, r->entry.body(), r->entry.signature())
                  .ok());
  EXPECT_TRUE(std::filesystem::exists(r->path));
  EXPECT_EQ(crypto::Certificate::FromPem(
                crypto::ReadFile(dir.ParticipantDir("son-la") + "/cert.pem").value())
                ->Pin(),
            r->new_pin);
  // Revoke only (no new request yet).
  auto revoke = dir.ReplaceCertificate("lao-cai", "", "stolen", kNow + 120);
  ASSERT_TRUE(revoke.ok()) << revoke.status().ToString();
  EXPECT_TRUE(revoke->new_pin.empty());
  EXPECT_FALSE(std::filesystem::exists(dir.ParticipantDir("lao-cai") + "/cert.pem"));
}

}  // namespace
}  // namespace phieu::certs

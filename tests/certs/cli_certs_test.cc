// `phieu keygen` and `phieu certs ...` through their entry points: exit codes
// and the files each step leaves.
#include "client/cli_certs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "certs/profile.h"
#include "core/crypto/private_file.h"

namespace phieu::client {
namespace {

constexpr char kMeeting[] = R"(
id: "cli-meeting"
participants { id: "chair" roles: ROLE_CHAIR }
participants { id: "son-la" roles: ROLE_DELEGATE unit_id: "son-la" }
)";

class CliCertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/cli_certs_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    ASSERT_TRUE(crypto::MakeDirs(root_).ok());
    meeting_ = root_ + "/meeting.textproto";
    ASSERT_TRUE(crypto::WritePublicFile(meeting_, kMeeting).ok());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string root_, meeting_;
};

TEST_F(CliCertsTest, UsageErrorsExit2) {
  EXPECT_EQ(RunCerts({}), 2);
  EXPECT_EQ(RunCerts({"frobnicate"}), 2);
  EXPECT_EQ(RunCerts({"ca", "--out", root_}), 2);  // --meeting missing
  EXPECT_EQ(RunCerts({"ca", "--meeting", meeting_, "--out", root_, "--bogus", "x"}), 2);
  EXPECT_EQ(RunCerts({"init", "--out", root_}), 2);  // no meeting file
  EXPECT_EQ(RunKeygen({}), 2);
  EXPECT_EQ(RunKeygen({"--id"}), 2);
  EXPECT_EQ(RunCerts({"--help"}), 0);
}

TEST_F(CliCertsTest, RealWayStepByStep) {
  std::string out = root_ + "/chair";
  ASSERT_EQ(RunCerts({"ca", "--meeting", meeting_, "--out", out}), 0);
  ASSERT_EQ(RunCerts({"server", "--out", out, "--san", "192.168.1.10", "--san", "phieu.lan"}), 0);
  for (const char* id : {"chair", "son-la"}) {
    std::string laptop = root_ + "/laptop-" + id;
    ASSERT_EQ(RunKeygen({"--id", id, "--dir", laptop}), 0);
    EXPECT_EQ(crypto::FileMode(laptop + "/key.pem").value(), 0600u);
    ASSERT_EQ(RunCerts({"sign", "--out", out, "--csr", laptop + "/request.csr", "--id", id}), 0);
    ASSERT_EQ(RunCerts({"profile", "--out", out, "--id", id, "--server=192.168.1.10:7443"}), 0);
  }
  // A request for someone not in the meeting file is refused: exit 1.
  ASSERT_EQ(RunKeygen({"--id", "stranger", "--dir", root_ + "/x"}), 0);
  EXPECT_EQ(RunCerts({"sign", "--out", out, "--csr", root_ + "/x/request.csr", "--id", "stranger"}),
            1);
  ASSERT_EQ(RunCerts({"roster", "--meeting", meeting_, "--out", out}), 0);
  EXPECT_TRUE(std::filesystem::exists(out + "/genesis.entry"));
  auto profile = certs::ReadProfile(out + "/participants/son-la");
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->server(), "192.168.1.10:7443");
  EXPECT_EQ(profile->meeting_id(), "cli-meeting");
}

TEST_F(CliCertsTest, RosterBeforeSigningFails) {
  std::string out = root_ + "/chair";
  ASSERT_EQ(RunCerts({"ca", "--meeting", meeting_, "--out", out}), 0);
  ASSERT_EQ(RunCerts({"server", "--out", out}), 0);
  EXPECT_EQ(RunCerts({"roster", "--meeting", meeting_, "--out", out}), 1);
}

TEST_F(CliCertsTest, QuickWay) {
  std::string out = root_ + "/demo";
  ASSERT_EQ(RunCerts({"init", meeting_, "--out", out}), 0);
  EXPECT_EQ(crypto::FileMode(out + "/participants/son-la/key.pem").value(), 0600u);
  auto creds = certs::LoadCredentials(out + "/participants/son-la", std::time(nullptr));
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  EXPECT_EQ(creds->profile.server(), "127.0.0.1:7443");
  EXPECT_TRUE(std::filesystem::exists(out + "/genesis.entry"));
  EXPECT_EQ(RunCerts({"init", meeting_, "--out", out}), 1);  // never overwrites keys
}

}  // namespace
}  // namespace phieu::client

namespace phieu::client {
namespace {

// The shipped example meetings go through the quick way unchanged.
TEST(CliCertsExamplesTest, ExampleMeetingsInit) {
  for (const char* name : {"cum4-2024.textproto", "khoi1-backan-2022.textproto"}) {
    std::string file = std::string(PHIEU_EXAMPLES_DIR) + "/" + name;
    if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " not in this tree";
    std::string out = ::testing::TempDir() + "/cli_certs_example_" + std::to_string(::getpid());
    std::filesystem::remove_all(out);
    EXPECT_EQ(RunCerts({"init", file, "--out", out}), 0) << name;
    EXPECT_TRUE(std::filesystem::exists(out + "/genesis.entry")) << name;
    std::filesystem::remove_all(out);
  }
}

}  // namespace
}  // namespace phieu::client

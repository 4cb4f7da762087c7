// `phieu app`'s JSON flow of a vote, cast or check (client/app/app_backend.h):
// the real ClientBackend with Nguyễn Ngọc Thư's profile, over loopback mutual
// TLS to a Server serving the meeting of tests/server/meeting_harness.h.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "certs/meeting_directory.h"
#include "client/app/app_backend.h"
#include "server/server.h"
#include "tests/server/meeting_harness.h"
#include "tests/server/test_support.h"

namespace phieu::server {
namespace {

namespace json = boost::json;
using testing::TestServer;

class AppBackendTest : public MeetingHarness {
 protected:
  void SetUp() override {
    MeetingHarness::SetUp();
    run_id_ = OpenRun();
    server_ = std::make_unique<TestServer>(testing::MeetingServerOptions(CertsRoot()), *svc_);
    ASSERT_TRUE(server_->ok()) << server_->start_status().ToString();
    ASSERT_TRUE(certs::MeetingDirectory(CertsRoot())
                    .WriteProfile(kThu, "127.0.0.1:" + std::to_string(server_->port()))
                    .ok());
    backend_ = std::make_unique<client::app::ClientBackend>(ParticipantDir(kThu));
  }
  void TearDown() override {
    backend_.reset();
    server_.reset();  // before the service it serves
    std::error_code ec;  // the ballots and receipts this test stored in the shared profile
    std::filesystem::remove_all(ParticipantDir(kThu) + "/ballots", ec);
    std::filesystem::remove_all(ParticipantDir(kThu) + "/receipts", ec);
    MeetingHarness::TearDown();
  }

  json::object Target() const {
    return json::object{{"ballot", kBallot}, {"run", run_id_}, {"unit", "cao-bang"}};
  }
  json::object WithChoice(const std::string& choice) const {
    json::object o = Target();
    o["choices"] = json::array{json::value(choice)};
    return o;
  }
  json::object Named(const json::object& prepared) const {
    json::object o = Target();
    o["prepared"] = prepared.at("prepared");
    o["tracking_code"] = prepared.at("tracking_code");
    return o;
  }
  Result<json::object> Act(const std::string& action, const json::object& args) {
    return backend_->Act(action, args);
  }
  static std::string Str(const json::object& o, const char* key) {
    return o.contains(key) && o.at(key).is_string() ? std::string(o.at(key).get_string()) : "";
  }
  uint64_t Length() {
    EXPECT_TRUE(Sync());
    return view_.length();
  }

  std::string run_id_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<client::app::ClientBackend> backend_;
};

TEST_F(AppBackendTest, PrepareShowsTheCodeThenCheckOrCastDecidesOnce) {
  // No cast without a prepared ballot and its code.
  auto bare = Act("vote", WithChoice("son-la"));
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(bare.status().message().find("prepared"), std::string::npos) << bare.status().message();

  // Prepare: encrypted and signed, nothing posted, the code shown.
  const uint64_t before = Length();
  auto first = Act("prepare", WithChoice("son-la"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(Str(*first, "tracking_code").size(), 64u);
  EXPECT_EQ(Str(*first, "prepared").size(), 64u);
  EXPECT_EQ(Length(), before);

  // Check: the same encryption published, its choices as the board shows them.
  auto checked = Act("check", json::object{{"prepared", first->at("prepared")}});
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  EXPECT_EQ(Str(*checked, "tracking_code"), Str(*first, "tracking_code"));
  const std::string shown = json::serialize(*checked);
  EXPECT_NE(shown.find("Sơn La"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("randomness"), std::string::npos) << "the page gets no randomness: " << shown;
  EXPECT_EQ(Length(), before + 1);
  ASSERT_EQ(view_.FindRun(run_id_)->spoiled_codes.count(Str(*first, "tracking_code")), 1u);

  // Decided: neither a second check nor a cast of it.
  auto again = Act("check", json::object{{"prepared", first->at("prepared")}});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kNotFound);
  auto cast_checked = Act("vote", Named(*first));
  ASSERT_FALSE(cast_checked.ok());
  EXPECT_EQ(cast_checked.status().code(), StatusCode::kNotFound);

  // A confirmation naming another code spends the prepared ballot, casts nothing.
  auto second = Act("prepare", WithChoice("son-la"));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(Str(*second, "tracking_code"), Str(*first, "tracking_code"));
  json::object wrong = Named(*second);
  wrong["tracking_code"] = Str(*first, "tracking_code");
  auto refused = Act("vote", wrong);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(Act("vote", Named(*second)).ok());

  // Discarded (the page went back): gone.
  auto third = Act("prepare", WithChoice("son-la"));
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE(Act("discard", json::object{{"prepared", third->at("prepared")}}).ok());
  EXPECT_FALSE(Act("vote", Named(*third)).ok());
  EXPECT_EQ(Length(), before + 1);
  EXPECT_TRUE(view_.FindRun(run_id_)->ballots.empty());

  // Cast: the receipt names the encryption shown.
  auto fourth = Act("prepare", WithChoice("son-la"));
  ASSERT_TRUE(fourth.ok());
  auto cast = Act("vote", Named(*fourth));
  ASSERT_TRUE(cast.ok()) << cast.status().ToString();
  EXPECT_EQ(Str(*cast, "tracking_code"), Str(*fourth, "tracking_code"));
  EXPECT_EQ(Length(), before + 2);
  EXPECT_EQ(view_.FindRun(run_id_)->ballots.count("cao-bang"), 1u);

  // Afterwards no new ballot is prepared; the stored one is resent as it is.
  auto late = Act("prepare", WithChoice("lao-cai"));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kAlreadyExists);
  json::object resend = Target();
  resend["resend"] = true;
  auto resent = Act("vote", resend);
  ASSERT_TRUE(resent.ok()) << resent.status().ToString();
  EXPECT_EQ(Str(*resent, "tracking_code"), Str(*fourth, "tracking_code"));
  EXPECT_TRUE(resent->at("resent").as_bool());
  EXPECT_EQ(Length(), before + 2);
}

// A newer prepared ballot for the same run and unit replaces the older one.
TEST_F(AppBackendTest, OnlyTheLatestPreparedBallotCanBeCast) {
  auto older = Act("prepare", WithChoice("lao-cai"));
  auto newer = Act("prepare", WithChoice("son-la"));
  ASSERT_TRUE(older.ok() && newer.ok());
  auto stale = Act("vote", Named(*older));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kNotFound);
  auto cast = Act("vote", Named(*newer));
  ASSERT_TRUE(cast.ok()) << cast.status().ToString();
  EXPECT_EQ(Str(*cast, "tracking_code"), Str(*newer, "tracking_code"));
}

}  // namespace
}  // namespace phieu::server

// The proxy and meeting-end entries of client/chair_entries.h (`phieu proxy`,
// `phieu accept-proxy`, `phieu close-meeting` and the pages of `phieu app`
// build them the same way): each is checked against the board before it is
// posted, with the check that failed named, and what they build is accepted
// by the meeting service.
#include <gtest/gtest.h>

#include <string>

#include "client/chair_entries.h"
#include "tests/server/meeting_harness.h"

namespace phieu::server {
namespace {

class ProxyEntriesTest : public MeetingHarness {
 protected:
  void CheckIn(const std::string& who, const std::string& unit) {
    v1::EntryBody body;
    body.mutable_check_in()->set_unit_id(unit);
    body.mutable_check_in()->set_own_pin(Creds(who).cert.Pin());
    ExpectPosted(Post(who, body));
    ASSERT_TRUE(Sync());
  }
};

void ExpectRefused(const Result<v1::EntryBody>& made, StatusCode code, const std::string& words) {
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), code) << made.status().message();
  EXPECT_NE(made.status().message().find(words), std::string::npos) << made.status().message();
}

TEST_F(ProxyEntriesTest, ChairRecordsAProxyAndOnlyItsHolderAcceptsItOnce) {
  CheckIn(kChair, "son-la");
  CheckIn(kThu, "cao-bang");

  // Lai Châu is absent: its vote goes to Thư (Cao Bằng's delegate).
  auto proxy = client::ProxyEntry(view_, "lai-chau", kThu);
  ASSERT_TRUE(proxy.ok()) << proxy.status().message();
  ExpectPosted(Post(kChair, *proxy));
  ASSERT_TRUE(Sync());
  ASSERT_EQ(view_.proxies().count("lai-chau"), 1u);
  EXPECT_EQ(view_.proxies().at("lai-chau").holder_id, kThu);
  EXPECT_FALSE(view_.proxies().at("lai-chau").accepted);

  ExpectRefused(client::ProxyEntry(view_, "lai-chau", kChair), StatusCode::kAlreadyExists,
                "already has a proxy");
  ExpectRefused(client::ProxyEntry(view_, "son-la", kThu), StatusCode::kFailedPrecondition,
                "is present");
  ExpectRefused(client::ProxyEntry(view_, "lang-son", "ha-nhat-le"), StatusCode::kInvalidArgument,
                "not a delegate");
  ExpectRefused(client::ProxyEntry(view_, "lang-son", "dai-bieu-lang-son"),
                StatusCode::kInvalidArgument, "own delegate");
  ExpectRefused(client::ProxyEntry(view_, "no-such-unit", kThu), StatusCode::kNotFound, "no unit");

  ExpectRefused(client::ProxyAcceptanceEntry(view_, "lai-chau", kChair),
                StatusCode::kPermissionDenied, "another holder");
  ExpectRefused(client::ProxyAcceptanceEntry(view_, "lang-son", kThu), StatusCode::kNotFound,
                "no proxy");
  auto accept = client::ProxyAcceptanceEntry(view_, "lai-chau", kThu);
  ASSERT_TRUE(accept.ok()) << accept.status().message();
  ExpectPosted(Post(kThu, *accept));
  ASSERT_TRUE(Sync());
  EXPECT_TRUE(view_.proxies().at("lai-chau").accepted);
  ExpectRefused(client::ProxyAcceptanceEntry(view_, "lai-chau", kThu), StatusCode::kAlreadyExists,
                "already accepted");
}

TEST_F(ProxyEntriesTest, MeetingClosesOnlyWhenEveryOpenedBallotIsCountedOrCancelled) {
  const std::string run_id = OpenRun();
  ExpectRefused(client::CloseMeetingEntry(view_), StatusCode::kFailedPrecondition, "has no result yet");
  v1::EntryBody cancel;
  cancel.mutable_cancel()->set_run_id(run_id);
  cancel.mutable_cancel()->set_reason("test");
  ExpectPosted(Post(kChair, cancel));
  ASSERT_TRUE(Sync());
  auto close = client::CloseMeetingEntry(view_);
  ASSERT_TRUE(close.ok()) << close.status().message();
  ExpectPosted(Post(kChair, *close));
  ASSERT_TRUE(Sync());
  EXPECT_TRUE(view_.meeting_closed());
  ExpectRefused(client::CloseMeetingEntry(view_), StatusCode::kFailedPrecondition, "already closed");
}

}  // namespace
}  // namespace phieu::server

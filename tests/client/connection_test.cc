// Loopback TLS tests of client::Connection against the real Server with a fake Service.
#include "client/connection.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "tests/server/test_support.h"

namespace phieu::client {
namespace {

using std::chrono::milliseconds;
using testing::SharedTestPki;
using testing::TestCredentials;
using testing::TestServer;
using testing::TestServerOptions;

constexpr milliseconds kWait{5000};

ConnectOptions OptionsFor(uint16_t port, const TestCredentials& who) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.ca_file = SharedTestPki().ca_cert;
  o.cert_file = who.cert;
  o.key_file = who.key;
  o.timeout = std::chrono::seconds(5);
  return o;
}

v1::Envelope SlowRequest() {
  v1::Envelope e;
  e.mutable_get_entries()->set_limit(999);  // the fake sleeps 1500 ms
  return e;
}

TEST(ConnectionTest, ConcurrentCallsGetTheirOwnResponses) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  auto c = Connection::Open(OptionsFor(s.port(), SharedTestPki().alice));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        v1::Envelope req;
        const uint64_t marker = static_cast<uint64_t>(t * 100 + i);
        req.mutable_get_entries()->set_from_seq(marker);
        auto r = (*c)->Call(req, kWait);
        if (r.ok() && r->has_entries() && r->entries().chain_length() == marker) good.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 40);
}

TEST(ConnectionTest, NextEventTimesOutWithNothing) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  auto c = Connection::Open(OptionsFor(s.port(), SharedTestPki().alice));
  ASSERT_TRUE(c.ok());
  const auto start = std::chrono::steady_clock::now();
  auto ev = (*c)->NextEvent(milliseconds(150));
  ASSERT_TRUE(ev.ok());
  EXPECT_FALSE(ev->has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(140));
}

TEST(ConnectionTest, HeartbeatsAreFilteredOut) {
  auto o = TestServerOptions();
  o.test_heartbeat = milliseconds(50);
  TestServer s(o);
  ASSERT_TRUE(s.ok());
  auto c = Connection::Open(OptionsFor(s.port(), SharedTestPki().alice));
  ASSERT_TRUE(c.ok());
  auto ev = (*c)->NextEvent(milliseconds(400));  // ~8 heartbeats arrive meanwhile
  ASSERT_TRUE(ev.ok());
  EXPECT_FALSE(ev->has_value());
  EXPECT_TRUE((*c)->connected());
}

TEST(ConnectionTest, DroppedConnectionFailsPendingCalls) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  auto c = Connection::Open(OptionsFor(s.port(), SharedTestPki().alice));
  ASSERT_TRUE(c.ok());
  std::thread dropper([&] {
    std::this_thread::sleep_for(milliseconds(100));
    s.server().event_sink().Disconnect(SharedTestPki().alice.pin, "test drop");
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = (*c)->Call(SlowRequest(), kWait);
  dropper.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  // The socket closes at once, not when the slow request finishes.
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
  EXPECT_FALSE((*c)->connected());
  auto again = (*c)->Call(SlowRequest(), kWait);
  EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
}

TEST(ConnectionTest, CallTimesOut) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  auto c = Connection::Open(OptionsFor(s.port(), SharedTestPki().alice));
  ASSERT_TRUE(c.ok());
  auto r = (*c)->Call(SlowRequest(), milliseconds(50));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  // The late answer is dropped; the connection still works.
  v1::Envelope hello;
  hello.mutable_hello();
  auto ok = (*c)->Call(hello, kWait);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->has_welcome());
}

TEST(ConnectionTest, ServerCertificateMustNameTheHost) {
  auto o = TestServerOptions();
  o.cert_file = SharedTestPki().server_wrong_host.cert;
  o.key_file = SharedTestPki().server_wrong_host.key;
  TestServer s(o);
  ASSERT_TRUE(s.ok());
  auto c = Connection::Open(OptionsFor(s.port(), SharedTestPki().alice));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.service().handled(), 0);
}

TEST(ConnectionTest, ServerCertificateMustChainToTheMeetingCa) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  auto o = OptionsFor(s.port(), SharedTestPki().alice);
  o.ca_file = SharedTestPki().other_ca_cert;
  auto c = Connection::Open(o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("TLS handshake"), std::string::npos) << c.status().ToString();
  EXPECT_EQ(s.service().authenticated(), 0);
}

TEST(ConnectionTest, NoServerListening) {
  uint16_t port;
  {
    TestServer s(TestServerOptions());
    ASSERT_TRUE(s.ok());
    port = s.port();
  }
  auto c = Connection::Open(OptionsFor(port, SharedTestPki().alice));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
}

TEST(ConnectionTest, MissingKeyFileIsAnError) {
  auto o = OptionsFor(1, SharedTestPki().alice);
  o.key_file = SharedTestPki().dir + "/does-not-exist.key";
  auto c = Connection::Open(o);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("does-not-exist.key"), std::string::npos);
}

}  // namespace
}  // namespace phieu::client

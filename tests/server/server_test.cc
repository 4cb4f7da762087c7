// Loopback TLS tests of Server + Session + EventHub with a fake Service.
#include "server/server.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "client/connection.h"
#include "server/frame.h"
#include "tests/server/test_support.h"

namespace phieu::testing {
namespace {

using std::chrono::milliseconds;
using Outcome = RawClient::Outcome;

constexpr milliseconds kWait{5000};

Result<std::unique_ptr<client::Connection>> OpenAs(uint16_t port, const TestCredentials& who,
                                                   const std::string& ca = SharedTestPki().ca_cert) {
  client::ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.ca_file = ca;
  o.cert_file = who.cert;
  o.key_file = who.key;
  o.timeout = std::chrono::seconds(5);
  return client::Connection::Open(o);
}

v1::Envelope Hello() {
  v1::Envelope e;
  e.mutable_hello()->set_client("test");
  return e;
}

v1::Envelope Post() {
  v1::Envelope e;
  e.mutable_post();
  return e;
}

// A RawClient with alice's certificate, handshake done.
std::unique_ptr<RawClient> RawAlice(uint16_t port) {
  auto c = std::make_unique<RawClient>(port, &SharedTestPki().alice, SharedTestPki().ca_cert, TLS1_3_VERSION);
  std::string err;
  EXPECT_TRUE(c->Connect(kWait));
  EXPECT_TRUE(c->Handshake(kWait, &err)) << err;
  return c;
}

void ExpectServesAnotherClient(TestServer& s) {
  auto bob = OpenAs(s.port(), SharedTestPki().bob);
  ASSERT_TRUE(bob.ok()) << bob.status().ToString();
  auto r = (*bob)->Call(Hello(), kWait);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->welcome().participant_id(), "bob");
}

TEST(ServerTest, CallGetsItsResponse) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok()) << s.start_status().ToString();
  EXPECT_NE(s.port(), 0);
  auto alice = OpenAs(s.port(), SharedTestPki().alice);
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  auto r = (*alice)->Call(Hello(), kWait);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->has_welcome());
  EXPECT_EQ(r->welcome().participant_id(), "alice");
  EXPECT_NE(r->request_id(), 0u);
  EXPECT_EQ(s.service().handled(), 1);  // Open's Ping is answered by the session itself
  EXPECT_EQ(s.server().authenticated_count(), 1u);
}

TEST(ServerTest, EventsReachEveryClientAndRoleRefusalIsAnError) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  auto alice = OpenAs(s.port(), SharedTestPki().alice);
  auto bob = OpenAs(s.port(), SharedTestPki().bob);
  ASSERT_TRUE(alice.ok() && bob.ok());

  auto denied = (*bob)->Call(Post(), kWait);
  ASSERT_TRUE(denied.ok());
  ASSERT_TRUE(denied->has_error());
  EXPECT_EQ(denied->error().code(), v1::ERROR_PERMISSION_DENIED);

  auto posted = (*alice)->Call(Post(), kWait);
  ASSERT_TRUE(posted.ok());
  ASSERT_TRUE(posted->has_posted());
  const uint64_t seq = posted->posted().seq();
  for (auto* c : {alice->get(), bob->get()}) {
    auto ev = c->NextEvent(kWait);
    ASSERT_TRUE(ev.ok()) << ev.status().ToString();
    ASSERT_TRUE(ev->has_value());
    ASSERT_TRUE((*ev)->has_appended());
    EXPECT_EQ((*ev)->appended().seq(), seq);
  }
  // The refused post broadcast nothing: no second event is waiting.
  auto none = (*bob)->NextEvent(milliseconds(200));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(ServerTest, NoClientCertificateRefused) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  RawClient c(s.port(), nullptr, SharedTestPki().ca_cert, TLS1_3_VERSION);
  ASSERT_TRUE(c.Connect(kWait));
  std::string err;
  const bool hs = c.Handshake(kWait, &err);  // TLS 1.3: the server's refusal may come after
  if (hs) {
    c.SendEnvelope(Hello(), kWait);
    v1::Envelope got;
    EXPECT_EQ(c.ReadFrame(&got, kWait), Outcome::kClosed);
  }
  EXPECT_EQ(s.service().authenticated(), 0);
  EXPECT_EQ(s.service().handled(), 0);
  ExpectServesAnotherClient(s);
}

TEST(ServerTest, CertificateFromAnotherCaRefused) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  auto m = OpenAs(s.port(), SharedTestPki().mallory);
  EXPECT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.service().authenticated(), 0);
  ExpectServesAnotherClient(s);
}

TEST(ServerTest, PinRefusedByServiceIsClosed) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  s.service().Refuse(SharedTestPki().carol.pin);
  auto carol = OpenAs(s.port(), SharedTestPki().carol);
  ASSERT_FALSE(carol.ok());
  EXPECT_NE(carol.status().message().find("certificate refused"), std::string::npos) << carol.status().ToString();
  EXPECT_EQ(s.service().handled(), 0);
  ExpectServesAnotherClient(s);
}

// The refusal races the client's own Ping: the server's Error frame and close
// can be read before the Ping's write completion runs. The client once
// dropped its write queue on that close and then popped the written frame
// from the empty queue (free(): invalid pointer about once in 30 opens).
TEST(ServerTest, RefusedOpensLeaveTheClientIntact) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  s.service().Refuse(SharedTestPki().carol.pin);
  for (int i = 0; i < 60; ++i) {
    auto carol = OpenAs(s.port(), SharedTestPki().carol);
    ASSERT_FALSE(carol.ok()) << "open " << i;
    EXPECT_NE(carol.status().message().find("certificate refused"), std::string::npos)
        << "open " << i << ": " << carol.status().ToString();
  }
  EXPECT_EQ(s.service().handled(), 0);
  ExpectServesAnotherClient(s);
}

TEST(ServerTest, Tls12ClientRefused) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  RawClient c(s.port(), &SharedTestPki().alice, SharedTestPki().ca_cert, TLS1_2_VERSION);
  ASSERT_TRUE(c.Connect(kWait));
  std::string err;
  EXPECT_FALSE(c.Handshake(kWait, &err));
  EXPECT_NE(err, "timeout");
  EXPECT_EQ(s.service().authenticated(), 0);
  ExpectServesAnotherClient(s);
}

TEST(ServerTest, KeyExchangePinnedToP256AndX25519) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  for (const char* group : {"P-256", "X25519"}) {
    RawClient c(s.port(), &SharedTestPki().alice, SharedTestPki().ca_cert, TLS1_3_VERSION, group);
    ASSERT_TRUE(c.Connect(kWait));
    std::string err;
    EXPECT_TRUE(c.Handshake(kWait, &err)) << group << ": " << err;
  }
  for (const char* group : {"P-384", "X448"}) {
    RawClient c(s.port(), &SharedTestPki().alice, SharedTestPki().ca_cert, TLS1_3_VERSION, group);
    ASSERT_TRUE(c.Connect(kWait));
    std::string err;
    EXPECT_FALSE(c.Handshake(kWait, &err)) << group;
    EXPECT_NE(err, "timeout");
  }
}

void ExpectBadFrameCloses(const std::string& bytes) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  auto c = RawAlice(s.port());
  ASSERT_TRUE(c->Write(bytes, kWait));
  v1::Envelope got;
  Outcome first = c->ReadFrame(&got, kWait);
  if (first == Outcome::kFrame) {
    ASSERT_TRUE(got.has_error());
    EXPECT_EQ(got.error().code(), v1::ERROR_BAD_REQUEST);
    EXPECT_TRUE(c->WaitClosed(kWait));
  } else {
    EXPECT_EQ(first, Outcome::kClosed);  // closed before the error could be read
  }
  EXPECT_EQ(s.service().handled(), 0);
  EXPECT_TRUE(s.WaitSessions(0, kWait));
  ExpectServesAnotherClient(s);
}

std::string Header(uint32_t n) {
  return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                     static_cast<char>(n)};
}

TEST(ServerTest, OversizeFrameCapPlusOneCloses) { ExpectBadFrameCloses(Header(server::kDefaultMaxFrame + 1)); }
TEST(ServerTest, OversizeFrameMaxUint32Closes) { ExpectBadFrameCloses(Header(0xffffffffu)); }
TEST(ServerTest, ZeroLengthFrameCloses) { ExpectBadFrameCloses(Header(0)); }
TEST(ServerTest, GarbageFrameCloses) { ExpectBadFrameCloses(Header(16) + std::string(16, '\xff')); }

TEST(ServerTest, SilentTcpClientDroppedAtHandshakeDeadline) {
  auto o = TestServerOptions();
  o.test_handshake_timeout = milliseconds(300);
  TestServer s(o);
  ASSERT_TRUE(s.ok());
  RawClient c(s.port());
  ASSERT_TRUE(c.Connect(kWait));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.WaitClosed(kWait));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(200));
  EXPECT_TRUE(s.WaitSessions(0, kWait));
}

TEST(ServerTest, NoFirstFrameDroppedAtFrameDeadline) {
  auto o = TestServerOptions();
  o.test_frame_timeout = milliseconds(300);
  TestServer s(o);
  ASSERT_TRUE(s.ok());
  auto c = RawAlice(s.port());
  EXPECT_TRUE(c->WaitClosed(kWait));
  EXPECT_EQ(s.service().handled(), 0);
}

TEST(ServerTest, HeartbeatsSentAndSilentClientDropped) {
  auto o = TestServerOptions();
  o.test_heartbeat = milliseconds(100);
  o.test_idle_drop = milliseconds(600);
  TestServer s(o);
  ASSERT_TRUE(s.ok());
  auto c = RawAlice(s.port());
  ASSERT_TRUE(c->SendEnvelope(Hello(), kWait));
  int heartbeats = 0;
  bool closed = false;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < kWait) {
    v1::Envelope got;
    Outcome o2 = c->ReadFrame(&got, kWait);
    if (o2 != Outcome::kFrame) {
      closed = o2 == Outcome::kClosed;
      break;
    }
    if (got.has_event() && got.event().has_heartbeat()) ++heartbeats;
  }
  EXPECT_TRUE(closed);
  EXPECT_GE(heartbeats, 2);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(500));
}

TEST(ServerTest, ClientAnsweringHeartbeatsStaysConnected) {
  auto o = TestServerOptions();
  // The idle limit leaves room for a loaded sanitizer build on 2 cores: a
  // 400 ms limit was missed there by a client that did answer every beat.
  // Under TSan and ASan every limit is PHIEU_SLOW_FACTOR times longer.
  o.test_heartbeat = Slow(milliseconds(200));
  o.test_idle_drop = Slow(milliseconds(1500));
  TestServer s(o);
  ASSERT_TRUE(s.ok());
  auto alice = OpenAs(s.port(), SharedTestPki().alice);
  ASSERT_TRUE(alice.ok());
  std::this_thread::sleep_for(Slow(milliseconds(3500)));  // more than two idle limits
  EXPECT_TRUE((*alice)->connected());
  auto r = (*alice)->Call(Hello(), kWait);
  EXPECT_TRUE(r.ok() && r->has_welcome());
}

TEST(ServerTest, DisconnectPinClosesThatSessionOnly) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  auto alice = OpenAs(s.port(), SharedTestPki().alice);
  auto bob = OpenAs(s.port(), SharedTestPki().bob);
  ASSERT_TRUE(alice.ok() && bob.ok());
  s.server().event_sink().Disconnect(SharedTestPki().alice.pin, "laptop lost");
  auto ev = (*alice)->NextEvent(kWait);
  ASSERT_TRUE(ev.ok()) << ev.status().ToString();
  ASSERT_TRUE(ev->has_value());
  ASSERT_TRUE((*ev)->has_revoked());
  EXPECT_EQ((*ev)->revoked().reason(), "laptop lost");
  auto after = (*alice)->NextEvent(kWait);
  EXPECT_FALSE(after.ok());
  EXPECT_FALSE((*alice)->connected());
  auto r = (*bob)->Call(Hello(), kWait);
  EXPECT_TRUE(r.ok() && r->has_welcome());
}

TEST(ServerTest, StopEndsEverything) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  const uint16_t port = s.port();
  auto alice = OpenAs(port, SharedTestPki().alice);
  auto bob = OpenAs(port, SharedTestPki().bob);
  ASSERT_TRUE(alice.ok() && bob.ok());
  s.server().Stop();
  EXPECT_TRUE(s.WaitSessions(0, kWait));
  for (auto* c : {alice->get(), bob->get()}) {
    auto ev = c->NextEvent(kWait);
    EXPECT_FALSE(ev.ok());
    EXPECT_FALSE(c->connected());
  }
  EXPECT_FALSE(OpenAs(port, SharedTestPki().carol).ok());
}

TEST(ServerTest, ConnectionsBeyondTheLimitAreClosed) {
  auto o = TestServerOptions();
  o.max_connections = 1;
  TestServer s(o);
  ASSERT_TRUE(s.ok());
  auto alice = OpenAs(s.port(), SharedTestPki().alice);
  ASSERT_TRUE(alice.ok());
  EXPECT_FALSE(OpenAs(s.port(), SharedTestPki().bob).ok());
  EXPECT_TRUE((*alice)->Call(Hello(), kWait).ok());
}

TEST(ServerTest, SlowReaderDroppedWhenItsQueueIsFull) {
  auto o = TestServerOptions();
  o.max_queued_frames = 4;
  TestServer s(o);
  ASSERT_TRUE(s.ok());
  auto c = RawAlice(s.port());
  ASSERT_TRUE(c->SendEnvelope(Hello(), kWait));
  v1::Envelope got;
  ASSERT_EQ(c->ReadFrame(&got, kWait), Outcome::kFrame);
  ASSERT_TRUE(s.WaitSessions(1, kWait));
  // The client reads nothing more; 64 MiB of events cannot all fit in socket buffers.
  v1::Envelope big;
  big.mutable_event()->mutable_appended()->mutable_signed_()->set_signature(std::string(512 * 1024, 'x'));
  for (int i = 0; i < 128 && s.server().session_count() > 0; ++i) s.server().event_sink().Broadcast(big);
  EXPECT_TRUE(s.WaitSessions(0, milliseconds(10000)));
}

// Events far larger than the socket buffers: the server's TLS stream writes
// them record by record as the socket drains (partial writes, waits for
// writability) while it keeps reading requests; every byte arrives in order.
TEST(ServerTest, LargeEventsArriveWholeWhileTheClientCalls) {
  TestServer s(TestServerOptions());
  ASSERT_TRUE(s.ok());
  auto alice = OpenAs(s.port(), SharedTestPki().alice);
  ASSERT_TRUE(alice.ok()) << alice.status().ToString();
  ASSERT_TRUE(s.WaitSessions(1, kWait));
  constexpr int kEvents = 12;
  for (int i = 0; i < kEvents; ++i) {
    v1::Envelope big;
    auto* appended = big.mutable_event()->mutable_appended();
    appended->set_seq(static_cast<uint64_t>(i));
    appended->mutable_signed_()->set_signature(std::string(900 * 1024, static_cast<char>('a' + i)));
    s.server().event_sink().Broadcast(big);
  }
  auto r = (*alice)->Call(Hello(), kWait);  // answered behind the queued events
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->has_welcome());
  for (int i = 0; i < kEvents; ++i) {
    auto ev = (*alice)->NextEvent(kWait);
    ASSERT_TRUE(ev.ok()) << ev.status().ToString();
    ASSERT_TRUE(ev->has_value()) << "event " << i;
    ASSERT_TRUE((*ev)->has_appended());
    EXPECT_EQ((*ev)->appended().seq(), static_cast<uint64_t>(i));
    EXPECT_EQ((*ev)->appended().signed_().signature(), std::string(900 * 1024, static_cast<char>('a' + i)));
  }
}

}  // namespace
}  // namespace phieu::testing

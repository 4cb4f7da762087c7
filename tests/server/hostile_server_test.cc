// Hostile and slow clients against the real server (Server + Session over
// loopback TLS 1.3) serving a real meeting (MeetingService, the harness of
// tests/server/meeting_harness.h). After each hostile connection an honest
// delegate is still served; under slowloris sockets and a flood of bogus
// ballots honest delegates still vote, and the flood spends no curve
// operation (group op counters, signature counter).
//
// The TLS and framing refusals with a fake service (no certificate, another
// CA, TLS 1.2, zero/oversize/garbage frames, connection limits) are in
// server_test.cc; this file adds what needs the meeting's roster and ballots.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "certs/meeting_ca.h"
#include "certs/meeting_directory.h"
#include "client/connection.h"
#include "core/crypto/group.h"
#include "core/crypto/keys.h"
#include "core/crypto/private_file.h"
#include "server/frame.h"
#include "tests/server/meeting_harness.h"
#include "tests/server/test_support.h"

namespace phieu::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::RawClient;
using testing::TestCredentials;
using testing::TestServer;
using Outcome = RawClient::Outcome;

constexpr milliseconds kWait{20000};       // generous: sanitizer builds on 2 cores
constexpr char kLaiChau[] = "dai-bieu-lai-chau";  // the hostile delegate
const char* const kHonest[] = {kThu, "dai-bieu-lang-son", "dai-bieu-lao-cai"};
const char* const kHonestUnits[] = {"cao-bang", "lang-son", "lao-cai"};

std::string Header(uint32_t n) {
  return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                     static_cast<char>(n)};
}

v1::Envelope Hello() {
  v1::Envelope e;
  e.mutable_hello()->set_client("hostile_server_test");
  return e;
}

v1::Envelope PostEnvelope(const v1::SignedEntry& se) {
  v1::Envelope e;
  *e.mutable_post()->mutable_entry() = se;
  return e;
}

class HostileServerTest : public MeetingHarness {
 protected:
  void TearDown() override {
    server_.reset();  // before the service it serves
    MeetingHarness::TearDown();
  }

  ServerOptions Options() const {
    ServerOptions o = testing::MeetingServerOptions(CertsRoot());
    o.test_handshake_timeout = milliseconds(3000);
    o.test_frame_timeout = milliseconds(3000);
    return o;
  }

  void StartServer(ServerOptions o) {
    server_ = std::make_unique<TestServer>(std::move(o), *svc_);
    ASSERT_TRUE(server_->ok()) << server_->start_status().ToString();
  }

  static TestCredentials FilesOf(const std::string& id) {
    const std::string dir = ParticipantDir(id);
    return TestCredentials{dir + "/cert.pem", dir + "/key.pem", Creds(id).cert.Pin()};
  }

  Result<std::unique_ptr<client::Connection>> Connect(const TestCredentials& who) {
    client::ConnectOptions o;
    o.host = "127.0.0.1";
    o.port = server_->port();
    o.ca_file = CertsRoot() + "/ca/ca.pem";
    o.cert_file = who.cert;
    o.key_file = who.key;
    o.timeout = std::chrono::duration_cast<seconds>(kWait);
    return client::Connection::Open(o);
  }
  Result<std::unique_ptr<client::Connection>> Connect(const std::string& id) { return Connect(FilesOf(id)); }

  // A raw TLS client with `id`'s certificate, handshake done.
  std::unique_ptr<RawClient> RawAs(const std::string& id) {
    const TestCredentials files = FilesOf(id);
    auto c = std::make_unique<RawClient>(server_->port(), &files, CertsRoot() + "/ca/ca.pem", TLS1_3_VERSION);
    std::string err;
    EXPECT_TRUE(c->Connect(kWait));
    EXPECT_TRUE(c->Handshake(kWait, &err)) << err;
    return c;
  }

  // An honest delegate connects and is welcomed.
  void ExpectHonestServed(const std::string& id = kThu) {
    auto c = Connect(id);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    auto r = (*c)->Call(Hello(), kWait);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->welcome().participant_id(), id);
  }

  // `id` casts its unit's ballot over its own connection: the receipt names it.
  void ExpectVotes(client::Connection& c, const std::string& id, const v1::SignedEntry& cast) {
    auto r = c.Call(PostEnvelope(cast), kWait);
    ASSERT_TRUE(r.ok()) << id << ": " << r.status().ToString();
    ASSERT_TRUE(r->has_posted()) << id << ": " << r->DebugString();
    EXPECT_FALSE(r->posted().receipt().receipt().empty()) << id;
  }

  // A closed connection's last words: the error the server sent before closing.
  static void ExpectRefusedWith(const Result<std::unique_ptr<client::Connection>>& c, const std::string& words) {
    ASSERT_FALSE(c.ok()) << "connected";
    EXPECT_NE(c.status().message().find(words), std::string::npos) << c.status().message();
  }

  std::unique_ptr<TestServer> server_;
};

// ------------------------------------------------------------ certificates

TEST_F(HostileServerTest, UnpinnedCertificateOfTheMeetingCaIsRefused) {
  StartServer(Options());
  // A new key and certificate for a real participant, signed by the meeting
  // CA after the roster was fixed: it chains, but the roster pins another.
  const std::string dir = NewTempDir("unpinned");
  auto keys = certs::Keygen(dir, kLaiChau);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  auto ca = certs::MeetingDirectory(CertsRoot()).LoadCa();
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  auto cert = ca->SignRequest(crypto::ReadFile(keys->csr_path).value(), kLaiChau,
                              certs::Validity::Around(NowUnix()));
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  ASSERT_TRUE(crypto::WritePublicFile(dir + "/cert.pem", cert->Pem().value()).ok());
  ExpectRefusedWith(Connect(TestCredentials{dir + "/cert.pem", keys->key_path, cert->Pin()}),
                    "is not pinned by the roster");
  ExpectHonestServed();
  std::filesystem::remove_all(dir);
}

TEST_F(HostileServerTest, RevokedCertificateIsClosedAndRefused) {
  StartServer(Options());
  auto lai_chau = Connect(kLaiChau);
  ASSERT_TRUE(lai_chau.ok()) << lai_chau.status().ToString();
  // The meeting CA revokes Lai Châu's pin; the chair posts it.
  v1::EntryBody body;
  body.set_meeting_id(view_.meeting().id());
  body.mutable_roster_change()->add_revoke_pins(Creds(kLaiChau).cert.Pin());
  body.mutable_roster_change()->set_reason("laptop lost");
  v1::SignedEntry se;
  ASSERT_TRUE(body.SerializeToString(se.mutable_body()));
  se.set_author("ca");
  auto ca_key = crypto::PrivateKey::FromPem(crypto::ReadFile(CertsRoot() + "/ca/ca.key").value());
  ASSERT_TRUE(ca_key.ok()) << ca_key.status().ToString();
  se.set_signature(ca_key->Sign(crypto::kEntryDomain, se.body()).value());
  ExpectPosted(PostSigned(Who(kChair), se));
  // The open connection is told and closed; a new one is refused.
  bool revoked = false;
  for (int i = 0; i < 10 && !revoked; ++i) {  // the roster change itself comes first
    auto event = (*lai_chau)->NextEvent(kWait);
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    ASSERT_TRUE(event->has_value());
    revoked = (*event)->has_revoked();
  }
  EXPECT_TRUE(revoked);
  ExpectRefusedWith(Connect(kLaiChau), "was revoked");
  ExpectHonestServed();
}

// ------------------------------------------------------------ frames

TEST_F(HostileServerTest, TruncatedFrameIsDroppedAtTheFrameDeadline) {
  StartServer(Options());
  auto c = RawAs(kLaiChau);
  ASSERT_TRUE(c->Write(Header(100) + std::string(50, 'x'), kWait));  // half a body, then nothing
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c->WaitClosed(kWait));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(1000));  // the deadline, not at once
  ExpectHonestServed();
}

TEST_F(HostileServerTest, DeeplyNestedEnvelopeIsRefusedAndClosed) {
  StartServer(Options());
  std::string nested;
  for (int i = 0; i < kEnvelopeRecursionLimit + 10; ++i) nested += "\xa3\x06";  // unknown group, field 100
  for (int i = 0; i < kEnvelopeRecursionLimit + 10; ++i) nested += "\xa4\x06";
  auto c = RawAs(kLaiChau);
  ASSERT_TRUE(c->Write(Header(static_cast<uint32_t>(nested.size())) + nested, kWait));
  v1::Envelope got;
  ASSERT_EQ(c->ReadFrame(&got, kWait), Outcome::kFrame);
  ASSERT_TRUE(got.has_error()) << got.DebugString();
  EXPECT_EQ(got.error().code(), v1::ERROR_BAD_REQUEST);
  EXPECT_NE(got.error().message().find("frame body check"), std::string::npos) << got.error().message();
  EXPECT_TRUE(c->WaitClosed(kWait));
  ExpectHonestServed();
}

TEST_F(HostileServerTest, UnknownFieldsAreIgnored) {
  StartServer(Options());
  std::string bytes;
  ASSERT_TRUE(Hello().SerializeToString(&bytes));
  bytes += std::string("\xa0\x06\x2a", 3);      // field 100, varint 42
  bytes += std::string("\xaa\x06\x03xyz", 6);   // field 101, 3 bytes
  auto c = RawAs(kLaiChau);
  ASSERT_TRUE(c->Write(Header(static_cast<uint32_t>(bytes.size())) + bytes, kWait));
  v1::Envelope got;
  ASSERT_EQ(c->ReadFrame(&got, kWait), Outcome::kFrame);
  ASSERT_TRUE(got.has_welcome()) << got.DebugString();
  EXPECT_EQ(got.welcome().participant_id(), kLaiChau);
}

// ------------------------------------------------------------ slow clients

TEST_F(HostileServerTest, UnauthenticatedConnectionsBeyondTheLimitAreClosedAtOnce) {
  ServerOptions o = Options();
  o.max_unauthenticated = 8;
  StartServer(o);
  std::vector<std::unique_ptr<RawClient>> silent;
  for (int i = 0; i < 8; ++i) {
    silent.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(silent.back()->Connect(kWait));
  }
  ASSERT_TRUE(server_->WaitSessions(8, kWait));
  RawClient ninth(server_->port());
  ASSERT_TRUE(ninth.Connect(kWait));
  EXPECT_TRUE(ninth.WaitClosed(milliseconds(2000)));  // at once, well before the 3 s handshake deadline
  // The silent ones go at their handshake deadline; then honest clients get in.
  for (auto& s : silent) EXPECT_TRUE(s->WaitClosed(kWait));
  ASSERT_TRUE(server_->WaitSessions(0, kWait));
  ExpectHonestServed();
}

// 200 TCP sockets that start a TLS handshake and trickle it, and 100
// authenticated connections that send a frame header and trickle its body,
// one byte each every 500 ms; meanwhile three delegates connect and vote.
// Every trickling socket is closed by its deadline.
TEST_F(HostileServerTest, SlowlorisAndTricklingBodiesDoNotStopHonestVotes) {
  const std::string run_id = OpenRun();
  std::vector<v1::SignedEntry> casts;
  for (size_t i = 0; i < std::size(kHonest); ++i) casts.push_back(SignAs(kHonest[i], Ballot(run_id, kHonestUnits[i], "son-la")));
  // Opening the 300 sockets (100 of them full mTLS handshakes) must take less
  // than the deadlines: 8 s was not enough under TSan, nor in a normal build on
  // a machine busy with two sanitizer builds (183 of 200 left).
  const milliseconds deadline = testing::Slow(milliseconds(15000));
  ServerOptions o = Options();
  o.test_handshake_timeout = deadline;
  o.test_frame_timeout = deadline;
  StartServer(o);

  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 100; ++i) {
    slow.push_back(RawAs(kLaiChau));
    ASSERT_TRUE(slow.back()->Write(Header(64), kWait));
  }
  for (int i = 0; i < 200; ++i) {
    slow.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(slow.back()->Connect(kWait));
    // A TLS record header announcing a 512-byte ClientHello that never comes.
    ASSERT_TRUE(slow.back()->Write(std::string("\x16\x03\x01\x02\x00", 5), kWait));
  }
  std::atomic<bool> stop{false};
  std::atomic<int> closed{0};
  std::thread trickler([&] {
    std::vector<bool> gone(slow.size(), false);
    const auto end = std::chrono::steady_clock::now() + std::max<milliseconds>(seconds(60), 3 * deadline);
    while (!stop && closed < static_cast<int>(slow.size()) && std::chrono::steady_clock::now() < end) {
      for (size_t i = 0; i < slow.size(); ++i) {
        if (!gone[i] && !slow[i]->Write(std::string(1, '\x01'), milliseconds(200))) {
          gone[i] = true;
          ++closed;
        }
      }
      std::this_thread::sleep_for(milliseconds(500));
    }
  });

  // The stalled handshakes are all still there while the delegates vote.
  EXPECT_GE(server_->server().session_count(), 200u);
  for (size_t i = 0; i < std::size(kHonest); ++i) {
    auto c = Connect(kHonest[i]);
    ASSERT_TRUE(c.ok()) << kHonest[i] << ": " << c.status().ToString();
    ExpectVotes(**c, kHonest[i], casts[i]);
  }
  trickler.join();  // ends when every slow socket is closed (or after 60 s, 3 deadlines under TSan)
  EXPECT_EQ(closed.load(), static_cast<int>(slow.size()));
  ASSERT_TRUE(Sync());
  EXPECT_EQ(view_.FindRun(run_id)->ballots.size(), std::size(kHonest));
  EXPECT_TRUE(server_->WaitSessions(0, kWait));
}

// One certificate floods the server with bogus ballots from four connections:
// different ballots for its own unit after it voted (already voted) and
// ballots for another unit (not its to cast). None costs a curve operation;
// beyond its burst they are refused by the rate limit; honest delegates are
// served meanwhile and then vote.
TEST_F(HostileServerTest, FloodOfBogusBallotsSpendsNoCurveOperation) {
  const std::string run_id = OpenRun();
  StartServer(Options());
  // Lai Châu votes once, honestly.
  v1::EntryBody own = Ballot(run_id, "lai-chau", "son-la");
  {
    auto c = Connect(kLaiChau);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ExpectVotes(**c, kLaiChau, SignAs(kLaiChau, own));
  }
  // The bogus ballots, made and signed before anything is measured.
  constexpr int kConnections = 4, kPerConnection = 150;
  std::vector<v1::SignedEntry> bogus;
  const v1::EntryBody other = Ballot(run_id, "cao-bang", "son-la");
  for (int i = 0; i < kConnections * kPerConnection; ++i) {
    v1::EntryBody b = (i % 2 == 0) ? own : other;
    b.mutable_ballot()->mutable_cell_proofs(0)->mutable_responses(0)->back() ^= static_cast<char>(1 + i % 7);
    b.mutable_ballot()->set_run_id(run_id);
    bogus.push_back(SignAs(kLaiChau, b));
  }
  std::vector<v1::SignedEntry> casts;
  for (size_t i = 0; i < std::size(kHonest); ++i) casts.push_back(SignAs(kHonest[i], Ballot(run_id, kHonestUnits[i], "son-la")));
  std::vector<std::unique_ptr<client::Connection>> honest;
  for (const char* id : kHonest) {
    auto c = Connect(id);
    ASSERT_TRUE(c.ok()) << id << ": " << c.status().ToString();
    honest.push_back(std::move(c).value());
  }

  const uint64_t mul_before = crypto::Counters().Multiplications();
  const uint64_t sig_before = crypto::SignatureVerifications();
  std::mutex mu;
  std::map<int, int> codes;  // ErrorCode (0: not an error) -> count
  std::atomic<int> failures{0};
  std::vector<std::thread> flood;
  for (int k = 0; k < kConnections; ++k) {
    flood.emplace_back([&, k] {
      auto c = Connect(kLaiChau);
      if (!c.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < kPerConnection; ++i) {
        auto r = (*c)->Call(PostEnvelope(bogus[static_cast<size_t>(k * kPerConnection + i)]), kWait);
        std::lock_guard<std::mutex> lock(mu);
        if (!r.ok()) {
          ++failures;
        } else {
          ++codes[r->has_error() ? static_cast<int>(r->error().code()) : 0];
        }
      }
    });
  }
  // Honest delegates are served during the flood (requests that cost no curve operation).
  for (size_t i = 0; i < honest.size(); ++i) {
    for (int round = 0; round < 5; ++round) {
      auto r = honest[i]->Call(Hello(), kWait);
      ASSERT_TRUE(r.ok()) << kHonest[i] << ": " << r.status().ToString();
      EXPECT_EQ(r->welcome().participant_id(), kHonest[i]);
    }
  }
  for (auto& t : flood) t.join();
  EXPECT_EQ(crypto::Counters().Multiplications() - mul_before, 0u);
  EXPECT_EQ(crypto::SignatureVerifications() - sig_before, 0u);

  std::printf("flood: %d posts, %d already voted, %d not its unit, %d rate limited\n",
              kConnections * kPerConnection, codes[v1::ERROR_ALREADY_VOTED], codes[v1::ERROR_PERMISSION_DENIED],
              codes[v1::ERROR_RATE_LIMITED]);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(codes[0], 0) << "a bogus ballot was accepted";
  int refused = 0;
  for (const auto& [code, n] : codes) refused += n;
  EXPECT_EQ(refused, kConnections * kPerConnection);
  EXPECT_EQ(codes[v1::ERROR_ALREADY_VOTED] + codes[v1::ERROR_PERMISSION_DENIED] + codes[v1::ERROR_RATE_LIMITED],
            refused);
  // The default burst is 60 posts: most of the flood met the rate limit.
  EXPECT_GT(codes[v1::ERROR_RATE_LIMITED], 0);
  EXPECT_LE(codes[v1::ERROR_ALREADY_VOTED] + codes[v1::ERROR_PERMISSION_DENIED], refused / 2);

  // And the honest delegates vote.
  for (size_t i = 0; i < honest.size(); ++i) ExpectVotes(*honest[i], kHonest[i], casts[i]);
  ASSERT_TRUE(Sync());
  EXPECT_EQ(view_.FindRun(run_id)->ballots.size(), std::size(kHonest) + 1);
}

}  // namespace
}  // namespace phieu::server

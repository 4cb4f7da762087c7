// Test helpers for the loopback TLS tests of server/ and client/:
//   FakeService — echo/counting/role-refusing Service with no meeting logic;
//   TestServer  — a Server on 127.0.0.1:0 with its io_context on a thread,
//                 serving the FakeService or a given Service (a real meeting);
//   RawClient   — a hostile or old client: raw bytes over TLS (any version,
//                 with or without a certificate) or over plain TCP, every
//                 operation bounded by a timeout.
//
// Thread-safety: FakeService is thread-safe; TestServer and RawClient are
// used from the test thread only.
#ifndef PHIEU_TESTS_SERVER_TEST_SUPPORT_H_
#define PHIEU_TESTS_SERVER_TEST_SUPPORT_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "server/server.h"
#include "server/service.h"
#include "tests/server/test_certs.h"

#ifndef PHIEU_SLOW_FACTOR
#define PHIEU_SLOW_FACTOR 1
#endif

namespace phieu::testing {

// Time limits of tests that time the server's or client's timers, scaled for
// the build: the TSan build sets PHIEU_SLOW_FACTOR (tests/CMakeLists.txt).
inline std::chrono::milliseconds Slow(std::chrono::milliseconds limit) { return limit * PHIEU_SLOW_FACTOR; }

// Behaviour:
//   Authenticate: refuses pins in refused_pins (PermissionDenied); the
//     participant id is the certificate's name as told by AddParticipant, or "p-<pin prefix>".
//   Hello     -> Welcome{participant_id, meeting_id "test-meeting"}
//   Post      -> from "bob": Error PERMISSION_DENIED; otherwise Posted{seq}
//                and a broadcast Event{appended{seq}}
//   GetEntries-> Entries{chain_length = from_seq}; limit 999 sleeps 1500 ms first
//   anything else -> Error BAD_REQUEST
class FakeService : public server::Service {
 public:
  void AddParticipant(const std::string& pin, const std::string& id);
  void Refuse(const std::string& pin);

  Result<server::Identity> Authenticate(const std::string& pin, const std::string& cert_der) override;
  v1::Envelope Handle(const server::Identity& who, const v1::Envelope& request) override;
  void SetEventSink(server::EventSink* sink) override { sink_.store(sink); }

  int handled() const { return handled_.load(); }
  int authenticated() const { return authenticated_.load(); }

 private:
  std::mutex mu_;
  std::set<std::string> refused_;
  std::map<std::string, std::string> names_;
  std::atomic<server::EventSink*> sink_{nullptr};
  std::atomic<int> handled_{0};
  std::atomic<int> authenticated_{0};
  std::atomic<uint64_t> seq_{0};
};

// Default options for tests: the shared PKI, port 0, short timeouts.
server::ServerOptions TestServerOptions();
// Loopback options (port 0) for the server of a meeting directory made by certs/
// (CERTS_ROOT/server/server.{pem,key}, CERTS_ROOT/ca/ca.pem).
server::ServerOptions MeetingServerOptions(const std::string& certs_root);

class TestServer {
 public:
  explicit TestServer(server::ServerOptions options);  // starts; ASSERTs via ok()
  // Serves `service` (it must outlive the server) instead of the FakeService.
  TestServer(server::ServerOptions options, server::Service& service);
  ~TestServer();
  bool ok() const { return started_.ok(); }
  const Status& start_status() const { return started_; }
  uint16_t port() const { return server_->port(); }
  server::Server& server() { return *server_; }
  FakeService& service() { return service_; }  // unused with an external service
  // Polls until the server has exactly n sessions (or the timeout passes).
  bool WaitSessions(size_t n, std::chrono::milliseconds timeout);
  void Stop();

 private:
  void Start(server::ServerOptions options, server::Service& service);

  FakeService service_;
  boost::asio::io_context io_;
  std::unique_ptr<server::Server> server_;
  std::thread thread_;
  Status started_;
  bool stopped_ = false;
};

class RawClient {
 public:
  enum class Outcome { kFrame, kClosed, kTimeout };

  // TLS client: creds may be null (no certificate); max_version e.g. TLS1_2_VERSION;
  // groups, when not empty, is the only key exchange offered (e.g. "P-384").
  RawClient(uint16_t port, const TestCredentials* creds, const std::string& ca_file,
            int max_version, const std::string& groups = "");
  // Plain TCP client.
  explicit RawClient(uint16_t port);

  bool Connect(std::chrono::milliseconds timeout);
  // True when the TLS handshake completed on our side.
  bool Handshake(std::chrono::milliseconds timeout, std::string* error);
  bool Write(const std::string& bytes, std::chrono::milliseconds timeout);
  bool SendEnvelope(const v1::Envelope& envelope, std::chrono::milliseconds timeout);
  Outcome ReadFrame(v1::Envelope* out, std::chrono::milliseconds timeout);
  // Reads (and drops) everything until the peer closes: true if it closed in time.
  bool WaitClosed(std::chrono::milliseconds timeout);

 private:
  template <typename Op>
  bool RunFor(Op op, std::chrono::milliseconds timeout, boost::system::error_code* ec);

  uint16_t port_;
  bool tls_;
  boost::asio::io_context io_;
  boost::asio::ssl::context ctx_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
};

}  // namespace phieu::testing

#endif  // PHIEU_TESTS_SERVER_TEST_SUPPORT_H_

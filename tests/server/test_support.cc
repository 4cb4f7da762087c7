#include "tests/server/test_support.h"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <map>

#include "server/frame.h"
#include "server/net_log.h"

namespace phieu::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

// ------------------------------------------------------------ FakeService

void FakeService::AddParticipant(const std::string& pin, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  names_[pin] = id;
}

void FakeService::Refuse(const std::string& pin) {
  std::lock_guard<std::mutex> lock(mu_);
  refused_.insert(pin);
}

Result<server::Identity> FakeService::Authenticate(const std::string& pin, const std::string& cert_der) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cert_der.empty()) return InvalidArgument("no certificate DER");
  if (refused_.count(pin)) return PermissionDenied("pin check: certificate not pinned on the roster");
  authenticated_.fetch_add(1);
  auto it = names_.find(pin);
  return server::Identity{pin, it != names_.end() ? it->second : "p-" + pin.substr(0, 8)};
}

v1::Envelope FakeService::Handle(const server::Identity& who, const v1::Envelope& request) {
  handled_.fetch_add(1);
  v1::Envelope out;
  if (request.has_hello()) {
    out.mutable_welcome()->set_participant_id(who.participant_id);
    out.mutable_welcome()->set_meeting_id("test-meeting");
  } else if (request.has_post()) {
    if (who.participant_id == "bob") {
      return server::MakeErrorEnvelope(0, v1::ERROR_PERMISSION_DENIED, "role check: bob may not post");
    }
    const uint64_t seq = seq_.fetch_add(1) + 1;
    out.mutable_posted()->set_seq(seq);
    v1::Envelope event;
    event.mutable_event()->mutable_appended()->set_seq(seq);
    if (auto* sink = sink_.load()) sink->Broadcast(event);
  } else if (request.has_get_entries()) {
    if (request.get_entries().limit() == 999) std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    out.mutable_entries()->set_chain_length(request.get_entries().from_seq());
  } else {
    return server::MakeErrorEnvelope(0, v1::ERROR_BAD_REQUEST, "request kind not handled by the fake");
  }
  return out;
}

// ------------------------------------------------------------ TestServer

server::ServerOptions TestServerOptions() {
  const TestPki& pki = SharedTestPki();
  server::ServerOptions o;
  o.listen_host = "127.0.0.1";
  o.port = 0;
  o.cert_file = pki.server.cert;
  o.key_file = pki.server.key;
  o.ca_file = pki.ca_cert;
  o.test_handshake_timeout = std::chrono::milliseconds(2000);
  o.test_frame_timeout = std::chrono::milliseconds(2000);
  o.worker_threads = 2;
  return o;
}

server::ServerOptions MeetingServerOptions(const std::string& certs_root) {
  server::ServerOptions o;
  o.listen_host = "127.0.0.1";
  o.port = 0;
  o.cert_file = certs_root + "/server/server.pem";
  o.key_file = certs_root + "/server/server.key";
  o.ca_file = certs_root + "/ca/ca.pem";
  return o;
}

TestServer::TestServer(server::ServerOptions options) {
  const TestPki& pki = SharedTestPki();
  service_.AddParticipant(pki.alice.pin, "alice");
  service_.AddParticipant(pki.bob.pin, "bob");
  service_.AddParticipant(pki.carol.pin, "carol");
  service_.AddParticipant(pki.dave.pin, "dave");
  Start(std::move(options), service_);
}

TestServer::TestServer(server::ServerOptions options, server::Service& service) {
  Start(std::move(options), service);
}

void TestServer::Start(server::ServerOptions options, server::Service& service) {
  server::SetNetLogEnabled(std::getenv("PHIEU_TEST_NET_LOG") != nullptr);
  server_ = std::make_unique<server::Server>(io_, std::move(options), service);
  started_ = server_->Start();
  thread_ = std::thread([this] { io_.run(); });
}

TestServer::~TestServer() { Stop(); }

void TestServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  server_->Stop();
  // Sessions end on their own once closed; bounded wait, then stop the loop.
  WaitSessions(0, std::chrono::milliseconds(5000));
  io_.stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

bool TestServer::WaitSessions(size_t n, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (server_->session_count() == n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return server_->session_count() == n;
}

// ------------------------------------------------------------ RawClient

namespace {

asio::ssl::context RawContext(const TestCredentials* creds, const std::string& ca_file, int max_version,
                              const std::string& groups) {
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  SSL_CTX* h = ctx.native_handle();
  SSL_CTX_set_min_proto_version(h, TLS1_VERSION);
  SSL_CTX_set_max_proto_version(h, max_version);
  SSL_CTX_set_security_level(h, 0);
  if (!groups.empty()) SSL_CTX_set1_groups_list(h, groups.c_str());
  boost::system::error_code ec;
  ctx.load_verify_file(ca_file, ec);
  ctx.set_verify_mode(asio::ssl::verify_peer, ec);
  if (creds != nullptr) {
    ctx.use_certificate_chain_file(creds->cert, ec);
    ctx.use_private_key_file(creds->key, asio::ssl::context::pem, ec);
  }
  return ctx;
}

}  // namespace

RawClient::RawClient(uint16_t port, const TestCredentials* creds, const std::string& ca_file, int max_version,
                     const std::string& groups)
    : port_(port), tls_(true), ctx_(RawContext(creds, ca_file, max_version, groups)), stream_(io_, ctx_) {}

RawClient::RawClient(uint16_t port)
    : port_(port), tls_(false), ctx_(asio::ssl::context::tls_client), stream_(io_, ctx_) {}

template <typename Op>
bool RawClient::RunFor(Op op, std::chrono::milliseconds timeout, boost::system::error_code* ec) {
  bool done = false;
  io_.restart();
  op([&](boost::system::error_code e) {
    done = true;
    *ec = e;
  });
  io_.run_for(timeout);
  if (done) return true;
  boost::system::error_code ignored;
  stream_.lowest_layer().cancel(ignored);
  io_.restart();
  io_.run();
  return false;
}

bool RawClient::Connect(std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port_);
  bool in_time = RunFor([&](auto h) { stream_.lowest_layer().async_connect(ep, h); }, timeout, &ec);
  return in_time && !ec;
}

bool RawClient::Handshake(std::chrono::milliseconds timeout, std::string* error) {
  boost::system::error_code ec;
  bool in_time =
      RunFor([&](auto h) { stream_.async_handshake(asio::ssl::stream_base::client, h); }, timeout, &ec);
  if (!in_time) {
    *error = "timeout";
    return false;
  }
  if (ec) *error = ec.message();
  return !ec;
}

bool RawClient::Write(const std::string& bytes, std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  bool in_time = RunFor(
      [&](auto h) {
        auto done = [h](boost::system::error_code e, size_t) { h(e); };
        if (tls_) {
          asio::async_write(stream_, asio::buffer(bytes), done);
        } else {
          asio::async_write(stream_.next_layer(), asio::buffer(bytes), done);
        }
      },
      timeout, &ec);
  return in_time && !ec;
}

bool RawClient::SendEnvelope(const v1::Envelope& envelope, std::chrono::milliseconds timeout) {
  return Write(server::EncodeFrame(envelope), timeout);
}

RawClient::Outcome RawClient::ReadFrame(v1::Envelope* out, std::chrono::milliseconds timeout) {
  std::array<unsigned char, 4> header{};
  std::string body;
  boost::system::error_code ec;
  bool in_time = RunFor(
      [&](auto h) {
        auto on_header = [&, h](boost::system::error_code e, size_t) {
          if (e) return h(e);
          body.resize(server::DecodeFrameLength(header));
          asio::async_read(stream_, asio::buffer(body), [h](boost::system::error_code e2, size_t) { h(e2); });
        };
        if (tls_) {
          asio::async_read(stream_, asio::buffer(header), on_header);
        } else {
          asio::async_read(stream_.next_layer(), asio::buffer(header), [h](boost::system::error_code e, size_t) {
            h(e ? e : asio::error::operation_not_supported);
          });
        }
      },
      timeout, &ec);
  if (!in_time) return Outcome::kTimeout;
  if (ec) return Outcome::kClosed;
  auto env = server::DecodeFrameBody(body);
  if (!env.ok()) return Outcome::kClosed;
  *out = std::move(env).value();
  return Outcome::kFrame;
}

bool RawClient::WaitClosed(std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    if (!tls_) {
      std::array<char, 256> buf;
      boost::system::error_code ec;
      bool in_time = RunFor(
          [&](auto h) {
            stream_.next_layer().async_read_some(asio::buffer(buf),
                                                 [h](boost::system::error_code e, size_t) { h(e); });
          },
          left, &ec);
      if (!in_time) return false;
      if (ec) return true;
      continue;
    }
    v1::Envelope ignored;
    switch (ReadFrame(&ignored, left)) {
      case Outcome::kClosed:
        return true;
      case Outcome::kTimeout:
        return false;
      case Outcome::kFrame:
        break;
    }
  }
}

}  // namespace phieu::testing

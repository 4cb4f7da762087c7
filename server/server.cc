#include "server/server.h"

#include <algorithm>
#include <csignal>

#include "server/event_hub.h"
#include "server/listener.h"
#include "server/net_log.h"
#include "server/session.h"
#include "server/tls_context.h"

namespace phieu::server {

namespace asio = boost::asio;

namespace {

std::chrono::steady_clock::duration Pick(std::chrono::milliseconds test, std::chrono::seconds normal) {
  return test.count() > 0 ? std::chrono::steady_clock::duration(test)
                          : std::chrono::steady_clock::duration(normal);
}

}  // namespace

Server::Server(asio::io_context& io, ServerOptions options, Service& service)
    : io_(io),
      options_(std::move(options)),
      service_(service),
      hub_(std::make_shared<EventHub>()),
      pool_(static_cast<size_t>(std::max(1, options_.worker_threads))) {
  service_.SetEventSink(hub_.get());
}

Server::~Server() {
  Stop();
  pool_.join();
}

EventSink& Server::event_sink() { return *hub_; }

void Server::SetChainLength(uint64_t length) { hub_->SetChainLength(length); }

size_t Server::session_count() const { return hub_->size(); }
size_t Server::authenticated_count() const { return hub_->authenticated_count(); }

uint16_t Server::port() const { return listener_ ? listener_->port() : 0; }

Status Server::Start() {
  if (started_) return FailedPrecondition("Server::Start: already started");
  // OpenSSL writes to the sockets with write(2) (server/tls_stream.h): a peer
  // that has gone must give EPIPE, not a SIGPIPE that ends the process.
  std::signal(SIGPIPE, SIG_IGN);
  ASSIGN_OR_RETURN(tls_, MakeServerTlsContext(TlsFiles{options_.cert_file, options_.key_file, options_.ca_file}));
  listener_ = std::make_shared<Listener>(io_, [this](asio::ip::tcp::socket s) { OnAccept(std::move(s)); });
  RETURN_IF_ERROR(listener_->Open(options_.listen_host, options_.port));
  started_ = true;
  listener_->Start();
  NetLog("listening on " + options_.listen_host + ":" + std::to_string(listener_->port()) +
         " (TLS 1.3, client certificates required)");
  return Status::Ok();
}

void Server::OnAccept(asio::ip::tcp::socket socket) {
  boost::system::error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  const std::string peer = ec ? "unknown-peer" : ep.address().to_string() + ":" + std::to_string(ep.port());
  if (hub_->stopped()) {
    socket.close(ec);
    return;
  }
  if (hub_->size() >= options_.max_connections) {
    NetLog("connection refused: " + peer + " reason=too many connections (" +
           std::to_string(options_.max_connections) + ")");
    socket.close(ec);
    return;
  }
  const size_t sessions = hub_->size();
  const size_t authenticated = hub_->authenticated_count();
  if (sessions - std::min(sessions, authenticated) >= options_.max_unauthenticated) {
    NetLog("connection refused: " + peer + " reason=too many unauthenticated connections (" +
           std::to_string(options_.max_unauthenticated) + ")");
    socket.close(ec);
    return;
  }
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  SessionSettings settings;
  settings.handshake_timeout = Pick(options_.test_handshake_timeout, options_.handshake_timeout);
  settings.frame_timeout = Pick(options_.test_frame_timeout, options_.frame_timeout);
  settings.heartbeat = Pick(options_.test_heartbeat, options_.heartbeat);
  settings.idle_drop = Pick(options_.test_idle_drop, options_.idle_drop);
  settings.max_frame = options_.max_frame;
  settings.max_queue = options_.max_queued_frames;
  settings.event_gather = options_.event_gather;
  auto session = std::make_shared<Session>(std::move(socket), tls_, settings, service_, pool_, hub_);
  if (!hub_->Add(session)) return;
  session->Start();
}

void Server::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (listener_) listener_->Stop();
  hub_->CloseAll("server stopping");
  service_.SetEventSink(nullptr);
  if (started_) NetLog("stopping: no new connections; closing sessions");
  // Service calls in flight finish; their sessions then end on their strands.
  pool_.join();
}

}  // namespace phieu::server

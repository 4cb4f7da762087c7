// Server: the network front of phieu-server. Listens (loopback by default),
// accepts mutual-TLS 1.3 connections and runs one Session coroutine per
// connection; requests go to a Service on a worker thread pool; the Service
// pushes events and revocations through the server's EventSink (EventHub).
// docs/protocol.md describes what a client sees.
//
// Thread-safety: Start and Stop may be called from any one thread (Stop also
// from a handler running on the io_context, e.g. a signal_set); the
// io_context must be run by one thread (as phieu-server does): the sessions'
// TLS streams wait for socket readiness after seeing the socket empty, and a
// second thread's epoll_wait could take the edge in between
// (server/tls_stream.h). Service calls run on the worker pool.
// Start sets SIGPIPE to be ignored in the whole process: the sessions' TLS
// streams write to their sockets with write(2), and a vanished peer must be
// an EPIPE error, not the end of the process.
// Errors: Start returns the TLS set-up error (certificate, key or CA file) or
// the listen error (address in use, bad address). Connection errors are
// logged, never returned.
#ifndef PHIEU_SERVER_SERVER_H_
#define PHIEU_SERVER_SERVER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/util/status.h"
#include "server/frame.h"
#include "server/service.h"

namespace phieu::server {

class EventHub;
class Listener;

struct ServerOptions {
  using seconds = std::chrono::seconds;
  std::string listen_host = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port (read it back with Server::port())
  std::string cert_file, key_file, ca_file;  // PEM: server chain, server key, meeting CA
  seconds handshake_timeout{10};  // TCP accept -> TLS handshake done
  seconds frame_timeout{30};      // first frame after the handshake; each frame body; each write
  seconds heartbeat{15};          // an Event{heartbeat} this often
  seconds idle_drop{45};          // a client silent this long is dropped
  size_t max_frame = kDefaultMaxFrame;  // request frame cap (bytes after the length)
  int worker_threads = 2;               // the pool that runs Service calls
  size_t max_connections = 1024;        // beyond it new connections are closed at once
  // Connections still in the TLS handshake or the pin check; beyond it new
  // connections are closed at once (a slowloris cannot take every slot:
  // max_connections - max_unauthenticated stay for authenticated clients).
  size_t max_unauthenticated = 512;
  size_t max_queued_frames = 4096;      // per session; a client that does not read is dropped
  // Events wait this long for the ones after them, so that a burst of
  // appended entries costs each client one write, not one per entry
  // (SessionSettings::event_gather). Answers are never held.
  std::chrono::milliseconds event_gather{50};
  // Finer-grained overrides for tests (zero: use the seconds above).
  std::chrono::milliseconds test_handshake_timeout{0}, test_frame_timeout{0}, test_heartbeat{0},
      test_idle_drop{0};
};

class Server {
 public:
  // The service must outlive the server. The server registers itself as the
  // service's EventSink (and unregisters in Stop).
  Server(boost::asio::io_context& io, ServerOptions options, Service& service);
  ~Server();  // Stop(), then waits for running Service calls
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the TLS files, binds, listens and starts accepting.
  Status Start();
  uint16_t port() const;

  // Stops accepting, closes every session (each flushes what is queued, at
  // most ~2 s), and waits for Service calls in flight. Idempotent.
  void Stop();

  // Heartbeats carry the chain length: the lead seeds it at start-up; after
  // that every broadcast Event.appended raises it.
  void SetChainLength(uint64_t length);

  // Sessions alive (handshaking or authenticated), and authenticated ones.
  size_t session_count() const;
  size_t authenticated_count() const;

  EventSink& event_sink();

 private:
  void OnAccept(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  const ServerOptions options_;
  Service& service_;
  std::shared_ptr<EventHub> hub_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<Listener> listener_;
  boost::asio::thread_pool pool_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace phieu::server

#endif  // PHIEU_SERVER_SERVER_H_

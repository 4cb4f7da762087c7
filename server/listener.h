// Listener: binds a TCP endpoint and accepts connections; each accepted socket
// (on its own strand) is handed to a callback. It does nothing else (the beast
// async-ssl listener shape).
//
// Thread-safety: Open/Start/Stop from one thread (or the io_context's); the
// accept loop runs on the listener's own strand.
// Errors: Open returns Unavailable naming the address and the system error
// (address in use, permission denied, bad address). Accept errors are logged;
// the loop goes on after transient ones (e.g. too many open files) after a
// short pause.
#ifndef PHIEU_SERVER_LISTENER_H_
#define PHIEU_SERVER_LISTENER_H_

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/util/status.h"

namespace phieu::server {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using Handoff = std::function<void(boost::asio::ip::tcp::socket)>;

  Listener(boost::asio::io_context& io, Handoff handoff);

  // Binds and listens. port 0 picks a free port (read it back with port()).
  Status Open(const std::string& host, uint16_t port);
  void Start();  // spawns the accept loop
  void Stop();   // closes the acceptor (thread-safe: posted to the strand)
  uint16_t port() const { return port_; }

 private:
  boost::asio::awaitable<void> AcceptLoop();

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Handoff handoff_;
  uint16_t port_ = 0;
};

}  // namespace phieu::server

#endif  // PHIEU_SERVER_LISTENER_H_

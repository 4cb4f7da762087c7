#include "server/listener.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/net_log.h"

namespace phieu::server {

namespace asio = boost::asio;
using asio::ip::tcp;

Listener::Listener(asio::io_context& io, Handoff handoff)
    : io_(io), strand_(asio::make_strand(io)), acceptor_(strand_), handoff_(std::move(handoff)) {}

Status Listener::Open(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return InvalidArgument("listen address " + host + ": " + ec.message());
  const tcp::endpoint endpoint(address, port);
  const std::string where = host + ":" + std::to_string(port);
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return Unavailable("listen " + where + ": open: " + ec.message());
  acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return Unavailable("listen " + where + ": SO_REUSEADDR: " + ec.message());
  acceptor_.bind(endpoint, ec);
  if (ec) return Unavailable("listen " + where + ": bind: " + ec.message());
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable("listen " + where + ": listen: " + ec.message());
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return Unavailable("listen " + where + ": local_endpoint: " + ec.message());
  return Status::Ok();
}

void Listener::Start() {
  asio::co_spawn(strand_, [self = shared_from_this()] { return self->AcceptLoop(); }, asio::detached);
}

void Listener::Stop() {
  asio::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
  });
}

asio::awaitable<void> Listener::AcceptLoop() {
  const auto no_throw = asio::as_tuple(asio::use_awaitable);
  while (acceptor_.is_open()) {
    // Each connection gets its own strand.
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), no_throw);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
    if (ec) {
      NetLog("accept failed: " + ec.message());
      asio::steady_timer pause(strand_, std::chrono::milliseconds(100));
      co_await pause.async_wait(no_throw);
      continue;
    }
    handoff_(std::move(socket));
  }
}

}  // namespace phieu::server

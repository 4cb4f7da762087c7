#include "client/connection.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include "server/frame.h"
#include "server/tls_context.h"

namespace phieu::client {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto kNoThrow = asio::as_tuple(use_awaitable);

namespace {

std::string Describe(const boost::system::error_code& ec) {
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return "closed by the server";
  return ec.message();
}

}  // namespace

Connection::Connection(const ConnectOptions& options, std::shared_ptr<asio::ssl::context> tls)
    : options_(options),
      work_(asio::make_work_guard(io_)),
      tls_(std::move(tls)),
      stream_(io_, *tls_),
      write_timer_(io_),
      silence_timer_(io_) {
  SSL_set_mode(stream_.native_handle(), SSL_MODE_RELEASE_BUFFERS);
}

Connection::~Connection() { Close(); }

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectOptions& options) {
  ASSIGN_OR_RETURN(auto tls, server::MakeClientTlsContext(
                                 server::TlsFiles{options.cert_file, options.key_file, options.ca_file}));
  std::unique_ptr<Connection> conn(new Connection(options, std::move(tls)));
  Connection* c = conn.get();
  std::future<Status> connected = asio::co_spawn(c->io_, c->Connect(), asio::use_future);
  c->thread_ = std::thread([c] { c->io_.run(); });
  Status st;
  try {
    st = connected.get();  // Connect() bounds itself by options.timeout
  } catch (const std::exception& e) {
    st = Unavailable(std::string("connect: ") + e.what());
  }
  if (!st.ok()) {
    conn->Close();
    return st;
  }
  // One round trip: a server that refuses our certificate says so now.
  v1::Envelope ping;
  ping.mutable_ping();
  auto pong = conn->Call(std::move(ping), options.timeout);
  if (!pong.ok() || !pong->has_pong()) {
    std::string why = pong.ok() ? "unexpected answer to Ping" : pong.status().message();
    if (auto err = conn->server_error()) why = "server refused the connection: " + err->message();
    conn->Close();
    return Unavailable("connect to " + options.host + ":" + std::to_string(options.port) + ": " + why);
  }
  return conn;
}

awaitable<Status> Connection::Connect() {
  asio::steady_timer deadline(io_, options_.timeout);
  auto which = co_await (ConnectSteps() || deadline.async_wait(kNoThrow));
  Status st = which.index() == 0 ? std::get<0>(which)
                                 : Unavailable("connect to " + options_.host + ":" + std::to_string(options_.port) +
                                               ": no TLS session within " + std::to_string(options_.timeout.count()) +
                                               " s");
  if (!st.ok()) {
    boost::system::error_code ec;
    stream_.lowest_layer().close(ec);
    co_return st;
  }
  connected_.store(true);
  last_rx_ = Clock::now();
  asio::co_spawn(io_, ReadLoop(), asio::detached);
  asio::co_spawn(io_, WriteLoop(), asio::detached);
  asio::co_spawn(io_, SilenceWatch(), asio::detached);
  co_return Status::Ok();
}

awaitable<Status> Connection::ConnectSteps() {
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  tcp::resolver resolver(io_);
  auto [rec, endpoints] = co_await resolver.async_resolve(options_.host, std::to_string(options_.port), kNoThrow);
  if (rec) co_return Unavailable("resolve " + options_.host + ": " + rec.message());
  auto [cec, ep] = co_await asio::async_connect(stream_.lowest_layer(), endpoints, kNoThrow);
  if (cec) co_return Unavailable("connect to " + where + ": " + cec.message());
  boost::system::error_code ec;
  stream_.lowest_layer().set_option(tcp::no_delay(true), ec);
  asio::ip::make_address(options_.host, ec);
  if (ec) {
    // A name, not an address: send it as SNI.
    SSL_set_tlsext_host_name(stream_.native_handle(), options_.host.c_str());
  }
  stream_.set_verify_callback(asio::ssl::host_name_verification(options_.host));
  auto [hec] = co_await stream_.async_handshake(asio::ssl::stream_base::client, kNoThrow);
  if (hec) {
    co_return Unavailable("TLS handshake with " + where + " (server certificate must chain to the meeting CA and name " +
                          options_.host + "): " + hec.message());
  }
  co_return Status::Ok();
}

awaitable<void> Connection::ReadLoop() {
  std::array<unsigned char, server::kFrameHeaderSize> header{};
  try {
    for (;;) {
      auto [hec, hn] = co_await asio::async_read(stream_, asio::buffer(header), kNoThrow);
      if (hec) {
        Shutdown(Describe(hec));
        co_return;
      }
      const uint32_t length = server::DecodeFrameLength(header);
      if (Status st = server::CheckFrameLength(length, server::kMaxServerFrame); !st.ok()) {
        Shutdown("bad frame from the server: " + st.message());
        co_return;
      }
      std::string body(length, '\0');
      auto [bec, bn] = co_await asio::async_read(stream_, asio::buffer(body), kNoThrow);
      if (bec) {
        Shutdown(Describe(bec));
        co_return;
      }
      last_rx_ = Clock::now();
      auto envelope = server::DecodeFrameBody(body);
      if (!envelope.ok()) {
        Shutdown("bad frame from the server: " + envelope.status().message());
        co_return;
      }
      Deliver(std::move(envelope).value());
    }
  } catch (const std::exception& e) {
    Shutdown(std::string("read loop: ") + e.what());
  }
}

void Connection::Deliver(v1::Envelope envelope) {
  if (envelope.request_id() != 0) {
    std::shared_ptr<Pending> waiter;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = pending_.find(envelope.request_id());
      if (it == pending_.end()) return;  // a heartbeat's Pong, or a call that timed out
      waiter = std::move(it->second);
      pending_.erase(it);
    }
    waiter->set_value(std::move(envelope));
    return;
  }
  if (envelope.has_error()) {
    // Not an answer: the server says why it is about to close.
    std::lock_guard<std::mutex> lock(mu_);
    server_error_ = envelope.error();
    return;
  }
  if (!envelope.has_event()) return;
  if (envelope.event().has_heartbeat()) {
    v1::Envelope ping;
    ping.set_request_id(next_id_.fetch_add(1));
    ping.mutable_ping();
    Enqueue(server::EncodeFrame(ping));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(*envelope.mutable_event()));
  }
  events_cv_.notify_all();
}

// Only this loop removes frames from write_queue_ (Enqueue appends, which
// keeps the front frame, being written, in place). A write whose completion
// was already queued when the read loop shut the connection down still
// resumes here with success, so the queue must still hold its frame.
awaitable<void> Connection::WriteLoop() {
  try {
    for (;;) {
      while (!write_queue_.empty() && !closing_) {
        auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(write_queue_.front()), kNoThrow);
        if (ec) {
          Shutdown("write: " + Describe(ec));
          break;
        }
        write_queue_.pop_front();
      }
      if (closing_) break;
      write_timer_.expires_at(Clock::time_point::max());
      co_await write_timer_.async_wait(kNoThrow);
    }
  } catch (const std::exception& e) {
    Shutdown(std::string("write loop: ") + e.what());
  }
  write_queue_.clear();  // nothing in flight any more
}

awaitable<void> Connection::SilenceWatch() {
  try {
    while (!closing_) {
      const auto limit = last_rx_ + options_.silence_limit;
      if (Clock::now() >= limit) {
        Shutdown("the server sent nothing for " + std::to_string(options_.silence_limit.count()) + " s");
        co_return;
      }
      silence_timer_.expires_at(limit);
      co_await silence_timer_.async_wait(kNoThrow);
    }
  } catch (const std::exception&) {
  }
}

void Connection::Enqueue(std::string frame) {
  if (closing_) return;
  write_queue_.push_back(std::move(frame));
  write_timer_.cancel();
}

void Connection::Shutdown(std::string reason) {
  if (closing_) return;
  closing_ = true;
  boost::system::error_code ec;
  stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ec);
  stream_.lowest_layer().close(ec);
  write_timer_.cancel();
  silence_timer_.cancel();
  // write_queue_ stays: its front may be the buffer of a write in flight;
  // WriteLoop drops it when it ends.
  std::unordered_map<uint64_t, std::shared_ptr<Pending>> failed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    connected_.store(false);
    close_reason_ = reason;
    failed.swap(pending_);
  }
  for (auto& [id, waiter] : failed) waiter->set_value(Unavailable("connection closed: " + reason));
  events_cv_.notify_all();
}

Result<v1::Envelope> Connection::Call(v1::Envelope request, std::chrono::milliseconds timeout) {
  const uint64_t id = next_id_.fetch_add(1);
  request.set_request_id(id);
  std::string frame = server::EncodeFrame(request);
  if (frame.size() - server::kFrameHeaderSize > server::kDefaultMaxFrame) {
    return InvalidArgument("request of " + std::to_string(frame.size()) + " bytes exceeds the frame cap of " +
                           std::to_string(server::kDefaultMaxFrame));
  }
  auto waiter = std::make_shared<Pending>();
  auto answer = waiter->get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!connected_.load()) return Unavailable("connection closed: " + close_reason_);
    pending_[id] = waiter;
  }
  asio::post(io_, [this, frame = std::move(frame)]() mutable { Enqueue(std::move(frame)); });
  if (answer.wait_for(timeout) != std::future_status::ready) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.erase(id);
    return Unavailable("no response within " + std::to_string(timeout.count()) + " ms");
  }
  return answer.get();
}

Result<std::optional<v1::Event>> Connection::NextEvent(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  events_cv_.wait_for(lock, timeout, [this] { return !events_.empty() || !connected_.load(); });
  if (!events_.empty()) {
    v1::Event event = std::move(events_.front());
    events_.pop_front();
    return std::optional<v1::Event>(std::move(event));
  }
  if (!connected_.load()) return Unavailable("connection closed: " + close_reason_);
  return std::optional<v1::Event>();
}

std::string Connection::close_reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return close_reason_;
}

std::optional<v1::Error> Connection::server_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return server_error_;
}

void Connection::Close() {
  std::call_once(close_once_, [this] {
    asio::post(io_, [this] { Shutdown("closed by the client"); });
    work_.reset();
    if (thread_.joinable()) thread_.join();
  });
}

}  // namespace phieu::client

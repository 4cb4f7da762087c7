// Connection: the client side of the Phiếu wire protocol, with a blocking API
// for the CLI and its own I/O thread inside.
//
// TLS 1.3 only, the same settings as the server (server/tls_context.h): the
// server certificate must chain to the meeting CA and match the host name or
// IP address in its SAN; the client presents its own certificate. Open ends
// with a Ping round trip, so a server that refuses the certificate (not
// pinned, revoked, other CA) makes Open fail rather than the first Call.
//
// Events: NextEvent returns pushed events in the order the server sent them.
// Heartbeats are NOT returned: the connection answers each one with a Ping
// (so that the server does not drop an idle delegate) and filters it out.
// Event{revoked} is returned, and the connection closes after it.
//
// Thread-safety: all methods are thread-safe; Call may be used from several
// threads at once (each waits for its own response).
// Errors:
//   Open: Unavailable (resolve, connect, handshake, certificate refused, or no
//         answer within options.timeout), Internal/InvalidArgument for bad TLS files.
//   Call: Unavailable when the connection is or becomes closed (pending calls
//         are failed at once), or no response within the timeout;
//         InvalidArgument when the request exceeds the server's frame cap.
//         A response carrying an Error body is returned as an envelope, not
//         as a Status: the caller reads its ErrorCode.
//   NextEvent: Unavailable once the connection is closed and no event is left.
#ifndef PHIEU_CLIENT_CONNECTION_H_
#define PHIEU_CLIENT_CONNECTION_H_

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/util/status.h"
#include "phieu/v1/wire.pb.h"

namespace phieu::client {

struct ConnectOptions {
  std::string host;   // name or IP address; checked against the server certificate's SAN
  uint16_t port = 0;
  std::string ca_file, cert_file, key_file;  // PEM: meeting CA, own certificate, own key
  std::chrono::seconds timeout{10};           // connect + handshake + first round trip
  // A server that sends nothing (not even a heartbeat) this long is taken as gone.
  std::chrono::seconds silence_limit{60};
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const ConnectOptions& options);
  ~Connection();  // Close()
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sets request_id, sends, and waits for the response with the same id.
  Result<v1::Envelope> Call(v1::Envelope request, std::chrono::milliseconds timeout);

  // The next pushed event (heartbeats filtered), nullopt on timeout.
  Result<std::optional<v1::Event>> NextEvent(std::chrono::milliseconds timeout);

  bool connected() const { return connected_.load(); }
  // Why the connection closed ("" while connected).
  std::string close_reason() const;
  // The last Error the server sent outside a response (request_id 0) before closing, if any.
  std::optional<v1::Error> server_error() const;

  // Closes the connection and joins the I/O thread. Idempotent.
  void Close();

 private:
  using Clock = std::chrono::steady_clock;
  using Pending = std::promise<Result<v1::Envelope>>;

  explicit Connection(const ConnectOptions& options, std::shared_ptr<boost::asio::ssl::context> tls);

  boost::asio::awaitable<Status> Connect();
  boost::asio::awaitable<Status> ConnectSteps();
  boost::asio::awaitable<void> ReadLoop();
  boost::asio::awaitable<void> WriteLoop();
  boost::asio::awaitable<void> SilenceWatch();

  // I/O thread only.
  void Enqueue(std::string frame);
  void Shutdown(std::string reason);
  void Deliver(v1::Envelope envelope);

  const ConnectOptions options_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  boost::asio::steady_timer write_timer_;
  boost::asio::steady_timer silence_timer_;
  std::deque<std::string> write_queue_;  // I/O thread only; only WriteLoop pops
  bool closing_ = false;                 // I/O thread only
  Clock::time_point last_rx_;            // I/O thread only
  std::thread thread_;

  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> next_id_{1};

  mutable std::mutex mu_;
  std::condition_variable events_cv_;
  std::unordered_map<uint64_t, std::shared_ptr<Pending>> pending_;
  std::deque<v1::Event> events_;
  std::string close_reason_;
  std::optional<v1::Error> server_error_;
  std::once_flag close_once_;
};

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_CONNECTION_H_

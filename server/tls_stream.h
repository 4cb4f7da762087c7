// TlsStream: the server's TLS connection, OpenSSL run directly on the
// non-blocking socket (SSL_set_fd) with asio only for readiness
// (basic_socket::async_wait). It replaces boost::asio::ssl::stream on the
// server for memory: asio's stream keeps two 17 KiB buffers (stream_core) and
// a BIO pair of two 17 KiB rings per connection whether or not data moves;
// here an idle connection holds the SSL object and nothing else, its record
// buffers released (SSL_MODE_RELEASE_BUFFERS). Same SSL_CTX, so the same TLS
// 1.3 settings and client-certificate verification (server/tls_context.h).
//
// Every OpenSSL call of the server's connections is in tls_stream.cc.
//
// Thread-safety: none; every call runs on the socket's executor (the
// session's strand). One Handshake, then at most one Read and one Write in
// flight at a time (the session's read and write loops); they may interleave.
// Closing the socket (Close, or the session's watchdog) ends a pending wait
// with operation_aborted; after that no call touches the file descriptor.
// Readiness waits rely on the io_context being run by one thread (as
// phieu-server does): a wait is queued only after OpenSSL saw the socket
// empty (EAGAIN), and no other thread may take the edge-triggered readiness
// in between.
// Errors: boost::system::error_code: asio::error::eof for a clean close by the
// peer, asio::ssl::error::stream_truncated for a close without close_notify,
// the OpenSSL error (asio's ssl category) for a TLS failure, the socket's
// error otherwise.
#ifndef PHIEU_SERVER_TLS_STREAM_H_
#define PHIEU_SERVER_TLS_STREAM_H_

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <tuple>

typedef struct ssl_st SSL;

namespace phieu::server {

class TlsStream {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  using executor_type = Socket::executor_type;
  using IoResult = std::tuple<boost::system::error_code, size_t>;

  // Takes the accepted socket; the server side of the handshake.
  TlsStream(Socket socket, std::shared_ptr<boost::asio::ssl::context> tls);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  Socket& socket() { return socket_; }
  // For the peer certificate (GetPeerCertificate) after the handshake.
  SSL* native_handle() { return ssl_; }

  // The TLS handshake (server side). The SSL object could not be made: an error too.
  boost::asio::awaitable<boost::system::error_code> Handshake();
  // Reads exactly buffer.size() bytes of application data.
  boost::asio::awaitable<IoResult> Read(boost::asio::mutable_buffer buffer);
  // Writes all of buffer.
  boost::asio::awaitable<IoResult> Write(boost::asio::const_buffer buffer);

  // Shuts the TCP connection down and closes the socket (no close_notify:
  // the session ends the connection only when it gives up on the peer).
  void Close();

 private:
  enum class Next { kDone, kWaitRead, kWaitWrite, kFailed };
  // Classifies the result `ret` of an SSL call; sets *ec when it failed.
  Next Classify(int ret, boost::system::error_code* ec);
  boost::asio::awaitable<boost::system::error_code> Wait(Next next);
  // Runs op(bytes done so far, &bytes moved) (SSL_read_ex or SSL_write_ex)
  // until `size` bytes have moved, waiting for the socket as OpenSSL asks.
  boost::asio::awaitable<IoResult> Transfer(size_t size, const std::function<int(size_t, size_t*)>& op);

  Socket socket_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // outlives ssl_
  SSL* ssl_ = nullptr;
};

}  // namespace phieu::server

#endif  // PHIEU_SERVER_TLS_STREAM_H_

#include "server/tls_stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <functional>

namespace phieu::server {

namespace asio = boost::asio;
using asio::awaitable;
using boost::system::error_code;

TlsStream::TlsStream(Socket socket, std::shared_ptr<asio::ssl::context> tls)
    : socket_(std::move(socket)), tls_(std::move(tls)) {
  error_code ec;
  socket_.native_non_blocking(true, ec);  // OpenSSL reads and writes the descriptor itself
  if (ec) return;                         // ssl_ stays null: Handshake reports it
  ssl_ = SSL_new(tls_->native_handle());
  if (ssl_ == nullptr) return;
  // Partial writes: SSL_write returns after each record, so Write can resume
  // where a full socket stopped it. Released buffers: an idle connection holds
  // no 16 KiB read or write record buffer.
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                         SSL_MODE_RELEASE_BUFFERS);
  // The socket BIO does not close the descriptor (BIO_NOCLOSE); the socket does.
  if (SSL_set_fd(ssl_, static_cast<int>(socket_.native_handle())) != 1) {
    SSL_free(ssl_);
    ssl_ = nullptr;
    return;
  }
  SSL_set_accept_state(ssl_);
}

TlsStream::~TlsStream() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

void TlsStream::Close() {
  error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
}

TlsStream::Next TlsStream::Classify(int ret, error_code* ec) {
  if (ret > 0) return Next::kDone;
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      return Next::kWaitRead;
    case SSL_ERROR_WANT_WRITE:
      return Next::kWaitWrite;
    case SSL_ERROR_ZERO_RETURN:
      *ec = asio::error::eof;  // close_notify
      return Next::kFailed;
    case SSL_ERROR_SYSCALL: {
      const unsigned long err = ERR_get_error();
      if (err != 0) {
        *ec = error_code(static_cast<int>(err), asio::error::get_ssl_category());
      } else if (saved_errno != 0) {
        *ec = error_code(saved_errno, boost::system::system_category());
      } else {
        *ec = asio::ssl::error::stream_truncated;  // EOF without close_notify
      }
      return Next::kFailed;
    }
    default: {
      const unsigned long err = ERR_get_error();
      if (ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        *ec = asio::ssl::error::stream_truncated;
      } else if (err != 0) {
        *ec = error_code(static_cast<int>(err), asio::error::get_ssl_category());
      } else {
        *ec = asio::error::fault;
      }
      ERR_clear_error();
      return Next::kFailed;
    }
  }
}

awaitable<error_code> TlsStream::Wait(Next next) {
  const auto type = next == Next::kWaitRead ? Socket::wait_read : Socket::wait_write;
  auto [ec] = co_await socket_.async_wait(type, asio::as_tuple(asio::use_awaitable));
  co_return ec;
}

awaitable<error_code> TlsStream::Handshake() {
  if (ssl_ == nullptr) co_return asio::error::no_memory;
  for (;;) {
    if (!socket_.is_open()) co_return asio::error::operation_aborted;
    ERR_clear_error();
    errno = 0;
    error_code ec;
    const Next next = Classify(SSL_do_handshake(ssl_), &ec);
    if (next == Next::kDone) co_return error_code();
    if (next == Next::kFailed) co_return ec;
    if (ec = co_await Wait(next); ec) co_return ec;
  }
}

awaitable<TlsStream::IoResult> TlsStream::Transfer(size_t size, const std::function<int(size_t, size_t*)>& op) {
  size_t done = 0;
  while (done < size) {
    if (!socket_.is_open()) co_return IoResult{asio::error::operation_aborted, done};
    ERR_clear_error();
    errno = 0;
    size_t n = 0;
    error_code ec;
    const Next next = Classify(op(done, &n), &ec);
    if (next == Next::kDone) {
      done += n;
      continue;
    }
    if (next == Next::kFailed) co_return IoResult{ec, done};
    if (ec = co_await Wait(next); ec) co_return IoResult{ec, done};
  }
  co_return IoResult{error_code(), done};
}

awaitable<TlsStream::IoResult> TlsStream::Read(asio::mutable_buffer buffer) {
  auto* data = static_cast<unsigned char*>(buffer.data());
  const size_t size = buffer.size();
  co_return co_await Transfer(size, [this, data, size](size_t done, size_t* n) {
    return SSL_read_ex(ssl_, data + done, size - done, n);
  });
}

awaitable<TlsStream::IoResult> TlsStream::Write(asio::const_buffer buffer) {
  const auto* data = static_cast<const unsigned char*>(buffer.data());
  const size_t size = buffer.size();
  co_return co_await Transfer(size, [this, data, size](size_t done, size_t* n) {
    return SSL_write_ex(ssl_, data + done, size - done, n);
  });
}

}  // namespace phieu::server

#include "server/session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <exception>

#include "server/event_hub.h"
#include "server/net_log.h"
#include "server/tls_context.h"

namespace phieu::server {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using namespace asio::experimental::awaitable_operators;
constexpr auto kNoThrow = asio::as_tuple(use_awaitable);
// Up to this many bytes of queued frames are joined into one write.
constexpr size_t kCoalesceBytes = 64 * 1024;

namespace {

std::string Describe(const boost::system::error_code& ec) {
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return "closed by peer";
  return ec.message();
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs f() on the worker pool and resumes the calling coroutine on its own
// strand with the result. Not cancellable on purpose: f() touches the
// coroutine's frame, so the coroutine waits for it even when the session is
// closing (asio's co_spawn onto another executor would rethrow a cancellation
// on the pool thread). A work guard keeps the io_context alive meanwhile.
template <typename F>
awaitable<decltype(std::declval<F&>()())> OnPool(asio::thread_pool& pool, F f) {
  using R = decltype(f());
  std::optional<R> result;
  std::exception_ptr failure;
  co_await asio::async_initiate<decltype(use_awaitable), void()>(
      [&pool, &f, &result, &failure](auto handler) {
        auto ex = asio::get_associated_executor(handler);
        asio::post(pool, [&f, &result, &failure, handler = std::move(handler),
                          work = asio::make_work_guard(ex)]() mutable {
          try {
            result.emplace(f());
          } catch (...) {
            failure = std::current_exception();  // rethrown on the strand, caught by the loop
          }
          auto resume_on = work.get_executor();
          asio::post(resume_on, std::move(handler));
        });
      },
      use_awaitable);
  if (failure) std::rethrow_exception(failure);
  co_return std::move(*result);
}

}  // namespace

Session::Session(asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> tls,
                 const SessionSettings& settings, Service& service, asio::thread_pool& pool,
                 std::shared_ptr<EventHub> hub)
    : tls_(std::move(tls)),
      stream_(std::move(socket), *tls_),
      settings_(settings),
      service_(service),
      pool_(pool),
      hub_(std::move(hub)),
      write_timer_(stream_.get_executor()),
      watchdog_timer_(stream_.get_executor()) {
  boost::system::error_code ec;
  auto ep = stream_.lowest_layer().remote_endpoint(ec);
  peer_ = ec ? "unknown-peer" : ep.address().to_string() + ":" + std::to_string(ep.port());
  SSL_set_mode(stream_.native_handle(), SSL_MODE_RELEASE_BUFFERS);
}

Session::~Session() = default;

void Session::Start() {
  asio::co_spawn(stream_.get_executor(), [self = shared_from_this()] { return self->Run(); }, asio::detached);
}

std::string Session::Who() const {
  return peer_ + (identity_ ? " participant=" + identity_->participant_id : std::string());
}

void Session::SetReason(std::string reason) {
  if (reason_.empty()) reason_ = std::move(reason);
}

void Session::SetReadDeadline(Clock::time_point when, const char* what) {
  read_deadline_ = when;
  read_deadline_what_ = what;
  watchdog_timer_.cancel();
}

void Session::SetWriteDeadline(Clock::time_point when) {
  write_deadline_ = when;
  watchdog_timer_.cancel();
}

void Session::Push(Frame frame) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), frame = std::move(frame)]() mutable {
    if (!self->in_loop_ || self->draining_) return;
    if (self->queue_.size() >= self->settings_.max_queue) {
      self->SetReason("write queue full (" + std::to_string(self->settings_.max_queue) +
                      " frames): client not reading");
      self->draining_ = true;
      self->queue_.clear();
      self->SetWriteDeadline(Clock::now());  // no flush: drop now
      self->write_timer_.cancel();
      return;
    }
    self->Enqueue(std::move(frame));
  });
}

void Session::Close(std::string reason, Frame last) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), reason = std::move(reason),
                                      last = std::move(last)]() mutable {
    self->SetReason(std::move(reason));
    if (!self->in_loop_) {
      // Handshake or authentication in progress: end now.
      self->SetReadDeadline(Clock::now(), "closed");
      return;
    }
    if (self->draining_) return;
    if (last) self->queue_.push_back(std::move(last));
    self->draining_ = true;
    // Bounded flush: a client that does not read does not delay the close.
    self->SetWriteDeadline(Clock::now() + std::min<Clock::duration>(self->settings_.frame_timeout,
                                                                      std::chrono::seconds(2)));
    self->write_timer_.cancel();
  });
}

void Session::Enqueue(Frame frame) {
  queue_.push_back(std::move(frame));
  write_timer_.cancel();
}

void Session::CloseSocket() {
  boost::system::error_code ec;
  auto& sock = stream_.lowest_layer();
  sock.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  sock.close(ec);
}

awaitable<void> Session::Run() {
  auto self = shared_from_this();
  try {
    co_await (Main() || Watchdog());
  } catch (const std::exception& e) {
    SetReason(std::string("internal: ") + e.what());
  }
  CloseSocket();
  write_timer_.cancel();
  watchdog_timer_.cancel();
  hub_->Remove(this);
  if (identity_) {
    NetLog("connection closed: " + Who() + " reason=" + (reason_.empty() ? "ended" : reason_));
  } else {
    NetLog("connection refused: " + Who() + " reason=" + (reason_.empty() ? "ended" : reason_));
  }
}

awaitable<void> Session::Watchdog() {
  try {
    for (;;) {
      const auto now = Clock::now();
      if (read_deadline_ <= now) {
        SetReason(read_deadline_what_);
        CloseSocket();  // at once, even if a Service call is still running
        co_return;
      }
      if (write_deadline_ <= now) {
        SetReason("write deadline: client not reading");
        CloseSocket();
        co_return;
      }
      watchdog_timer_.expires_at(std::min(read_deadline_, write_deadline_));
      co_await watchdog_timer_.async_wait(kNoThrow);
      if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) {
        co_return;
      }
    }
  } catch (const std::exception&) {
    // Cancelled because the session ended first.
  }
}

awaitable<void> Session::WriteDirect(const std::string& frame) {
  SetWriteDeadline(Clock::now() + settings_.frame_timeout);
  co_await asio::async_write(stream_, asio::buffer(frame), kNoThrow);
  SetWriteDeadline(Clock::time_point::max());
}

awaitable<void> Session::Main() {
  try {
    SetReadDeadline(Clock::now() + settings_.handshake_timeout, "TLS handshake deadline");
    auto [hs_ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, kNoThrow);
    if (hs_ec) {
      SetReason("TLS handshake failed: " + hs_ec.message());
      co_return;
    }
    SetReadDeadline(Clock::time_point::max(), "");
    auto peer = GetPeerCertificate(stream_.native_handle());
    if (!peer.ok()) {
      SetReason(peer.status().message());
      co_return;
    }
    if (hub_->stopped()) {
      SetReason("server stopping");
      co_return;
    }
    const std::string pin = peer->pin;
    const std::string der = peer->der;
    Result<Identity> who = co_await OnPool(pool_, [&] { return service_.Authenticate(pin, der); });
    if (!reason_.empty()) co_return;  // closed meanwhile
    if (!who.ok()) {
      SetReason("pin " + pin.substr(0, 16) + " refused: " + who.status().ToString());
      co_await WriteDirect(EncodeFrame(MakeErrorEnvelope(0, v1::ERROR_PERMISSION_DENIED,
                                                         "certificate refused: " + who.status().message())));
      co_return;
    }
    identity_ = std::move(who).value();
    identity_->pin = pin;
    hub_->MarkAuthenticated(this, pin);
    in_loop_ = true;
    NetLog("connection opened: " + Who());
    co_await (ReadLoop() || WriteLoop());
  } catch (const std::exception& e) {
    SetReason(std::string("internal: ") + e.what());
  }
}

awaitable<void> Session::FailAndDrain(v1::ErrorCode code, std::string message) {
  SetReason(message);
  SetReadDeadline(Clock::time_point::max(), "");
  if (!draining_) {
    Enqueue(std::make_shared<const std::string>(EncodeFrame(MakeErrorEnvelope(0, code, message))));
    draining_ = true;
    SetWriteDeadline(Clock::now() + settings_.frame_timeout);
  }
  // Wait until the writer has flushed and ended (which cancels this wait).
  asio::steady_timer forever(stream_.get_executor(), Clock::time_point::max());
  co_await forever.async_wait(kNoThrow);
}

awaitable<void> Session::ReadLoop() {
  try {
    bool first = true;
    for (;;) {
      if (first) {
        SetReadDeadline(Clock::now() + settings_.frame_timeout, "first frame deadline");
      } else {
        SetReadDeadline(Clock::now() + settings_.idle_drop, "idle: nothing received within the idle limit");
      }
      auto [hec, hn] = co_await asio::async_read(stream_, asio::buffer(header_), kNoThrow);
      if (hec) {
        SetReason(Describe(hec));
        co_return;
      }
      const uint32_t length = DecodeFrameLength(header_);
      if (Status st = CheckFrameLength(length, settings_.max_frame); !st.ok()) {
        co_await FailAndDrain(v1::ERROR_BAD_REQUEST, st.message());
        co_return;
      }
      SetReadDeadline(Clock::now() + settings_.frame_timeout, "frame deadline");
      std::string body(length, '\0');
      auto [bec, bn] = co_await asio::async_read(stream_, asio::buffer(body), kNoThrow);
      if (bec) {
        SetReason(Describe(bec));
        co_return;
      }
      Result<v1::Envelope> request = DecodeFrameBody(body);
      std::string().swap(body);  // no big buffer kept while handling or idle
      if (!request.ok()) {
        co_await FailAndDrain(v1::ERROR_BAD_REQUEST, request.status().message());
        co_return;
      }
      first = false;
      SetReadDeadline(Clock::time_point::max(), "");
      if (draining_) continue;  // closing: read (and drop) until the writer is done

      v1::Envelope response;
      if (request->has_ping()) {
        // Answered here: a keep-alive must not wait behind slow requests.
        response.mutable_pong();
      } else {
        if (hub_->stopped()) {
          SetReason("server stopping");
          co_return;
        }
        const Identity& who = *identity_;
        const v1::Envelope& req = *request;
        response = co_await OnPool(pool_, [&] { return service_.Handle(who, req); });
      }
      response.set_request_id(request->request_id());
      if (!draining_) Enqueue(std::make_shared<const std::string>(EncodeFrame(response)));
    }
  } catch (const std::exception& e) {
    SetReason(std::string("read loop: ") + e.what());
  }
}

awaitable<void> Session::WriteLoop() {
  try {
    auto next_heartbeat = Clock::now() + settings_.heartbeat;
    auto queue_heartbeat = [&](Clock::time_point now) {
      v1::Envelope beat;
      auto* hb = beat.mutable_event()->mutable_heartbeat();
      hb->set_chain_length(hub_->chain_length());
      hb->set_server_time_ms(NowMs());
      queue_.push_back(std::make_shared<const std::string>(EncodeFrame(beat)));
      next_heartbeat = now + settings_.heartbeat;
    };
    for (;;) {
      while (!queue_.empty()) {
        // A client kept busy by a long stream of events still gets its
        // heartbeats (and answers them), so it is not taken as idle.
        if (!draining_ && Clock::now() >= next_heartbeat) queue_heartbeat(Clock::now());
        // Frames queued together (a burst of events) go out in one write:
        // one TLS record per 16 KiB and one system call, not one per frame.
        Frame frame = queue_.front();
        size_t frames = 1;
        std::string joined;
        if (queue_.size() > 1 && frame->size() < kCoalesceBytes) {
          joined = *frame;
          while (frames < queue_.size() && joined.size() + queue_[frames]->size() <= kCoalesceBytes) {
            joined += *queue_[frames];
            ++frames;
          }
        }
        const std::string& bytes = frames > 1 ? joined : *frame;
        if (!draining_) SetWriteDeadline(Clock::now() + settings_.frame_timeout);
        auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(bytes), kNoThrow);
        if (!draining_) SetWriteDeadline(Clock::time_point::max());
        if (ec) {
          SetReason("write: " + Describe(ec));
          co_return;
        }
        for (size_t i = 0; i < frames && !queue_.empty(); ++i) queue_.pop_front();
      }
      if (draining_) {
        CloseSocket();  // flushed: close now, even if a Service call is still running
        co_return;
      }
      const auto now = Clock::now();
      if (now >= next_heartbeat) {
        queue_heartbeat(now);
        continue;
      }
      write_timer_.expires_at(next_heartbeat);
      co_await write_timer_.async_wait(kNoThrow);
      if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) {
        co_return;
      }
    }
  } catch (const std::exception& e) {
    SetReason(std::string("write loop: ") + e.what());
  }
}

}  // namespace phieu::server

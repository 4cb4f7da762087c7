// Session: one client connection of phieu-server, run as one coroutine on its
// own strand (the asio cpp20 echo/chat server shape).
//
//   TLS handshake (deadline) -> peer certificate -> pin -> Service::Authenticate
//   -> ReadLoop || WriteLoop, watched by a deadline watchdog.
//
// ReadLoop reads one frame at a time (deadline on the first frame, then an
// idle limit on each header and a deadline on each body), hands the request
// to Service::Handle on the worker pool, answers Ping itself, and queues the
// response. WriteLoop drains the write queue shared by responses and events
// (a steady_timer is its condition variable) and queues an Event{heartbeat}
// whenever the heartbeat interval passes. A frame of length 0 or above the cap,
// or a body that does not parse, is answered with an Error envelope and the
// connection is closed after the queue is flushed.
//
// Memory while idle: a 4-byte header buffer, an empty queue, and OpenSSL
// record buffers released (SSL_MODE_RELEASE_BUFFERS).
//
// Thread-safety: Push and Close are thread-safe (they post to the strand);
// everything else runs on the strand.
// Errors: every ending is logged once, with the peer address, participant id
// (when known) and the reason; the content of messages is never logged.
#ifndef PHIEU_SERVER_SESSION_H_
#define PHIEU_SERVER_SESSION_H_

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "server/frame.h"
#include "server/service.h"

namespace phieu::server {

class EventHub;

struct SessionSettings {
  std::chrono::steady_clock::duration handshake_timeout = std::chrono::seconds(10);
  std::chrono::steady_clock::duration frame_timeout = std::chrono::seconds(30);
  std::chrono::steady_clock::duration heartbeat = std::chrono::seconds(15);
  std::chrono::steady_clock::duration idle_drop = std::chrono::seconds(45);
  size_t max_frame = kDefaultMaxFrame;
  size_t max_queue = 4096;  // frames waiting to be written; beyond it the client is dropped
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
  using Frame = std::shared_ptr<const std::string>;

  // The socket's executor must be a strand: every operation of the session runs on it.
  Session(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls,
          const SessionSettings& settings, Service& service, boost::asio::thread_pool& pool,
          std::shared_ptr<EventHub> hub);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Spawns the session coroutine on its strand.
  void Start();

  // Queues an encoded frame (an event). A full queue closes the session.
  void Push(Frame frame);

  // Closes the session: writes `last` (if any) after what is queued, then
  // closes; before authentication it closes at once.
  void Close(std::string reason, Frame last);

 private:
  using Clock = std::chrono::steady_clock;

  boost::asio::awaitable<void> Run();
  boost::asio::awaitable<void> Main();
  boost::asio::awaitable<void> ReadLoop();
  boost::asio::awaitable<void> WriteLoop();
  boost::asio::awaitable<void> Watchdog();
  // Queues an Error envelope, lets the writer flush it, and returns when the
  // writer has finished (the caller then ends the read loop).
  boost::asio::awaitable<void> FailAndDrain(v1::ErrorCode code, std::string message);
  boost::asio::awaitable<void> WriteDirect(const std::string& frame);

  void Enqueue(Frame frame);
  void SetReadDeadline(Clock::time_point when, const char* what);
  void SetWriteDeadline(Clock::time_point when);
  void SetReason(std::string reason);
  void CloseSocket();
  std::string Who() const;

  // Declared before stream_ so that it is destroyed after the SSL object.
  std::shared_ptr<boost::asio::ssl::context> tls_;
  Stream stream_;
  const SessionSettings settings_;
  Service& service_;
  boost::asio::thread_pool& pool_;
  std::shared_ptr<EventHub> hub_;

  std::string peer_;                // "ip:port", for the log
  std::optional<Identity> identity_;
  std::string reason_;              // why the session ended (first reason wins)

  std::array<unsigned char, kFrameHeaderSize> header_{};
  std::deque<Frame> queue_;
  boost::asio::steady_timer write_timer_;     // the writer's condition variable
  boost::asio::steady_timer watchdog_timer_;
  Clock::time_point read_deadline_ = Clock::time_point::max();
  Clock::time_point write_deadline_ = Clock::time_point::max();
  const char* read_deadline_what_ = "";
  bool in_loop_ = false;     // authenticated, read/write loops running
  bool draining_ = false;    // flush the queue, then end
  bool writer_done_ = false;
};

}  // namespace phieu::server

#endif  // PHIEU_SERVER_SESSION_H_

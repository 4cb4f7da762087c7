// The seam between the network server and the meeting logic.
//
// Service is the request handler: a plain function of (identity, request) to
// response, with no sockets, so tests can call it directly. The server
// (server/server.h) owns the connections and gives the service an EventSink
// through which the service pushes events and closes revoked participants.
//
// Thread-safety: Service must be thread-safe (Handle and Authenticate are
// called concurrently from the server's worker pool). EventSink is
// thread-safe: call it from any thread, including from inside Handle.
// Errors: Authenticate returns a non-OK status to refuse a connection (the
// status message is logged, with the peer address); Handle reports request
// errors inside the response envelope (an Error body).
#ifndef PHIEU_SERVER_SERVICE_H_
#define PHIEU_SERVER_SERVICE_H_

#include <string>

#include "core/util/status.h"
#include "phieu/v1/wire.pb.h"

namespace phieu::server {

struct Identity {
  std::string pin;             // hex SHA-256 of the client certificate's DER
  std::string participant_id;  // from the roster
};

// Implemented by the server; given to the service.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Queues the event for every authenticated session.
  virtual void Broadcast(const v1::Envelope& event) = 0;
  // Closes every session of this pin now (a revoked certificate).
  virtual void Disconnect(const std::string& pin, const std::string& reason) = 0;
};

// The request handler: plain functions, no sockets; thread-safe.
class Service {
 public:
  virtual ~Service() = default;
  // After the handshake: is this certificate pinned on the roster and not revoked?
  virtual Result<Identity> Authenticate(const std::string& pin, const std::string& cert_der) = 0;
  // One request -> one response envelope (request_id echoed by the caller). May block (crypto,
  // storage): the server calls it on a worker thread pool, never on the I/O thread.
  virtual v1::Envelope Handle(const Identity& who, const v1::Envelope& request) = 0;
  virtual void SetEventSink(EventSink* sink) = 0;
};

}  // namespace phieu::server

#endif  // PHIEU_SERVER_SERVICE_H_

// EventHub: the server's registry of live sessions and its EventSink.
//
// Every accepted connection registers here (so Stop() can close it and
// max_connections can be enforced); once authenticated it is indexed by its
// certificate pin. Broadcast serializes an event once and queues it on every
// authenticated session; Disconnect(pin) closes that pin's sessions after
// sending them Event{revoked}.
//
// The hub also remembers the chain length for heartbeats: the highest
// Event.appended.seq + 1 seen in Broadcast (or the value given to
// SetChainLength at start-up).
//
// Thread-safety: all methods are thread-safe (one mutex; the sessions' own
// work is posted to their strands, never done under the lock).
// Errors: none; a session whose queue is full closes itself.
#ifndef PHIEU_SERVER_EVENT_HUB_H_
#define PHIEU_SERVER_EVENT_HUB_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/service.h"

namespace phieu::server {

class Session;

class EventHub : public EventSink {
 public:
  EventHub() = default;
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // EventSink.
  void Broadcast(const v1::Envelope& event) override;
  void Disconnect(const std::string& pin, const std::string& reason) override;

  // Registers a new connection; false (and nothing registered) once stopped.
  bool Add(const std::shared_ptr<Session>& session);
  // Marks the session authenticated under this pin: it now receives events.
  void MarkAuthenticated(const Session* session, const std::string& pin);
  void Remove(const Session* session);

  // Stops accepting registrations and closes every session.
  void CloseAll(const std::string& reason);

  size_t size() const;
  size_t authenticated_count() const;
  bool stopped() const { return stopped_.load(); }

  void SetChainLength(uint64_t length);
  uint64_t chain_length() const { return chain_length_.load(); }

 private:
  struct Entry {
    std::weak_ptr<Session> session;
    std::string pin;  // empty until authenticated
  };

  mutable std::mutex mu_;
  std::unordered_map<const Session*, Entry> sessions_;
  std::atomic<bool> stopped_{false};
  std::atomic<uint64_t> chain_length_{0};
};

}  // namespace phieu::server

#endif  // PHIEU_SERVER_EVENT_HUB_H_

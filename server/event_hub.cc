#include "server/event_hub.h"

#include <vector>

#include "server/frame.h"
#include "server/session.h"

namespace phieu::server {

void EventHub::SetChainLength(uint64_t length) {
  uint64_t cur = chain_length_.load();
  while (length > cur && !chain_length_.compare_exchange_weak(cur, length)) {
  }
}

void EventHub::Broadcast(const v1::Envelope& event) {
  if (event.has_event() && event.event().has_appended()) SetChainLength(event.event().appended().seq() + 1);
  // Serialized once, shared by every session's queue.
  v1::Envelope copy = event;
  copy.set_request_id(0);
  auto frame = std::make_shared<const std::string>(EncodeFrame(copy));
  std::vector<std::shared_ptr<Session>> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    targets.reserve(sessions_.size());
    for (auto& [key, entry] : sessions_) {
      if (entry.pin.empty()) continue;
      if (auto s = entry.session.lock()) targets.push_back(std::move(s));
    }
  }
  for (auto& s : targets) s->Push(frame);
}

void EventHub::Disconnect(const std::string& pin, const std::string& reason) {
  std::vector<std::shared_ptr<Session>> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [key, entry] : sessions_) {
      if (entry.pin != pin) continue;
      if (auto s = entry.session.lock()) targets.push_back(std::move(s));
    }
  }
  v1::Envelope revoked;
  revoked.mutable_event()->mutable_revoked()->set_reason(reason);
  auto frame = std::make_shared<const std::string>(EncodeFrame(revoked));
  for (auto& s : targets) s->Close("revoked: " + reason, frame);
}

bool EventHub::Add(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_.load()) return false;
  sessions_[session.get()] = Entry{session, ""};
  return true;
}

void EventHub::MarkAuthenticated(const Session* session, const std::string& pin) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(session);
  if (it != sessions_.end()) it->second.pin = pin;
}

void EventHub::Remove(const Session* session) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(session);
}

void EventHub::CloseAll(const std::string& reason) {
  std::vector<std::shared_ptr<Session>> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_.store(true);
    for (auto& [key, entry] : sessions_) {
      if (auto s = entry.session.lock()) targets.push_back(std::move(s));
    }
  }
  for (auto& s : targets) s->Close(reason, nullptr);
}

size_t EventHub::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

size_t EventHub::authenticated_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (auto& [key, entry] : sessions_) n += entry.pin.empty() ? 0 : 1;
  return n;
}

}  // namespace phieu::server

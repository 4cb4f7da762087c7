// The real backend of `phieu app`: the participant's MeetingClient (keys,
// encryption and the mTLS connection stay here), turned into JSON views for
// the pages and driven by the pages' actions.
//
// Every call first brings the mirror of the board up to date; a dropped
// connection is reconnected once per call (Unavailable when that fails too,
// and the page says so and retries).
//
// A vote is cast or checked only after its encryption is fixed (Benaloh,
// client/ballot_cast.h): "prepare" encrypts and signs a PreparedBallot, kept
// here under a random id the page holds, and answers its tracking code; then
// "vote" (cast) or "check" (spoil) names that id and decides, once. A
// prepared ballot the page abandons ("discard", a reload that loses the id,
// kPreparedLife without a decision, a newer one for the same run and unit) is
// wiped and never cast. A cast ballot is stored before it is sent and only
// ever resent ("vote" with "resend": true), so a reload or a retry never makes
// a second ballot.
//
// Thread-safety: none; the server calls it from one thread.
#ifndef PHIEU_CLIENT_APP_APP_BACKEND_H_
#define PHIEU_CLIENT_APP_APP_BACKEND_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "client/app/app_service.h"
#include "client/ballot_cast.h"
#include "client/meeting_client.h"

namespace phieu::client::app {

// How long a prepared ballot waits for the delegate's decision.
inline constexpr std::chrono::minutes kPreparedLife{10};

// The prepared ballots waiting for the page's decision, by a random id only
// the page that asked holds. No network: tested on its own.
class PreparedBallots {
 public:
  using Clock = std::chrono::steady_clock;
  explicit PreparedBallots(Clock::duration life = kPreparedLife) : life_(life) {}

  // Keeps `p` under a new random id (returned). A ballot prepared earlier for
  // the same run and unit is wiped: only the latest can be decided.
  std::string Keep(std::unique_ptr<PreparedBallot> p, Clock::time_point now);
  // Removes and returns the ballot `id` names. NotFound when there is none:
  // decided already, replaced, discarded, or older than the life at `now`.
  Result<std::unique_ptr<PreparedBallot>> Take(const std::string& id, Clock::time_point now);
  // Wipes the ballot `id` names, if any.
  void Discard(const std::string& id) { held_.erase(id); }
  // Wipes every ballot older than the life at `now`.
  void DropExpired(Clock::time_point now);
  size_t size() const { return held_.size(); }

 private:
  struct Held {
    std::unique_ptr<PreparedBallot> ballot;
    Clock::time_point made;
  };
  Clock::duration life_;
  std::map<std::string, Held> held_;
};

// Ok when the page confirms the ballot it was shown: same tracking code, run and unit.
Status CheckConfirmed(const PreparedBallot& p, const std::string& tracking_code, const std::string& run_id,
                      const std::string& unit);

class ClientBackend : public AppBackend {
 public:
  explicit ClientBackend(std::string profile_dir);

  Result<boost::json::object> State() override;
  Result<boost::json::object> Act(const std::string& action, const boost::json::object& args) override;
  Result<std::string> MinutesHtml(const std::string& ballot_id, bool english) override;

 private:
  // Connects (or reconnects) and syncs the board mirror.
  Status Fresh();
  Result<boost::json::object> Vote(const boost::json::object& args);
  Result<boost::json::object> Prepare(const boost::json::object& args);
  Result<boost::json::object> Check(const boost::json::object& args);
  Result<boost::json::object> Post(const v1::EntryBody& body);

  std::string profile_dir_;
  std::unique_ptr<MeetingClient> client_;
  PreparedBallots prepared_;
};

}  // namespace phieu::client::app

#endif  // PHIEU_CLIENT_APP_APP_BACKEND_H_

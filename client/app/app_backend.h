// The real backend of `phieu app`: the participant's MeetingClient (keys,
// encryption and the mTLS connection stay here), turned into JSON views for
// the pages and driven by the pages' actions.
//
// Every call first brings the mirror of the board up to date; a dropped
// connection is reconnected once per call (Unavailable when that fails too,
// and the page says so and retries). A vote goes through CastBallot, which
// stores the ballot before sending and only ever resends it, so a reload or a
// retry never makes a second ballot.
//
// Thread-safety: none; the server calls it from one thread.
#ifndef PHIEU_CLIENT_APP_APP_BACKEND_H_
#define PHIEU_CLIENT_APP_APP_BACKEND_H_

#include <memory>
#include <string>

#include "client/app/app_service.h"
#include "client/meeting_client.h"

namespace phieu::client::app {

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
  Result<boost::json::object> Post(const v1::EntryBody& body);

  std::string profile_dir_;
  std::unique_ptr<MeetingClient> client_;
};

}  // namespace phieu::client::app

#endif  // PHIEU_CLIENT_APP_APP_BACKEND_H_

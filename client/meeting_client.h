// MeetingClient: a participant's view of the meeting, over one mTLS connection.
//
// Opens the participant's profile (server address, meeting CA, own
// certificate and key), connects, and mirrors the bulletin board into a local
// BoardView (catching up with GetEntries, then following pushed events). It
// checks what a participant can check for itself: that entry 0 is the
// genesis signed by the meeting CA the profile trusts, that the chain links,
// and that the roster pins this participant's own certificate (and says so
// loudly when it does not).
//
// Posting signs an EntryBody with the participant's key; the server answers
// with the appended entry's position (and a receipt for a ballot).
//
// Thread-safety: none; one thread uses a client.
#ifndef PHIEU_CLIENT_MEETING_CLIENT_H_
#define PHIEU_CLIENT_MEETING_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "certs/profile.h"
#include "client/connection.h"
#include "core/record/board_view.h"
#include "core/util/status.h"
#include "phieu/v1/wire.pb.h"

namespace phieu::client {

class MeetingClient {
 public:
  // Loads the profile in `profile_dir` and connects. Does not sync yet.
  static Result<std::unique_ptr<MeetingClient>> Connect(const std::string& profile_dir);

  // Catches up with the board and applies pushed events received so far.
  // Fails (VerificationFailed) if the board does not check out: wrong CA on
  // the genesis, a broken chain, or the roster does not pin this client's key.
  Status Sync();

  // Waits for pushed entries until `done(view)` holds, or the timeout passes
  // (FailedPrecondition "timed out waiting for ...", naming `what`).
  Status WaitFor(const std::function<bool(const record::BoardView&)>& done,
                 std::chrono::milliseconds timeout, const std::string& what);

  // Signs `body` (meeting id filled in) with this participant's key and posts it.
  Result<v1::Posted> Post(v1::EntryBody body);
  // Posts an entry that was signed earlier (a stored ballot being resent).
  Result<v1::Posted> PostSigned(const v1::SignedEntry& entry);
  // Signs without posting (the delegate stores its ballot before sending).
  Result<v1::SignedEntry> Sign(v1::EntryBody body) const;

  Result<v1::MyBallotAnswer> MyBallot(const std::string& run_id, const std::string& unit_id);

  const record::BoardView& view() const { return view_; }
  const certs::Credentials& credentials() const { return creds_; }
  const std::string& profile_dir() const { return profile_dir_; }
  const std::string& participant_id() const { return creds_.profile.participant_id(); }
  std::string pin() const { return creds_.cert.Pin(); }
  // The unit this participant is the delegate of, or "".
  std::string own_unit() const;
  bool HasRole(v1::Role role) const;

 private:
  MeetingClient(std::string profile_dir, certs::Credentials creds,
                std::unique_ptr<Connection> conn);
  Result<v1::Envelope> Call(v1::Envelope request);
  Status ApplyEntry(const v1::BoardEntry& entry);
  // Reads entries from the server until the view holds the whole board.
  Status CatchUp();
  Status CheckGenesis(const v1::BoardEntry& entry) const;
  Status CheckOwnPin() const;
  Status DrainEvents(std::chrono::milliseconds wait);

  std::string profile_dir_;
  certs::Credentials creds_;
  std::unique_ptr<Connection> conn_;
  record::BoardView view_;
  bool pin_checked_ = false;
};

// Error envelope → Status, keeping the server's message.
Status StatusFromError(const v1::Error& error);

// Entry 0 is the genesis of `meeting_id`, made and signed by the meeting CA
// `ca` (the one a profile trusts). Used on a live board and on a record file.
Status CheckGenesisEntry(const v1::BoardEntry& entry, const crypto::Certificate& ca,
                         const std::string& meeting_id);

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_MEETING_CLIENT_H_

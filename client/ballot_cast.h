// Casting a delegate's ballot, shared by `phieu vote` and `phieu app`.
//
// Cast or check (Benaloh challenge, docs/audit.md): a PreparedBallot is the
// ballot encrypted, proved and signed exactly as it would be cast, its
// tracking code shown to the delegate, and only THEN the delegate's decision:
// Cast() it, or Check() it (reveal its choices and randomness in a published
// SpoiledBallot that is never counted; that encryption can never be cast and
// the delegate prepares a fresh one). The client cannot know which it will be
// when it encrypts, so a client that encrypts something else than the choices
// is caught by any delegate who checks.
//
// A cast ballot is signed once, stored in the profile before it is
// sent (ballots/<run>-<unit>.entry), and from then on only ever resent as it
// is: the server answers an identical resend with the original receipt, so a
// retry after a dropped connection, a reload of the page or a second `phieu
// vote` never makes a second ballot. The receipt is checked (server
// signature, names the ballot sent) and stored (receipts/<run>-<unit>.receipt).
//
// Errors: InvalidArgument when the choices break the ballot's rules
// (rules::MarksFor / CheckMarks, in plain words); PermissionDenied when this
// participant does not cast the unit's ballot; FailedPrecondition when the
// run is closed (the server's refusal); Unavailable when the server cannot be
// reached even after one reconnect; VerificationFailed for a bad receipt.
// Thread-safety: none; one thread uses a client.
#ifndef PHIEU_CLIENT_BALLOT_CAST_H_
#define PHIEU_CLIENT_BALLOT_CAST_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/meeting_client.h"
#include "core/crypto/ballot_crypto.h"
#include "core/record/board_view.h"
#include "core/util/status.h"

namespace phieu::client {

// The marks for `choices` on `unit`'s ballot style in `run`, checked twice:
// by rules::MarksFor (the choices as the delegate gave them) and again by
// rules::CheckMarks (the layout's constraints the proofs will attest).
Result<std::vector<uint32_t>> CheckedMarks(const record::BoardView& view, const record::Run& run,
                                           const std::string& unit,
                                           const std::vector<std::string>& choices);
// The same on a given ballot style (`layout` from rules::VoterLayout).
Result<std::vector<uint32_t>> CheckedMarks(const v1::BallotLayout& layout, const v1::BallotSpec& spec,
                                           const std::string& unit, const std::vector<std::string>& choices);

// Ok when this participant casts `unit`'s ballot in `run` (its own unit
// present at the opening, or an accepted proxy); PermissionDenied names who does.
Status CheckCaster(const MeetingClient& c, const record::Run& run, const std::string& unit);

// The ballot stored earlier for this run and unit, if any.
std::optional<v1::SignedEntry> StoredBallot(const std::string& profile_dir, const std::string& run_id,
                                            const std::string& unit);

// The stored receipt for this run and unit, if any.
std::optional<v1::SignedReceipt> StoredReceipt(const std::string& profile_dir, const std::string& run_id,
                                               const std::string& unit);

struct CastResult {
  v1::SignedReceipt receipt;
  bool resent = false;  // a ballot stored earlier was sent again
};

// Resends the ballot stored earlier for `unit` in `run` (NotFound when there
// is none: a new ballot is made by PreparedBallot). `*client` is replaced by a
// fresh connection when the first one drops mid-cast.
Result<CastResult> ResendBallot(std::unique_ptr<MeetingClient>* client, const record::Run& run,
                                const std::string& unit);

// A ballot prepared for the delegate's decision: see the top of this file.
// The secrets (each cell's mark and randomness) live only in this object and
// are wiped the moment the decision is taken, whatever its outcome, and by
// the destructor when no decision is taken (an abandoned ballot is never
// cast). One decision only: after Cast() or Check() (or TakeForCast /
// TakeForCheck) every further one is refused with FailedPrecondition.
class PreparedBallot {
 public:
  using Signer = std::function<Result<v1::SignedEntry>(v1::EntryBody)>;
  enum class State { kPrepared, kCast, kChecked };

  // Checks the choices (CheckedMarks), encrypts them with their proofs and
  // signs the ballot entry with `sign`. Nothing is stored or sent.
  static Result<std::unique_ptr<PreparedBallot>> Prepare(const record::BoardView& view, const record::Run& run,
                                                         const std::string& unit,
                                                         const std::vector<std::string>& choices,
                                                         const Signer& sign);
  // The same for the participant of `c`, once CheckCaster allows it; refused
  // (AlreadyExists) when a ballot for this run and unit is already stored:
  // that one is resent as it is (ResendBallot), never replaced.
  static Result<std::unique_ptr<PreparedBallot>> Prepare(const MeetingClient& c, const record::Run& run,
                                                         const std::string& unit,
                                                         const std::vector<std::string>& choices);

  PreparedBallot(const PreparedBallot&) = delete;
  PreparedBallot& operator=(const PreparedBallot&) = delete;
  ~PreparedBallot();

  // The tracking code (hex) of the encryption: shown before the decision.
  const std::string& tracking_code() const { return tracking_code_; }
  const record::Run& run() const { return run_; }
  const std::string& unit() const { return unit_; }
  State state() const { return state_; }

  // Decides "cast": wipes the secrets, stores the signed ballot in the
  // profile and sends it (as ResendBallot does from then on); checks and
  // stores the receipt.
  Result<CastResult> Cast(std::unique_ptr<MeetingClient>* client);
  // Decides "check": wipes the secrets once they are in the SpoiledBallot
  // entry, posts it and returns where it landed. Even when the post fails
  // the encryption is never cast: the delegate prepares a fresh ballot.
  Result<v1::Posted> Check(MeetingClient& client);

  // The two decisions without the network (Cast and Check use them): the
  // signed ballot entry to send, or the SpoiledBallot entry body to post.
  Result<v1::SignedEntry> TakeForCast();
  Result<v1::EntryBody> TakeForCheck();

  // Test hook: true when no mark and no randomness is held any more and the
  // object's own copy of the marks reads all zero.
  bool SecretsWipedForTest() const;

 private:
  PreparedBallot() = default;
  Status Decide(State to);
  void Wipe();

  record::Run run_;
  std::string unit_;
  std::vector<uint32_t> marks_;  // zeroed in place by Wipe(), freed by the destructor
  crypto::BallotSecrets secrets_;
  v1::EncryptedBallot ballot_;
  v1::SignedEntry signed_;
  std::string tracking_code_;
  State state_ = State::kPrepared;
};

// The receipt's tracking code, position and chain head (hex).
struct ReceiptInfo {
  std::string tracking_code;
  uint64_t seq = 0;
  std::string entry_hash;
};
ReceiptInfo DescribeReceipt(const v1::SignedReceipt& receipt);

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_BALLOT_CAST_H_

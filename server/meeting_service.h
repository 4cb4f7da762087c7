// MeetingService: the server's request handler for one meeting.
//
// A plain object with no sockets: Handle(identity, request) -> response.
// It accepts author-signed board entries when the author's role and the
// meeting's phase allow them and their signatures and proofs verify, appends
// them to the board (BoardStore), and pushes each appended entry to every
// connected client through the EventSink. It also authors the server's own
// entries: the tally of a closed run, the ceremony's "key fixed" entry and
// the signed result once t tellers' decryption shares verify.
//
// What it never does: decrypt anything by itself (it holds no key share),
// accept a plaintext vote, or log a request's contents.
//
// Acceptance rules per entry kind are listed in docs/protocol.md ("Entries
// and who may post them"). Every refusal is an Error envelope whose message
// names the failed check. A Post spends no curve arithmetic (signature or
// proof) before its cheap checks pass: the per-certificate rate limit
// (options.post_rate for delegates, options.officer_post_rate for the chair
// and the tellers), size, author, role, and for a ballot the phase, the
// caster and duplicates.
//
// Thread-safety: all methods are thread-safe. Proof verification of ballots
// runs outside the state lock, so two cores verify two ballots at once, with
// the joint key's FixedBase table (built once when the key is fixed).
//
// Group commit: verified ballots are appended through a GroupCommitter, so
// that ballots arriving together share one SQLite transaction and one fsync.
// The batch is committed under the state lock: each ballot is checked again
// against the view (run still open), the store refuses a second ballot of a
// (run, unit) even within one batch, and the committed entries are applied
// to the view and broadcast in chain order before any caller is answered. A
// failed commit leaves the view untouched. No receipt leaves before its
// entry's commit.
#ifndef PHIEU_SERVER_MEETING_SERVICE_H_
#define PHIEU_SERVER_MEETING_SERVICE_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "core/board/board_store.h"
#include "core/board/group_commit.h"
#include "core/crypto/certificate.h"
#include "core/crypto/group.h"
#include "core/crypto/keys.h"
#include "core/record/board_view.h"
#include "core/record/run_support.h"
#include "core/record/entry_signature.h"
#include "core/util/status.h"
#include "server/rate_limiter.h"
#include "server/service.h"

namespace phieu::server {

struct MeetingServiceOptions {
  std::string data_dir;             // holds board.sqlite
  std::string board_vfs;            // a registered SQLite VFS for the board (tests); "" = default
  size_t max_entry_body = 512 * 1024;
  uint32_t max_entries_per_read = 1000;
  std::function<int64_t()> now_ms;  // the server's clock; defaults to system_clock
  // Posts per certificate (token bucket), checked before anything else in a
  // Post. Delegates (and anyone who is neither chair nor teller) get
  // post_rate: flood protection. The chair and the tellers get
  // officer_post_rate, loose enough for a scripted check-in of a big congress
  // (1,000+ units) or a teller's shares; see docs/security.md.
  RateLimit post_rate;
  RateLimit officer_post_rate{100, 2000};
};

class MeetingService : public Service {
 public:
  // Opens (or creates) the meeting in options.data_dir. On a new board,
  // `genesis` (the CA-signed genesis entry made by `phieu certs roster`) is
  // checked and appended; on an existing board it must be the same entry or
  // empty. `ca` is the meeting CA the server was started with; the genesis
  // must name it and `signing_key` must be the server key it certifies.
  static Result<std::unique_ptr<MeetingService>> Open(MeetingServiceOptions options,
                                                      const crypto::Certificate& ca,
                                                      crypto::PrivateKey signing_key,
                                                      const v1::SignedEntry* genesis);

  Result<Identity> Authenticate(const std::string& pin, const std::string& cert_der) override;
  v1::Envelope Handle(const Identity& who, const v1::Envelope& request) override;
  void SetEventSink(EventSink* sink) override;

  // For tests and `phieu record export` on a live server.
  uint64_t chain_length() const;
  Result<v1::ElectionRecord> Export() const;
  // Runs holding a running aggregate: open runs with a counted ballot. A close
  // or a cancel drops the run's aggregate.
  size_t running_aggregates() const;

 private:
  MeetingService(MeetingServiceOptions options, std::unique_ptr<board::BoardStore> store,
                 crypto::PrivateKey signing_key);

  // On a second ballot from a unit, `stored_code` receives the tracking code
  // of the ballot already counted.
  Result<v1::Posted> Post(const Identity& who, const v1::SignedEntry& signed_entry,
                          std::string* stored_code);
  // The checks that need no curve arithmetic (author, role, a ballot's phase,
  // caster and duplicates), before the signature and the proofs. An
  // identical resend of a counted ballot sets *resend to its original answer.
  Status CheapChecksLocked(const Identity& who, const v1::SignedEntry& signed_entry,
                           const v1::EntryBody& body, std::string* stored_code,
                           std::optional<v1::Posted>* resend) const;
  // Those of a spoiled ballot (Benaloh challenge): run, caster, an identical
  // resend (*resend), the unit not cast, the cap per unit.
  Status CheapSpoilChecksLocked(const std::string& participant_id, const v1::SignedEntry& signed_entry,
                                const v1::EncryptedBallot& ballot,
                                std::optional<v1::Posted>* resend) const;
  Result<v1::MyBallotAnswer> FindMyBallot(const Identity& who, const v1::MyBallot& q);
  Result<v1::Entries> Read(const v1::GetEntries& q) const;

  // Appends an entry (state lock held), updates the view, broadcasts it.
  Result<v1::BoardEntry> AppendLocked(const v1::SignedEntry& signed_entry, const v1::EntryBody& body,
                                      board::EntryIndex index);
  // A committed entry: into the view (in chain order), then to every client.
  Status PublishLocked(const v1::BoardEntry& entry);
  // A counted ballot joins its run's running aggregate (running_), so that
  // closing the run adds no ballots. A ballot that cannot be added drops the
  // run's aggregate: the close then aggregates from the board.
  void AddToRunningAggregateLocked(uint64_t seq);
  // The GroupCommitter's commit step: takes the state lock, re-checks each
  // ballot's run, appends the rest in one transaction, publishes them.
  Result<std::vector<board::BoardStore::AppendOutcome>> CommitBatch(
      std::vector<board::BoardStore::BatchItem> items);
  // A unit that already has a ballot in `run`: the original receipt for an
  // identical resend, else AlreadyExists with the stored tracking code.
  Result<v1::Posted> AnswerExistingBallotLocked(const record::Run& run, const v1::SignedEntry& se,
                                                const std::string& unit_id, std::string* stored_code) const;
  // The joint key's FixedBase table, built once per key in force.
  Result<crypto::FixedBase> JointTableLocked();
  // Signs and appends an entry authored by the server.
  Result<v1::BoardEntry> AppendServerEntryLocked(const v1::EntryBody& body);
  // What the server does after an entry lands: tally a closed run, fix the
  // key, publish a result.
  Status FollowUpLocked(const v1::EntryBody& body);
  Result<v1::SignedReceipt> ReceiptFor(const v1::BoardEntry& ballot_entry,
                                       const v1::EncryptedBallot& ballot) const;

  MeetingServiceOptions options_;
  std::unique_ptr<board::BoardStore> store_;
  crypto::PrivateKey signing_key_;
  RateLimiter limiter_;          // delegates: options_.post_rate
  RateLimiter officer_limiter_;  // chair and tellers: options_.officer_post_rate
  // The participant ids that hold the chair or a teller role. Roles are fixed
  // by the genesis, so this is filled once in Open (before any Handle) and
  // read without the state lock.
  std::set<std::string> officers_;
  mutable std::mutex mu_;
  record::BoardView view_;
  record::AuthorKeys author_keys_;  // participants' keys, parsed once
  EventSink* sink_ = nullptr;
  std::optional<crypto::FixedBase> joint_table_;  // guarded by mu_
  std::string joint_table_done_;                  // the CeremonyDone it was built for
  // Run id -> the aggregate of the ballots published since this process
  // started (guarded by mu_). Used at the close only when it holds every
  // ballot of the run (a restart replays the board without it).
  std::map<std::string, record::RunAggregate> running_;
  std::unique_ptr<board::GroupCommitter> committer_;  // ballots; destroyed before store_
};

}  // namespace phieu::server

#endif  // PHIEU_SERVER_MEETING_SERVICE_H_

// BoardView: a read model of the bulletin board, built by replaying its
// entries in chain order. It parses and indexes; it does not judge.
//
// What it knows after each entry: the meeting and roster (with revocations),
// check-ins and proxies, the key ceremony's messages, and each run of each
// ballot question (open/close/cancel, the ballots cast in it, its tally,
// decryption shares and result).
//
// It checks only what it needs to index an entry (the body parses, the
// payload names things that exist). Signatures, proofs, roles and phases are
// checked by whoever accepts entries (the server) and, independently, by the
// verifier; both use this view only to look things up.
//
// Thread-safety: none; callers serialize access.
// Errors: Apply() returns InvalidArgument / FailedPrecondition naming the
// entry when it cannot be indexed; the view is then unchanged.
#ifndef PHIEU_CORE_RECORD_BOARD_VIEW_H_
#define PHIEU_CORE_RECORD_BOARD_VIEW_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/util/status.h"
#include "phieu/v1/record.pb.h"

namespace phieu::record {

// Lowercase hex of an entry's chain hash: how entries name each other.
std::string EntryId(const v1::BoardEntry& e);

// The payload kind as a short stable name ("genesis", "ballot", ...), used as
// the board store's index column and in messages.
std::string PayloadKind(const v1::EntryBody& body);

struct RosterPerson {
  std::string participant_id;
  std::string pin;          // hex SHA-256 of the certificate DER
  std::string certificate;  // DER
  uint64_t added_seq = 0;
  bool revoked = false;
  uint64_t revoked_seq = 0;
};

struct Attendance {
  uint64_t seq = 0;
  bool remote = false;
  bool by_chair = false;
  std::string author_pin;
};

struct ProxyInfo {
  uint64_t seq = 0;
  std::string entry_id;
  std::string holder_id;
  bool accepted = false;
  uint64_t accepted_seq = 0;
};

struct BallotRef {
  uint64_t seq = 0;
  std::string entry_id;
  std::string tracking_code;  // hex
  std::string author_pin;
};

struct Run {
  std::string run_id;  // entry id of the Open entry
  uint64_t open_seq = 0;
  std::string ballot_id;
  uint32_t round = 1;
  std::string previous_run;
  std::vector<std::string> candidates;  // this run's candidate ids, spec order
  std::string ceremony_done;            // entry id
  // Who could vote when the run opened: unit id -> how present.
  std::map<std::string, Attendance> present_at_open;
  std::map<std::string, std::string> proxies_at_open;  // absent unit -> holder id
  bool closed = false;
  uint64_t close_seq = 0;
  bool cancelled = false;
  std::map<std::string, BallotRef> ballots;  // unit id -> the counted ballot
  // Spoiled ballots (Benaloh challenge), never counted: their seqs in chain
  // order, and tracking code (hex) -> seq.
  std::vector<uint64_t> spoiled_seqs;
  std::map<std::string, uint64_t> spoiled_codes;
  std::string tally_entry;  // entry id, once the server has aggregated
  uint64_t tally_seq = 0;
  std::map<uint32_t, uint64_t> decryption_shares;  // teller index -> seq
  std::string result_entry;
  uint64_t result_seq = 0;
  std::set<uint32_t> cosigned;  // teller indices
};

struct Ceremony {
  uint32_t attempt = 0;
  std::vector<std::string> teller_ids;  // index = position + 1
  uint32_t threshold = 0;
  uint64_t start_seq = 0;
  std::map<uint32_t, uint64_t> commits;  // index -> seq
  std::map<uint32_t, uint64_t> reveals;
  std::map<uint32_t, uint64_t> shares;
  std::vector<uint64_t> complaints;
  std::vector<uint64_t> answers;
  std::map<uint32_t, uint64_t> test_decryptions;
  std::string done_entry;  // entry id; empty until the key is fixed
  uint64_t done_seq = 0;
};

class BoardView {
 public:
  // Indexes the next entry. Entries must come in chain order from seq 0.
  Status Apply(const v1::BoardEntry& entry);

  uint64_t length() const { return entries_.size(); }
  const std::vector<v1::BoardEntry>& entries() const { return entries_; }
  // The parsed body of entry `seq` (entries are parsed once, on Apply).
  const v1::EntryBody& body(uint64_t seq) const { return bodies_.at(seq); }
  const v1::BoardEntry& entry(uint64_t seq) const { return entries_.at(seq); }
  std::optional<uint64_t> FindEntry(const std::string& entry_id) const;

  bool has_genesis() const { return !entries_.empty(); }
  const v1::Genesis& genesis() const { return bodies_.at(0).genesis(); }
  const v1::Meeting& meeting() const { return genesis().meeting(); }
  std::string genesis_id() const { return EntryId(entries_.at(0)); }

  // Roster lookups. A pin is found even when revoked (check `revoked`).
  const RosterPerson* PersonByPin(const std::string& pin) const;
  const RosterPerson* PersonById(const std::string& participant_id) const;  // current pin
  const v1::Participant* Participant(const std::string& participant_id) const;
  bool HasRole(const std::string& participant_id, v1::Role role) const;
  // The delegate of a unit (participant id), or "" if none.
  std::string DelegateOf(const std::string& unit_id) const;
  const v1::Unit* Unit(const std::string& unit_id) const;
  const v1::BallotSpec* Spec(const std::string& ballot_id) const;
  uint32_t Weight(const std::string& unit_id) const;

  const std::map<std::string, Attendance>& check_ins() const { return check_ins_; }
  const std::map<std::string, ProxyInfo>& proxies() const { return proxies_; }

  const Ceremony& ceremony() const { return ceremony_; }
  bool key_ready() const { return !ceremony_.done_entry.empty(); }

  const std::map<std::string, Run>& runs() const { return runs_; }
  const Run* FindRun(const std::string& run_id) const;
  // The run of `ballot_id` that is open now (not closed, not cancelled).
  const Run* OpenRun(const std::string& ballot_id) const;
  // The latest run of `ballot_id` (by open order), whatever its state.
  const Run* LatestRun(const std::string& ballot_id) const;
  std::vector<const Run*> RunsInOrder() const;

  bool meeting_closed() const { return meeting_closed_; }

 private:
  Status ApplyBody(const v1::BoardEntry& entry, const v1::EntryBody& body);
  Run* MutableRun(const std::string& run_id);

  std::vector<v1::BoardEntry> entries_;
  std::vector<v1::EntryBody> bodies_;
  std::map<std::string, uint64_t> by_id_;
  std::map<std::string, RosterPerson> people_by_pin_;
  std::map<std::string, std::string> pin_by_participant_;
  std::map<std::string, Attendance> check_ins_;
  std::map<std::string, ProxyInfo> proxies_;  // absent unit -> proxy
  Ceremony ceremony_;
  std::map<std::string, Run> runs_;
  std::vector<std::string> run_order_;
  bool meeting_closed_ = false;
};

}  // namespace phieu::record

#endif  // PHIEU_CORE_RECORD_BOARD_VIEW_H_

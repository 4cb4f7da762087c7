// Teller: what a member of the Ban kiểm phiếu runs on their own laptop for
// the whole meeting (`phieu teller run`).
//
// The teller's client decides what it decrypts, not the server:
//  - it takes part in the key ceremony (client/teller_ceremony.cc) and keeps
//    its secret share only on this laptop, sealed under a passphrase
//    (scrypt + AES-256-GCM), unlocked when a ballot opens (so that the
//    close does not wait for scrypt);
//  - it checks every ballot as it arrives (the author's pinned certificate
//    and signature, who may cast for the unit, the proofs, with the joint
//    key's FixedBase table) and adds it to its own weighted aggregate;
//  - when the server publishes a run's tally, it decrypts only if the tally
//    is exactly its own aggregate over exactly the ballots it checked, the
//    run was not cancelled, it holds at least the minimum number of ballots,
//    and it has not decrypted this run before (a local, fsynced journal);
//  - it co-signs a result only after recomputing it from the posted
//    decryption shares and the rules;
//  - when the meeting closes, it destroys its share and says so on the board.
//
// Thread-safety: none; one thread runs a teller.
#ifndef PHIEU_CLIENT_TELLER_H_
#define PHIEU_CLIENT_TELLER_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>
#include <string>

#include "client/meeting_client.h"
#include "core/crypto/group.h"
#include "core/record/run_support.h"

namespace phieu::client {

class TellerCeremony;  // client/teller_ceremony.h

class Teller {
 public:
  Teller(MeetingClient* client, std::string passphrase);
  ~Teller();

  // Does whatever the board now asks of this teller. Returns OK when there is
  // nothing more to do for now; errors name what failed.
  Status Step();

  bool finished() const { return finished_; }

 private:
  struct RunState {
    std::unique_ptr<record::RunAggregate> aggregate;
    std::set<uint64_t> checked;       // ballot seqs verified and added
    std::set<std::string> units;      // units of the checked ballots
    uint64_t next_seq = 0;            // entries before it were looked at
    std::vector<std::string> ballot_ids;  // entry ids in chain order
    std::string refused;              // why this teller will not decrypt the run
  };

  Status CheckBallots(const record::Run& run, RunState* st);
  Status MaybeDecrypt(const record::Run& run, RunState* st);
  Status MaybeCosign(const record::Run& run);
  Status LoadShare();
  Status DestroyShare();
  std::string vault_path() const;
  std::string journal_path() const;
  bool InJournal(const std::string& line) const;
  Status AddToJournal(const std::string& line);

  MeetingClient* client_;
  std::string passphrase_;
  std::unique_ptr<TellerCeremony> ceremony_;
  std::optional<crypto::Scalar> share_;
  std::optional<crypto::FixedBase> joint_table_;  // for joint_table_done_
  std::string joint_table_done_;
  std::map<std::string, RunState> runs_;
  bool finished_ = false;
};

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_TELLER_H_

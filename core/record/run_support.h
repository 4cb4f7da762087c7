// The arithmetic of a run that the server, the tellers' clients and the
// verifier each do for themselves: the joint key and run context a ballot's
// proofs are bound to, the voter's ballot style, the weighted homomorphic
// aggregate of a run's ballots, and the counts the minutes show.
//
// These are shared primitives (each party still decides for itself what to
// accept); none of them judges roles or phases.
//
// Thread-safety: free functions and a value type.
#ifndef PHIEU_CORE_RECORD_RUN_SUPPORT_H_
#define PHIEU_CORE_RECORD_RUN_SUPPORT_H_

#include <string>
#include <vector>

#include "core/crypto/ceremony.h"
#include "core/crypto/elgamal.h"
#include "core/crypto/group.h"
#include "core/record/board_view.h"
#include "core/util/status.h"
#include "phieu/v1/rules.pb.h"

namespace phieu::record {

// The joint key fixed by the CeremonyDone entry in force.
Result<crypto::Point> JointKey(const BoardView& view);

// The Fiat–Shamir run context of a run (docs/crypto.md "Run context").
Result<std::string> RunContext(const BoardView& view, const Run& run);

// The ballot style of `unit_id` in `run`, and the run's full layout.
Result<v1::BallotLayout> VoterLayoutFor(const BoardView& view, const Run& run,
                                        const std::string& unit_id);
Result<v1::BallotLayout> FullLayoutFor(const BoardView& view, const Run& run);

// Whether `unit_id` may have a ballot in `run`, and whose key signs it:
// the unit's own delegate when the unit was present at the opening, or the
// proxy holder when the unit was carried by an accepted proxy.
// Returns the participant id allowed to cast it, or FailedPrecondition.
Result<std::string> CasterFor(const BoardView& view, const Run& run, const std::string& unit_id);

// A spoiled ballot (Benaloh challenge) of `run`, checked as a second device
// or an auditor does: the ballot's proofs, that its revealed choices and
// randomness re-encrypt to its cells (crypto::VerifySpoiled), and that the
// choices make a valid ballot of the unit's style (rules::CheckMarks).
// Returns that style, so that the caller can name the choices.
Result<v1::BallotLayout> CheckSpoiled(const BoardView& view, const Run& run,
                                      const v1::SpoiledBallot& spoiled);

// The weighted, cell-wise sum of a run's ballots over its full layout.
class RunAggregate {
 public:
  static Result<RunAggregate> Create(const BoardView& view, const Run& run);

  // Adds one (already verified) ballot, counted `weight` times.
  Status Add(const v1::EncryptedBallot& ballot, uint32_t weight);

  const std::vector<crypto::Ciphertext>& totals() const { return totals_; }
  const v1::BallotLayout& full_layout() const { return full_; }
  uint32_t ballots() const { return ballots_; }
  uint64_t votes() const { return votes_; }  // sum of weights added
  Result<std::vector<v1::Ciphertext>> ToProto() const;

 private:
  const BoardView* view_ = nullptr;
  const Run* run_ = nullptr;
  v1::BallotLayout full_;
  std::vector<crypto::Ciphertext> totals_;
  uint32_t ballots_ = 0;
  uint64_t votes_ = 0;
};

// Members, present at the opening, issued, received and valid, as the rules
// and the minutes need them (blank comes from the decrypted totals).
Result<v1::Counts> CountsFor(const BoardView& view, const Run& run);

// The teller index (1-based) of `participant_id` in the ceremony in force, or 0.
uint32_t TellerIndex(const BoardView& view, const std::string& participant_id);

// The key ceremony in force, replayed from the board's ceremony entries
// (each checked again as it is added). FailedPrecondition when none started.
Result<crypto::CeremonyRecord> CeremonyRecordOf(const BoardView& view);

// Each qualified teller's public share K_i (docs/crypto.md "Threshold decryption").
Result<crypto::Point> TellerPublicShare(const BoardView& view, uint32_t index);

// The decrypted totals of a run's tally: for each total, the partial
// decryptions of the tellers `indices` (from their DecryptionShare entries)
// combined with Lagrange coefficients, and the discrete log solved up to the
// votes received. With `verify_partials`, each partial's proof is checked
// first (the server checked them on arrival; a teller or verifier checks
// them again). VerificationFailed names the teller and the total.
Result<std::vector<uint64_t>> DecryptTotals(const BoardView& view, const Run& run,
                                            const std::vector<uint32_t>& indices,
                                            bool verify_partials);

// The context a teller's partial decryptions of a run's tally are bound to.
std::string DecryptionContext(const BoardView& view, const Run& run);

}  // namespace phieu::record

#endif  // PHIEU_CORE_RECORD_RUN_SUPPORT_H_

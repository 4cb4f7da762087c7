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
#include <string_view>
#include <vector>

#include "core/crypto/ceremony.h"
#include "core/crypto/elgamal.h"
#include "core/crypto/group.h"
#include "core/record/board_view.h"
#include "core/util/status.h"
#include "phieu/v1/rules.pb.h"

namespace phieu::record {

// The most encryptions a unit may spoil (Benaloh challenge) in one run
// (docs/protocol.md "Entries and who may post them").
inline constexpr size_t kMaxSpoilsPerUnit = 10;

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

// The public encryption of zero that stands for the total of a cell no
// counted ballot contains (docs/crypto.md "Aggregation"): (r·G, r·K) with
// r = Challenge(phieu.v1.empty-total: run = raw Open hash, cell = u64 index).
Result<crypto::Ciphertext> EmptyTotal(const crypto::Point& joint_key, const std::string& run_id,
                                      uint32_t cell);

// The weighted, cell-wise sum of a run's ballots over its full layout. A cell
// that no added ballot contains gets EmptyTotal in ToProto().
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
  std::vector<bool> touched_;  // some added ballot contains the cell
  uint32_t ballots_ = 0;
  uint64_t votes_ = 0;
};

// Checks a paper batch's contents against `run` (docs/protocol.md, "Paper
// batches"): units non-empty, distinct, each able to vote in the run
// (CasterFor), none with an electronic ballot in the run nor in another batch
// of it (`batch_id`: the batch's own entry id once on the board, else "");
// one count per full-layout cell; valid + blank + invalid = the units' votes;
// the blank cell equals `blank` (0 when the ballot has no blank); no cell
// above what the units that may mark it weigh; every constraint of the full
// layout met by the counts scaled by valid + blank. Errors name the check.
Status CheckPaperBatch(const BoardView& view, const Run& run, const v1::PaperBatch& batch,
                       const std::string& batch_id);

// The entry ids, in chain order, of the run's paper batches that count
// (PaperBatchRef::counted: t teller signatures while the run was open).
std::vector<std::string> CountedPaperBatches(const Run& run);

// The paper batches a run's counts and result include: those its Tally lists
// once it has one (the tellers check the list is CountedPaperBatches), else
// CountedPaperBatches. InvalidArgument if the tally names a non-batch.
Result<std::vector<const v1::PaperBatch*>> PaperBatchesOf(const BoardView& view, const Run& run);

// Members, present at the opening, issued, received and valid, as the rules
// and the minutes need them (blank comes from the decrypted totals), with the
// paper batches of PaperBatchesOf (received, valid, invalid, paper_units).
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

// The totals a Result carries: DecryptTotals plus, per cell, the counts of
// the paper batches the run's Tally lists. The server and every teller that
// co-signs compute them with this one function.
Result<std::vector<uint64_t>> ResultTotals(const BoardView& view, const Run& run,
                                           const std::vector<uint32_t>& indices,
                                           bool verify_partials);

// The context a teller's partial decryptions of a run's tally are bound to
// (docs/crypto.md "Tally, decryption and result"):
// raw(genesis entry hash) || bytes(run id) || bytes(Tally entry id), the ids
// as their 64-character lowercase hex.
std::string DecryptionContext(std::string_view genesis_hash, const std::string& run_id,
                              const std::string& tally_entry);
std::string DecryptionContext(const BoardView& view, const Run& run);

}  // namespace phieu::record

#endif  // PHIEU_CORE_RECORD_RUN_SUPPORT_H_

// The encrypted ballot: a voter's marks over a v1::BallotLayout (its style),
// encrypted cell by cell under the joint key with proofs that every cell is 0
// or 1 and every constraint of the ballot kind holds (docs/crypto.md "Ballots
// and constraints", "Run context", "Tracking code"; ElectionGuard 2.0 §3.3).
//
//   run context    = hash of (genesis entry, ceremony transcript, joint key,
//                    this run's "open" entry, ballot id): unique to one opening
//                    of one question in one meeting.
//   ballot context = hash of (run context, unit id, layout): binds the voter's
//                    unit and its style (cells, coefficients, bounds).
//   cell i proof   : range [0, 1], context Bytes(ballot ctx) || Bytes("cell") || u32 i
//   constraint j   : range [lo, hi] on Σ coefficient·cell, context
//                    Bytes(ballot ctx) || Bytes("constraint") || u32 j
//
// So a ballot copied to another question, meeting, cancelled run, second round
// or unit never verifies.
//
// Thread-safety: free functions on values; safe from any thread. BallotSecrets
// is a move-only value, not shared.
// Errors: EncryptBallot: InvalidArgument for a bad layout ("layout: constraint
// 2: cell 9 out of range") or marks ("marks: cell 3 is not 0 or 1", "marks
// violate constraint 0 'one choice or blank'"). VerifyBallot: InvalidArgument /
// VerificationFailed naming the cell or constraint and the check ("cell 3:
// range proof: challenge sum mismatch", "ballot: 7 cells, layout has 8").
// Never a mark or a randomness value in a message.
#ifndef PHIEU_CORE_CRYPTO_BALLOT_CRYPTO_H_
#define PHIEU_CORE_CRYPTO_BALLOT_CRYPTO_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/elgamal.h"
#include "core/crypto/group.h"
#include "core/crypto/scalar_source.h"
#include "phieu/v1/crypto.pb.h"
#include "phieu/v1/record.pb.h"

namespace phieu::crypto {

inline constexpr size_t kMaxLayoutCells = 4096;
inline constexpr size_t kMaxLayoutConstraints = 4096;

inline constexpr std::string_view kRunContextTag = "phieu.v1.run-context";
inline constexpr std::string_view kBallotContextTag = "phieu.v1.ballot-context";
inline constexpr std::string_view kBallotBodyTag = "phieu.v1.ballot-body";

// 32 bytes. Hash inputs in docs/crypto.md "Run context".
std::string RunContext(std::string_view genesis_hash, std::string_view ceremony_transcript_hash,
                       const Point& joint_key, std::string_view open_entry_hash,
                       std::string_view ballot_id);

// The explicit encoding of a layout hashed into the ballot context.
std::string EncodeLayout(const v1::BallotLayout& layout);

// 32 bytes: binds run, unit and style.
std::string BallotContext(std::string_view run_context, std::string_view unit_id,
                          const v1::BallotLayout& layout);

// The context bytes of the proof of cell i / constraint j.
std::string CellProofContext(std::string_view ballot_context, uint32_t i);
std::string ConstraintProofContext(std::string_view ballot_context, uint32_t j);

// Structural checks on a layout: at least one cell, constraint cell indices in
// range and not repeated, one non-zero coefficient per cell, lo <= hi, range
// at most kMaxRangeBranches wide.
Status ValidateLayout(const v1::BallotLayout& layout);

// What the voter's client keeps to spoil (Benaloh challenge) a ballot: the
// marks and the randomness of each cell. Wiped when destroyed or overwritten.
class BallotSecrets {
 public:
  BallotSecrets() = default;
  BallotSecrets(std::vector<uint32_t> marks, std::vector<Scalar> randomness)
      : marks_(std::move(marks)), randomness_(std::move(randomness)) {}
  BallotSecrets(BallotSecrets&& o) noexcept;
  BallotSecrets& operator=(BallotSecrets&& o) noexcept;
  BallotSecrets(const BallotSecrets&) = delete;
  BallotSecrets& operator=(const BallotSecrets&) = delete;
  ~BallotSecrets();

  const std::vector<uint32_t>& marks() const { return marks_; }
  const std::vector<Scalar>& randomness() const { return randomness_; }

  // The spoiled-ballot record entry revealing these secrets for `ballot`.
  v1::SpoiledBallot Spoil(const v1::EncryptedBallot& ballot) const;
  void Wipe();

 private:
  std::vector<uint32_t> marks_;
  std::vector<Scalar> randomness_;
};

// Checks the layout and the marks (0/1, every constraint) before any
// encryption. secrets_out may be null.
Result<v1::EncryptedBallot> EncryptBallot(std::string_view run_context, const Point& K,
                                          const v1::BallotLayout& layout,
                                          const std::vector<uint32_t>& marks,
                                          std::string_view run_id, std::string_view unit_id,
                                          BallotSecrets* secrets_out,
                                          ScalarSource* rng = nullptr);

// Counts and encoding lengths first (no curve arithmetic), then points, then
// proofs. The unit bound into the proofs is ballot.unit_id(); the caller checks
// that run_id and unit_id are the ones it expects.
Status VerifyBallot(std::string_view run_context, const Point& K, const v1::BallotLayout& layout,
                    const v1::EncryptedBallot& ballot);
// The same with the joint key's precomputed table (FixedBase::Create(K) once
// per meeting): about a quarter faster; what a server or teller checking many
// ballots should call.
Status VerifyBallot(std::string_view run_context, const FixedBase& K,
                    const v1::BallotLayout& layout, const v1::EncryptedBallot& ballot);

// The canonical bytes of the ballot body (docs/crypto.md "Tracking code"):
// what the tracking code hashes and what the delegate signs.
std::string BallotBodyBytes(const v1::EncryptedBallot& ballot);
// SHA-256(BallotBodyBytes(ballot)): 32 bytes.
std::string TrackingCode(const v1::EncryptedBallot& ballot);

// VerifyBallot, then re-encrypts each revealed choice with its revealed
// randomness and checks it equals the cell ("spoiled: cell 2 does not match").
Status VerifySpoiled(std::string_view run_context, const Point& K, const v1::BallotLayout& layout,
                     const v1::SpoiledBallot& spoiled);

// The cells of a ballot, each point validated ("cell 4: ciphertext pad: point: ...").
Result<std::vector<Ciphertext>> DecodeCells(const v1::EncryptedBallot& ballot);

// One ballot in a weighted sum. slots[i] is the total that cell i adds to
// (empty: cell i adds to total i), so ballots of styles that omit cells can
// be summed into the totals of the full layout.
struct WeightedBallot {
  const v1::EncryptedBallot* ballot = nullptr;
  uint64_t weight = 1;
  std::vector<uint32_t> slots;
};

// totals[s] = Σ_ballots weight · (cells mapped to s). Ballots of equal weight
// are added first and multiplied once, so the cost is additions plus
// 2·num_totals variable-base multiplications per distinct weight ≠ 1.
// Totals with nothing added are Ciphertext::Zero().
Result<std::vector<Ciphertext>> Aggregate(const std::vector<WeightedBallot>& ballots,
                                          size_t num_totals);

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_BALLOT_CRYPTO_H_

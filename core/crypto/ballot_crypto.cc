#include "core/crypto/ballot_crypto.h"

#include <map>
#include <set>

#include "core/crypto/proofs.h"
#include "core/crypto/secure.h"
#include "core/crypto/sha256.h"
#include "core/crypto/transcript.h"
#include "core/util/bytes.h"

namespace phieu::crypto {
namespace {

std::string ConstraintLabel(const v1::BallotLayout& layout, int j) {
  return "constraint " + std::to_string(j) + " '" + layout.constraints(j).name() + "'";
}

void EncodeProof(ByteWriter& w, const v1::RangeProof& p) {
  w.U32(static_cast<uint32_t>(p.challenges_size()));
  for (const std::string& c : p.challenges()) w.Bytes(c);
  w.U32(static_cast<uint32_t>(p.responses_size()));
  for (const std::string& r : p.responses()) w.Bytes(r);
}

// Sizes of every proof field, before any decoding or arithmetic.
Status CheckProofShape(const v1::RangeProof& p, size_t branches) {
  if (static_cast<size_t>(p.challenges_size()) != branches ||
      static_cast<size_t>(p.responses_size()) != branches) {
    return VerificationFailed("range proof: wrong number of branches (" +
                              std::to_string(p.challenges_size()) + " challenges, " +
                              std::to_string(p.responses_size()) + " responses, want " +
                              std::to_string(branches) + ")");
  }
  for (int i = 0; i < p.challenges_size(); ++i) {
    if (p.challenges(i).size() != kScalarSize) {
      return VerificationFailed("range proof: challenge " + std::to_string(i) +
                                " not a canonical scalar");
    }
    if (p.responses(i).size() != kScalarSize) {
      return VerificationFailed("range proof: response " + std::to_string(i) +
                                " not a canonical scalar");
    }
  }
  return Status::Ok();
}

size_t Branches(const v1::Constraint& c) {
  return static_cast<size_t>(static_cast<int64_t>(c.hi()) - c.lo()) + 1;
}

}  // namespace

// ---------------------------------------------------------------- contexts

std::string RunContext(std::string_view genesis_hash, std::string_view ceremony_transcript_hash,
                       const Point& joint_key, std::string_view open_entry_hash,
                       std::string_view ballot_id) {
  Transcript t(kRunContextTag);
  t.AddBytes("genesis", genesis_hash)
      .AddBytes("ceremony", ceremony_transcript_hash)
      .AddPoint("joint_key", joint_key)
      .AddBytes("open", open_entry_hash)
      .AddBytes("ballot_id", ballot_id);
  return t.Digest();
}

std::string EncodeLayout(const v1::BallotLayout& layout) {
  ByteWriter w;
  w.U32(static_cast<uint32_t>(layout.cells_size()));
  for (const v1::Cell& c : layout.cells()) {
    w.Bytes(c.candidate_id()).U32(c.rank()).Bytes(c.option());
  }
  w.U32(static_cast<uint32_t>(layout.constraints_size()));
  for (const v1::Constraint& c : layout.constraints()) {
    w.Bytes(c.name());
    w.U32(static_cast<uint32_t>(c.cells_size()));
    for (uint32_t cell : c.cells()) w.U32(cell);
    w.U32(static_cast<uint32_t>(c.coefficients_size()));
    for (int32_t k : c.coefficients()) w.I64(k);
    w.I64(c.lo()).I64(c.hi());
  }
  return w.Take();
}

std::string BallotContext(std::string_view run_context, std::string_view unit_id,
                          const v1::BallotLayout& layout) {
  Transcript t(kBallotContextTag);
  t.AddBytes("run", run_context).AddBytes("unit", unit_id).AddBytes("layout", EncodeLayout(layout));
  return t.Digest();
}

std::string CellProofContext(std::string_view ballot_context, uint32_t i) {
  return ByteWriter().Bytes(ballot_context).Bytes("cell").U32(i).Take();
}

std::string ConstraintProofContext(std::string_view ballot_context, uint32_t j) {
  return ByteWriter().Bytes(ballot_context).Bytes("constraint").U32(j).Take();
}

Status ValidateLayout(const v1::BallotLayout& layout) {
  const size_t n = static_cast<size_t>(layout.cells_size());
  if (n == 0) return InvalidArgument("layout: no cells");
  if (n > kMaxLayoutCells) return InvalidArgument("layout: too many cells");
  if (static_cast<size_t>(layout.constraints_size()) > kMaxLayoutConstraints) {
    return InvalidArgument("layout: too many constraints");
  }
  for (int j = 0; j < layout.constraints_size(); ++j) {
    const v1::Constraint& c = layout.constraints(j);
    const std::string label = "layout: " + ConstraintLabel(layout, j);
    if (c.cells_size() == 0) return InvalidArgument(label + ": no cells");
    if (c.coefficients_size() != c.cells_size()) {
      return InvalidArgument(label + ": " + std::to_string(c.cells_size()) + " cells but " +
                             std::to_string(c.coefficients_size()) + " coefficients");
    }
    std::set<uint32_t> seen;
    for (int k = 0; k < c.cells_size(); ++k) {
      if (c.cells(k) >= n) {
        return InvalidArgument(label + ": cell " + std::to_string(c.cells(k)) + " out of range");
      }
      if (!seen.insert(c.cells(k)).second) {
        return InvalidArgument(label + ": cell " + std::to_string(c.cells(k)) + " repeated");
      }
      if (c.coefficients(k) == 0) return InvalidArgument(label + ": coefficient 0");
    }
    if (c.lo() > c.hi()) return InvalidArgument(label + ": lo > hi");
    if (Branches(c) > static_cast<size_t>(kMaxRangeBranches)) {
      return InvalidArgument(label + ": range wider than " + std::to_string(kMaxRangeBranches));
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- secrets

BallotSecrets::BallotSecrets(BallotSecrets&& o) noexcept
    : marks_(std::move(o.marks_)), randomness_(std::move(o.randomness_)) {}

BallotSecrets& BallotSecrets::operator=(BallotSecrets&& o) noexcept {
  if (this != &o) {
    Wipe();
    marks_ = std::move(o.marks_);
    randomness_ = std::move(o.randomness_);
  }
  return *this;
}

BallotSecrets::~BallotSecrets() { Wipe(); }

void BallotSecrets::Wipe() {
  SecureWipe(marks_.data(), marks_.size() * sizeof(uint32_t));
  marks_.clear();
  randomness_.clear();  // each Scalar is BN_clear_free'd
}

v1::SpoiledBallot BallotSecrets::Spoil(const v1::EncryptedBallot& ballot) const {
  v1::SpoiledBallot s;
  *s.mutable_ballot() = ballot;
  for (uint32_t m : marks_) s.add_choices(m);
  for (const Scalar& r : randomness_) s.add_randomness(r.Encode());
  return s;
}

// ---------------------------------------------------------------- encrypt

Result<v1::EncryptedBallot> EncryptBallot(std::string_view run_context, const Point& K,
                                          const v1::BallotLayout& layout,
                                          const std::vector<uint32_t>& marks,
                                          std::string_view run_id, std::string_view unit_id,
                                          BallotSecrets* secrets_out, ScalarSource* rng) {
  RETURN_IF_ERROR(ValidateLayout(layout));
  const size_t n = static_cast<size_t>(layout.cells_size());
  if (marks.size() != n) {
    return InvalidArgument("marks: " + std::to_string(marks.size()) + " marks for " +
                           std::to_string(n) + " cells");
  }
  for (size_t i = 0; i < n; ++i) {
    if (marks[i] > 1) return InvalidArgument("marks: cell " + std::to_string(i) + " is not 0 or 1");
  }
  std::vector<int64_t> values(layout.constraints_size());
  for (int j = 0; j < layout.constraints_size(); ++j) {
    const v1::Constraint& c = layout.constraints(j);
    int64_t v = 0;
    for (int k = 0; k < c.cells_size(); ++k) v += int64_t{c.coefficients(k)} * marks[c.cells(k)];
    if (v < c.lo() || v > c.hi()) {
      SecureWipe(values.data(), values.size() * sizeof(int64_t));
      return InvalidArgument("marks violate " + ConstraintLabel(layout, j));
    }
    values[j] = v;
  }
  rng = OrSystem(rng);

  const std::string ballot_ctx = BallotContext(run_context, unit_id, layout);
  v1::EncryptedBallot out;
  out.set_run_id(std::string(run_id));
  out.set_unit_id(std::string(unit_id));
  std::vector<Scalar> r(n);
  std::vector<Ciphertext> cts;
  cts.reserve(n);
  Status status;
  for (size_t i = 0; i < n && status.ok(); ++i) {
    ASSIGN_OR_RETURN(r[i], rng->Next());
    ASSIGN_OR_RETURN(Ciphertext ct, Encrypt(K, marks[i], r[i]));
    ASSIGN_OR_RETURN(*out.add_cells(), ToProto(ct));
    ASSIGN_OR_RETURN(*out.add_cell_proofs(),
                     ProveRange(CellProofContext(ballot_ctx, static_cast<uint32_t>(i)), K, ct,
                                marks[i], r[i], 0, 1, rng));
    cts.push_back(std::move(ct));
  }
  for (int j = 0; j < layout.constraints_size(); ++j) {
    const v1::Constraint& c = layout.constraints(j);
    std::vector<const Ciphertext*> terms;
    std::vector<int64_t> coefficients;
    Scalar sum_r;
    for (int k = 0; k < c.cells_size(); ++k) {
      terms.push_back(&cts[c.cells(k)]);
      coefficients.push_back(c.coefficients(k));
      ASSIGN_OR_RETURN(Scalar term, r[c.cells(k)].Mul(Scalar::FromInt64(c.coefficients(k))));
      ASSIGN_OR_RETURN(sum_r, sum_r.Add(term));
    }
    ASSIGN_OR_RETURN(Ciphertext sum, Sum(terms, coefficients));
    Result<v1::RangeProof> proof =
        ProveRange(ConstraintProofContext(ballot_ctx, static_cast<uint32_t>(j)), K, sum,
                   values[j], sum_r, c.lo(), c.hi(), rng);
    if (!proof.ok()) return proof.status().Annotate(ConstraintLabel(layout, j));
    *out.add_constraint_proofs() = std::move(proof).value();
  }
  SecureWipe(values.data(), values.size() * sizeof(int64_t));
  if (secrets_out != nullptr) *secrets_out = BallotSecrets(marks, std::move(r));
  return out;
}

// ---------------------------------------------------------------- verify

Result<std::vector<Ciphertext>> DecodeCells(const v1::EncryptedBallot& ballot) {
  std::vector<Ciphertext> cts;
  cts.reserve(ballot.cells_size());
  for (int i = 0; i < ballot.cells_size(); ++i) {
    Result<Ciphertext> ct = FromProto(ballot.cells(i));
    if (!ct.ok()) return ct.status().Annotate("cell " + std::to_string(i));
    cts.push_back(std::move(ct).value());
  }
  return cts;
}

namespace {

// KeyT is Point or FixedBase (VerifyRange has both overloads).
template <typename KeyT>
Status VerifyBallotImpl(std::string_view run_context, const KeyT& K,
                        const v1::BallotLayout& layout, const v1::EncryptedBallot& ballot) {
  RETURN_IF_ERROR(ValidateLayout(layout));
  // 1. Counts and lengths: rejects malformed ballots at no curve cost.
  const int n = layout.cells_size();
  if (ballot.cells_size() != n) {
    return InvalidArgument("ballot: " + std::to_string(ballot.cells_size()) +
                           " cells, layout has " + std::to_string(n));
  }
  if (ballot.cell_proofs_size() != n) {
    return InvalidArgument("ballot: " + std::to_string(ballot.cell_proofs_size()) +
                           " cell proofs, layout has " + std::to_string(n) + " cells");
  }
  if (ballot.constraint_proofs_size() != layout.constraints_size()) {
    return InvalidArgument("ballot: " + std::to_string(ballot.constraint_proofs_size()) +
                           " constraint proofs, layout has " +
                           std::to_string(layout.constraints_size()) + " constraints");
  }
  for (int i = 0; i < n; ++i) {
    if (ballot.cells(i).pad().size() != kPointSize || ballot.cells(i).data().size() != kPointSize) {
      return InvalidArgument("cell " + std::to_string(i) + ": ciphertext: wrong point length");
    }
    Status s = CheckProofShape(ballot.cell_proofs(i), 2);
    if (!s.ok()) return s.Annotate("cell " + std::to_string(i));
  }
  for (int j = 0; j < layout.constraints_size(); ++j) {
    Status s = CheckProofShape(ballot.constraint_proofs(j), Branches(layout.constraints(j)));
    if (!s.ok()) return s.Annotate(ConstraintLabel(layout, j));
  }
  // 2. Points.
  ASSIGN_OR_RETURN(std::vector<Ciphertext> cts, DecodeCells(ballot));
  // 3. Proofs.
  const std::string ballot_ctx = BallotContext(run_context, ballot.unit_id(), layout);
  for (int i = 0; i < n; ++i) {
    Status s = VerifyRange(CellProofContext(ballot_ctx, static_cast<uint32_t>(i)), K, cts[i], 0, 1,
                           ballot.cell_proofs(i));
    if (!s.ok()) return s.Annotate("cell " + std::to_string(i));
  }
  for (int j = 0; j < layout.constraints_size(); ++j) {
    const v1::Constraint& c = layout.constraints(j);
    std::vector<const Ciphertext*> terms;
    std::vector<int64_t> coefficients;
    for (int k = 0; k < c.cells_size(); ++k) {
      terms.push_back(&cts[c.cells(k)]);
      coefficients.push_back(c.coefficients(k));
    }
    ASSIGN_OR_RETURN(Ciphertext sum, Sum(terms, coefficients));
    Status s = VerifyRange(ConstraintProofContext(ballot_ctx, static_cast<uint32_t>(j)), K, sum,
                           c.lo(), c.hi(), ballot.constraint_proofs(j));
    if (!s.ok()) return s.Annotate(ConstraintLabel(layout, j));
  }
  return Status::Ok();
}

}  // namespace

Status VerifyBallot(std::string_view run_context, const Point& K, const v1::BallotLayout& layout,
                    const v1::EncryptedBallot& ballot) {
  return VerifyBallotImpl(run_context, K, layout, ballot);
}

Status VerifyBallot(std::string_view run_context, const FixedBase& K,
                    const v1::BallotLayout& layout, const v1::EncryptedBallot& ballot) {
  return VerifyBallotImpl(run_context, K, layout, ballot);
}

// ---------------------------------------------------------------- tracking code

std::string BallotBodyBytes(const v1::EncryptedBallot& ballot) {
  ByteWriter w;
  w.Bytes(kBallotBodyTag).Bytes(ballot.run_id()).Bytes(ballot.unit_id());
  w.U32(static_cast<uint32_t>(ballot.cells_size()));
  for (const v1::Ciphertext& c : ballot.cells()) w.Bytes(c.pad()).Bytes(c.data());
  w.U32(static_cast<uint32_t>(ballot.cell_proofs_size()));
  for (const v1::RangeProof& p : ballot.cell_proofs()) EncodeProof(w, p);
  w.U32(static_cast<uint32_t>(ballot.constraint_proofs_size()));
  for (const v1::RangeProof& p : ballot.constraint_proofs()) EncodeProof(w, p);
  return w.Take();
}

std::string TrackingCode(const v1::EncryptedBallot& ballot) {
  return Sha256(BallotBodyBytes(ballot));
}

// ---------------------------------------------------------------- spoiled

Status VerifySpoiled(std::string_view run_context, const Point& K, const v1::BallotLayout& layout,
                     const v1::SpoiledBallot& spoiled) {
  const v1::EncryptedBallot& ballot = spoiled.ballot();
  RETURN_IF_ERROR(VerifyBallot(run_context, K, layout, ballot));
  const int n = ballot.cells_size();
  if (spoiled.choices_size() != n) {
    return InvalidArgument("spoiled: " + std::to_string(spoiled.choices_size()) +
                           " choices for " + std::to_string(n) + " cells");
  }
  if (spoiled.randomness_size() != n) {
    return InvalidArgument("spoiled: " + std::to_string(spoiled.randomness_size()) +
                           " randomness values for " + std::to_string(n) + " cells");
  }
  ASSIGN_OR_RETURN(std::vector<Ciphertext> cts, DecodeCells(ballot));
  for (int i = 0; i < n; ++i) {
    const std::string cell = "spoiled: cell " + std::to_string(i);
    if (spoiled.choices(i) > 1) return InvalidArgument(cell + ": choice is not 0 or 1");
    Result<Scalar> r = Scalar::Decode(spoiled.randomness(i));
    if (!r.ok()) return r.status().Annotate(cell + ": randomness");
    ASSIGN_OR_RETURN(Ciphertext again, Encrypt(K, spoiled.choices(i), *r));
    if (!again.Equals(cts[i])) {
      return VerificationFailed(cell + " does not match its revealed choice and randomness");
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- aggregate

Result<std::vector<Ciphertext>> Aggregate(const std::vector<WeightedBallot>& ballots,
                                          size_t num_totals) {
  // weight -> partial totals of the ballots with that weight.
  std::map<uint64_t, std::vector<Ciphertext>> by_weight;
  for (size_t b = 0; b < ballots.size(); ++b) {
    const WeightedBallot& wb = ballots[b];
    const std::string label = "aggregate: ballot " + std::to_string(b);
    if (wb.ballot == nullptr) return InvalidArgument(label + ": null");
    if (wb.weight == 0) continue;
    const size_t n = static_cast<size_t>(wb.ballot->cells_size());
    if (!wb.slots.empty() && wb.slots.size() != n) {
      return InvalidArgument(label + ": " + std::to_string(wb.slots.size()) + " slots for " +
                             std::to_string(n) + " cells");
    }
    Result<std::vector<Ciphertext>> cells = DecodeCells(*wb.ballot);
    if (!cells.ok()) return cells.status().Annotate(label);
    auto [it, inserted] = by_weight.try_emplace(wb.weight);
    if (inserted) {
      it->second.reserve(num_totals);
      for (size_t s = 0; s < num_totals; ++s) it->second.push_back(Ciphertext::Zero());
    }
    for (size_t i = 0; i < n; ++i) {
      const size_t slot = wb.slots.empty() ? i : wb.slots[i];
      if (slot >= num_totals) {
        return InvalidArgument(label + ": cell " + std::to_string(i) + " maps to total " +
                               std::to_string(slot) + " of " + std::to_string(num_totals));
      }
      ASSIGN_OR_RETURN(it->second[slot], Add(it->second[slot], (*cells)[i]));
    }
  }
  std::vector<Ciphertext> totals;
  totals.reserve(num_totals);
  for (size_t s = 0; s < num_totals; ++s) totals.push_back(Ciphertext::Zero());
  for (auto& [weight, partial] : by_weight) {
    const Scalar w = Scalar::FromUint64(weight);
    for (size_t s = 0; s < num_totals; ++s) {
      if (partial[s].pad.IsIdentity() && partial[s].data.IsIdentity()) continue;
      if (weight == 1) {
        ASSIGN_OR_RETURN(totals[s], Add(totals[s], partial[s]));
      } else {
        ASSIGN_OR_RETURN(Ciphertext scaled, ScalarMul(partial[s], w));
        ASSIGN_OR_RETURN(totals[s], Add(totals[s], scaled));
      }
    }
  }
  return totals;
}

}  // namespace phieu::crypto

#include "core/record/run_support.h"

#include <algorithm>
#include <optional>
#include <set>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/dlog.h"
#include "core/crypto/proofs.h"
#include "core/crypto/threshold.h"
#include "core/crypto/transcript.h"
#include "core/rules/counts.h"
#include "core/rules/layout.h"
#include "core/util/bytes.h"

namespace phieu::record {
namespace {

Result<const v1::CeremonyDone*> DoneEntry(const BoardView& view) {
  if (!view.key_ready()) return FailedPrecondition("the tellers' key ceremony is not finished");
  return &view.body(view.ceremony().done_seq).ceremony_done();
}

Result<std::string> RawHash(const std::string& entry_id) {
  std::string raw;
  if (!FromHex(entry_id, &raw) || raw.size() != 32)
    return InvalidArgument("bad entry id " + entry_id);
  return raw;
}

}  // namespace

Result<crypto::Point> JointKey(const BoardView& view) {
  ASSIGN_OR_RETURN(const v1::CeremonyDone* done, DoneEntry(view));
  return crypto::Point::Decode(done->joint_key());
}

Result<std::string> RunContext(const BoardView& view, const Run& run) {
  ASSIGN_OR_RETURN(const v1::CeremonyDone* done, DoneEntry(view));
  ASSIGN_OR_RETURN(crypto::Point key, crypto::Point::Decode(done->joint_key()));
  ASSIGN_OR_RETURN(std::string open_hash, RawHash(run.run_id));
  return crypto::RunContext(view.entry(0).hash(), done->transcript_hash(), key, open_hash,
                            run.ballot_id);
}

Result<v1::BallotLayout> VoterLayoutFor(const BoardView& view, const Run& run,
                                        const std::string& unit_id) {
  const v1::BallotSpec* spec = view.Spec(run.ballot_id);
  if (!spec) return NotFound("no ballot '" + run.ballot_id + "' in the meeting");
  return rules::VoterLayout(*spec, run.candidates, unit_id);
}

Result<v1::BallotLayout> FullLayoutFor(const BoardView& view, const Run& run) {
  const v1::BallotSpec* spec = view.Spec(run.ballot_id);
  if (!spec) return NotFound("no ballot '" + run.ballot_id + "' in the meeting");
  return rules::FullLayout(*spec, run.candidates);
}

Result<v1::BallotLayout> CheckSpoiled(const BoardView& view, const Run& run,
                                      const v1::SpoiledBallot& spoiled) {
  const v1::EncryptedBallot& b = spoiled.ballot();
  if (b.run_id() != run.run_id) return InvalidArgument("the spoiled ballot names another run");
  ASSIGN_OR_RETURN(v1::BallotLayout layout, VoterLayoutFor(view, run, b.unit_id()));
  ASSIGN_OR_RETURN(std::string context, RunContext(view, run));
  ASSIGN_OR_RETURN(crypto::Point key, JointKey(view));
  RETURN_IF_ERROR(crypto::VerifySpoiled(context, key, layout, spoiled));
  const std::vector<uint32_t> choices(spoiled.choices().begin(), spoiled.choices().end());
  RETURN_IF_ERROR(rules::CheckMarks(layout, choices).Annotate("spoiled: revealed choices"));
  return layout;
}

Result<std::string> CasterFor(const BoardView& view, const Run& run, const std::string& unit_id) {
  if (!view.Unit(unit_id)) return NotFound("no unit '" + unit_id + "' in the meeting");
  if (run.present_at_open.count(unit_id)) {
    std::string delegate = view.DelegateOf(unit_id);
    if (delegate.empty()) return FailedPrecondition("unit '" + unit_id + "' has no delegate");
    return delegate;
  }
  auto proxy = run.proxies_at_open.find(unit_id);
  if (proxy != run.proxies_at_open.end()) return proxy->second;
  return FailedPrecondition(
      "unit '" + unit_id +
      "' was neither checked in nor carried by a proxy when the ballot opened");
}

Result<crypto::Ciphertext> EmptyTotal(const crypto::Point& joint_key, const std::string& run_id,
                                      uint32_t cell) {
  ASSIGN_OR_RETURN(std::string open_hash, RawHash(run_id));
  crypto::Scalar r = crypto::Transcript("phieu.v1.empty-total")
                         .AddBytes("run", open_hash)
                         .AddU64("cell", cell)
                         .Challenge();
  if (r.IsZero()) return Internal("empty total: the derived randomness is zero");
  ASSIGN_OR_RETURN(crypto::Point pad, crypto::Point::MulGen(r));
  ASSIGN_OR_RETURN(crypto::Point data, joint_key.Mul(r));
  return crypto::Ciphertext{std::move(pad), std::move(data)};
}

Result<RunAggregate> RunAggregate::Create(const BoardView& view, const Run& run) {
  RunAggregate agg;
  agg.view_ = &view;
  agg.run_ = &run;
  ASSIGN_OR_RETURN(agg.full_, FullLayoutFor(view, run));
  agg.totals_.reserve(agg.full_.cells_size());
  for (int i = 0; i < agg.full_.cells_size(); ++i)
    agg.totals_.push_back(crypto::Ciphertext::Zero());
  agg.touched_.assign(agg.full_.cells_size(), false);
  return agg;
}

Status RunAggregate::Add(const v1::EncryptedBallot& ballot, uint32_t weight) {
  ASSIGN_OR_RETURN(v1::BallotLayout voter, VoterLayoutFor(*view_, *run_, ballot.unit_id()));
  if (ballot.cells_size() != voter.cells_size()) {
    return InvalidArgument("ballot of '" + ballot.unit_id() + "' has " +
                           std::to_string(ballot.cells_size()) + " cells, its style has " +
                           std::to_string(voter.cells_size()));
  }
  crypto::Scalar w = crypto::Scalar::FromUint64(weight);
  for (int i = 0; i < voter.cells_size(); ++i) {
    ASSIGN_OR_RETURN(uint32_t full_index, rules::FullIndex(full_, voter.cells(i)));
    ASSIGN_OR_RETURN(crypto::Ciphertext ct, crypto::FromProto(ballot.cells(i)));
    if (weight != 1) {
      ASSIGN_OR_RETURN(ct, crypto::ScalarMul(ct, w));
    }
    ASSIGN_OR_RETURN(totals_[full_index], crypto::Add(totals_[full_index], ct));
    touched_[full_index] = true;
  }
  ++ballots_;
  votes_ += weight;
  return Status::Ok();
}

Result<std::vector<v1::Ciphertext>> RunAggregate::ToProto() const {
  std::vector<v1::Ciphertext> out;
  std::optional<crypto::Point> key;
  for (size_t i = 0; i < totals_.size(); ++i) {
    if (!touched_[i]) {
      if (!key) {
        ASSIGN_OR_RETURN(crypto::Point k, JointKey(*view_));
        key = std::move(k);
      }
      ASSIGN_OR_RETURN(crypto::Ciphertext empty,
                       EmptyTotal(*key, run_->run_id, static_cast<uint32_t>(i)));
      ASSIGN_OR_RETURN(v1::Ciphertext c, crypto::ToProto(empty));
      out.push_back(std::move(c));
      continue;
    }
    ASSIGN_OR_RETURN(v1::Ciphertext c, crypto::ToProto(totals_[i]));
    out.push_back(std::move(c));
  }
  return out;
}

namespace {

std::string CellName(const v1::Cell& c) {
  if (c.candidate_id().empty()) return c.option().empty() ? "blank" : c.option();
  std::string s = "'" + c.candidate_id() + "'";
  if (c.rank() != 0) s += " rank " + std::to_string(c.rank());
  if (!c.option().empty()) s += " " + c.option();
  return s;
}

}  // namespace

Status CheckPaperBatch(const BoardView& view, const Run& run, const v1::PaperBatch& batch,
                       const std::string& batch_id) {
  if (batch.run_id() != run.run_id) return InvalidArgument("paper batch: it names another run");
  if (batch.unit_ids().empty()) return InvalidArgument("paper batch: it names no unit");
  ASSIGN_OR_RETURN(v1::BallotLayout full, FullLayoutFor(view, run));
  // cap[i]: the votes of the batch's units whose ballot style has cell i.
  std::vector<uint64_t> cap(full.cells_size(), 0);
  std::set<std::string> seen;
  uint64_t votes = 0;
  for (const auto& unit : batch.unit_ids()) {
    if (!seen.insert(unit).second) return InvalidArgument("paper batch: unit '" + unit + "' named twice");
    RETURN_IF_ERROR(CasterFor(view, run, unit).status().Annotate("paper batch"));
    if (run.ballots.count(unit)) {
      return FailedPrecondition("paper batch: unit '" + unit + "' has an electronic ballot in this run");
    }
    auto other = run.paper_units.find(unit);
    if (other != run.paper_units.end() && other->second != batch_id) {
      return FailedPrecondition("paper batch: unit '" + unit + "' is already in paper batch " +
                                other->second.substr(0, 16) + " of this run");
    }
    const uint32_t weight = view.Weight(unit);
    votes += weight;
    ASSIGN_OR_RETURN(v1::BallotLayout style, VoterLayoutFor(view, run, unit));
    for (const auto& cell : style.cells()) {
      ASSIGN_OR_RETURN(uint32_t i, rules::FullIndex(full, cell));
      cap[i] += weight;
    }
  }
  if (batch.counts_size() != full.cells_size()) {
    return InvalidArgument("paper batch: " + std::to_string(batch.counts_size()) + " counts for the " +
                           std::to_string(full.cells_size()) + " cells of the ballot");
  }
  const uint64_t declared = uint64_t{batch.valid()} + batch.blank() + batch.invalid();
  if (declared != votes) {
    return InvalidArgument("paper batch: valid + blank + invalid = " + std::to_string(declared) +
                           " votes, but its units have " + std::to_string(votes) + " votes");
  }
  const uint64_t n = uint64_t{batch.valid()} + batch.blank();  // votes of the valid ballots
  bool has_blank_cell = false;
  for (int i = 0; i < full.cells_size(); ++i) {
    const v1::Cell& cell = full.cells(i);
    const uint64_t c = batch.counts(i);
    if (cell.candidate_id().empty() && cell.option() == rules::kBlankOption) {
      has_blank_cell = true;
      if (c != batch.blank()) {
        return InvalidArgument("paper batch: the blank cell has " + std::to_string(c) +
                               " votes, the batch says " + std::to_string(batch.blank()) + " blank");
      }
    }
    if (c > n || c > cap[i]) {
      return InvalidArgument("paper batch: cell " + CellName(cell) + " has " + std::to_string(c) +
                             " votes, more than its units may give it (" +
                             std::to_string(std::min(n, cap[i])) + ")");
    }
  }
  if (!has_blank_cell && batch.blank() != 0) {
    return InvalidArgument("paper batch: this ballot cannot be blank, yet the batch has " +
                           std::to_string(batch.blank()) + " blank votes");
  }
  for (const auto& k : full.constraints()) {
    int64_t sum = 0;
    for (int j = 0; j < k.cells_size(); ++j) {
      sum += k.coefficients(j) * static_cast<int64_t>(batch.counts(static_cast<int>(k.cells(j))));
    }
    const int64_t lo = k.lo() * static_cast<int64_t>(n), hi = k.hi() * static_cast<int64_t>(n);
    if (sum < lo || sum > hi) {
      return InvalidArgument("paper batch: the counts break constraint '" + k.name() + "' (" +
                             std::to_string(sum) + " for " + std::to_string(n) +
                             " valid votes, allowed " + std::to_string(lo) + ".." + std::to_string(hi) + ")");
    }
  }
  return Status::Ok();
}

std::vector<std::string> CountedPaperBatches(const Run& run) {
  std::vector<std::pair<uint64_t, std::string>> counted;
  for (const auto& [id, batch] : run.paper_batches) {
    if (batch.counted) counted.emplace_back(batch.seq, id);
  }
  std::sort(counted.begin(), counted.end());
  std::vector<std::string> out;
  for (auto& [seq, id] : counted) out.push_back(std::move(id));
  return out;
}

Result<std::vector<const v1::PaperBatch*>> PaperBatchesOf(const BoardView& view, const Run& run) {
  std::vector<std::string> ids;
  if (run.tally_entry.empty()) {
    ids = CountedPaperBatches(run);
  } else {
    const v1::Tally& tally = view.body(run.tally_seq).tally();
    ids.assign(tally.paper_batches().begin(), tally.paper_batches().end());
  }
  std::vector<const v1::PaperBatch*> out;
  for (const auto& id : ids) {
    std::optional<uint64_t> seq = view.FindEntry(id);
    if (!seq || !view.body(*seq).has_paper_batch() || view.body(*seq).paper_batch().run_id() != run.run_id) {
      return InvalidArgument("the tally lists " + id.substr(0, 16) + ", which is no paper batch of this run");
    }
    out.push_back(&view.body(*seq).paper_batch());
  }
  return out;
}

Result<v1::Counts> CountsFor(const BoardView& view, const Run& run) {
  rules::Attendance attendance;
  for (const auto& [unit, att] : run.present_at_open) {
    (att.remote ? attendance.remote : attendance.in_hall).push_back(unit);
  }
  for (const auto& [unit, holder] : run.proxies_at_open) attendance.by_proxy.push_back(unit);
  ASSIGN_OR_RETURN(v1::Counts counts, rules::CountsAtOpening(view.meeting(), attendance));
  std::vector<std::string> voted;
  for (const auto& [unit, ref] : run.ballots) voted.push_back(unit);
  RETURN_IF_ERROR(rules::AddElectronicBallots(view.meeting(), voted, &counts));
  ASSIGN_OR_RETURN(std::vector<const v1::PaperBatch*> batches, PaperBatchesOf(view, run));
  for (const v1::PaperBatch* b : batches) {
    std::vector<std::string> units(b->unit_ids().begin(), b->unit_ids().end());
    RETURN_IF_ERROR(rules::AddPaperBatch(view.meeting(), units, b->invalid(), &counts));
  }
  return counts;
}

uint32_t TellerIndex(const BoardView& view, const std::string& participant_id) {
  const auto& ids = view.ceremony().teller_ids;
  auto it = std::find(ids.begin(), ids.end(), participant_id);
  return it == ids.end() ? 0 : static_cast<uint32_t>(it - ids.begin() + 1);
}

Result<crypto::CeremonyRecord> CeremonyRecordOf(const BoardView& view) {
  const Ceremony& c = view.ceremony();
  if (c.attempt == 0) return FailedPrecondition("no key ceremony has started");
  ASSIGN_OR_RETURN(crypto::CeremonyRecord record,
                   crypto::CeremonyRecord::Begin(view.entry(0).hash(),
                                                 view.body(c.start_seq).ceremony_start(),
                                                 view.meeting().tellers().demo_single_teller()));
  for (uint64_t seq = c.start_seq + 1; seq < view.length(); ++seq) {
    const v1::EntryBody& body = view.body(seq);
    if (body.has_ceremony_done()) break;
    if (PayloadKind(body).rfind("ceremony_", 0) != 0) continue;
    const RosterPerson* author = view.PersonByPin(view.entry(seq).signed_().author());
    uint32_t index = author ? TellerIndex(view, author->participant_id) : 0;
    RETURN_IF_ERROR(record.Add(index, body).Annotate("ceremony entry " + std::to_string(seq)));
  }
  return record;
}

Result<crypto::Point> TellerPublicShare(const BoardView& view, uint32_t index) {
  ASSIGN_OR_RETURN(const v1::CeremonyDone* done, DoneEntry(view));
  (void)done;
  ASSIGN_OR_RETURN(crypto::CeremonyRecord record, CeremonyRecordOf(view));
  return record.PublicShare(index);
}

Result<std::vector<uint64_t>> DecryptTotals(const BoardView& view, const Run& run,
                                            const std::vector<uint32_t>& indices,
                                            bool verify_partials) {
  if (run.tally_entry.empty()) return FailedPrecondition("the run has no tally");
  const v1::Tally& tally = view.body(run.tally_seq).tally();
  std::vector<const v1::DecryptionShare*> shares;
  std::vector<crypto::Point> public_shares;
  for (uint32_t idx : indices) {
    auto seq = run.decryption_shares.find(idx);
    if (seq == run.decryption_shares.end()) {
      return VerificationFailed("teller " + std::to_string(idx) + " has no decryption share on the board");
    }
    const v1::DecryptionShare& share = view.body(seq->second).decryption_share();
    if (share.partials_size() != tally.totals_size()) {
      return VerificationFailed("teller " + std::to_string(idx) + "'s share has the wrong number of partials");
    }
    shares.push_back(&share);
    if (verify_partials) {
      ASSIGN_OR_RETURN(crypto::Point ki, TellerPublicShare(view, idx));
      public_shares.push_back(std::move(ki));
    }
  }
  ASSIGN_OR_RETURN(v1::Counts counts, CountsFor(view, run));
  ASSIGN_OR_RETURN(crypto::DlogTable table,
                   crypto::DlogTable::Create(std::max<uint64_t>(1, counts.received_votes())));
  const std::string ctx = DecryptionContext(view, run);
  std::vector<uint64_t> totals;
  for (int i = 0; i < tally.totals_size(); ++i) {
    ASSIGN_OR_RETURN(crypto::Ciphertext ct, crypto::FromProto(tally.totals(i)));
    std::vector<crypto::Point> partials;
    for (size_t k = 0; k < shares.size(); ++k) {
      if (verify_partials) {
        RETURN_IF_ERROR(crypto::VerifyPartial(ctx, public_shares[k], ct, shares[k]->partials(i))
                            .Annotate("teller " + std::to_string(indices[k]) + ", total " + std::to_string(i)));
      }
      ASSIGN_OR_RETURN(crypto::Point m, crypto::Point::Decode(shares[k]->partials(i).share()));
      partials.push_back(std::move(m));
    }
    ASSIGN_OR_RETURN(crypto::Point combined, crypto::CombinePartials(indices, partials));
    ASSIGN_OR_RETURN(crypto::Point mg, crypto::DecryptToPoint(ct, combined));
    ASSIGN_OR_RETURN(uint64_t m, table.Solve(mg));
    totals.push_back(m);
  }
  return totals;
}

Result<std::vector<uint64_t>> ResultTotals(const BoardView& view, const Run& run,
                                           const std::vector<uint32_t>& indices,
                                           bool verify_partials) {
  ASSIGN_OR_RETURN(std::vector<uint64_t> totals, DecryptTotals(view, run, indices, verify_partials));
  ASSIGN_OR_RETURN(std::vector<const v1::PaperBatch*> batches, PaperBatchesOf(view, run));
  for (const v1::PaperBatch* b : batches) {
    if (static_cast<size_t>(b->counts_size()) != totals.size()) {
      return VerificationFailed("a paper batch has " + std::to_string(b->counts_size()) + " counts for " +
                                std::to_string(totals.size()) + " totals");
    }
    for (size_t i = 0; i < totals.size(); ++i) totals[i] += b->counts(static_cast<int>(i));
  }
  return totals;
}

std::string DecryptionContext(std::string_view genesis_hash, const std::string& run_id,
                              const std::string& tally_entry) {
  ByteWriter w;
  w.Raw(genesis_hash).Bytes(run_id).Bytes(tally_entry);
  return w.Take();
}

std::string DecryptionContext(const BoardView& view, const Run& run) {
  return DecryptionContext(view.entry(0).hash(), run.run_id, run.tally_entry);
}

}  // namespace phieu::record

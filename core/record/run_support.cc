#include "core/record/run_support.h"

#include <algorithm>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/dlog.h"
#include "core/crypto/proofs.h"
#include "core/crypto/threshold.h"
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

Result<RunAggregate> RunAggregate::Create(const BoardView& view, const Run& run) {
  RunAggregate agg;
  agg.view_ = &view;
  agg.run_ = &run;
  ASSIGN_OR_RETURN(agg.full_, FullLayoutFor(view, run));
  agg.totals_.reserve(agg.full_.cells_size());
  for (int i = 0; i < agg.full_.cells_size(); ++i)
    agg.totals_.push_back(crypto::Ciphertext::Zero());
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
  }
  ++ballots_;
  votes_ += weight;
  return Status::Ok();
}

Result<std::vector<v1::Ciphertext>> RunAggregate::ToProto() const {
  std::vector<v1::Ciphertext> out;
  for (size_t i = 0; i < totals_.size(); ++i) {
    if (totals_[i].pad.IsIdentity()) {
      return FailedPrecondition("total of cell " + std::to_string(i) +
                                " has no ballots in it; it cannot be published or decrypted");
    }
    ASSIGN_OR_RETURN(v1::Ciphertext c, crypto::ToProto(totals_[i]));
    out.push_back(std::move(c));
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

std::string DecryptionContext(const BoardView& view, const Run& run) {
  ByteWriter w;
  w.Raw(view.entry(0).hash()).Bytes(run.run_id).Bytes(run.tally_entry);
  return w.Take();
}

}  // namespace phieu::record

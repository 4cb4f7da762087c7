#include "core/record/receipt_check.h"

#include <algorithm>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/keys.h"
#include "core/record/chain.h"
#include "core/util/bytes.h"
#include "core/util/fingerprint.h"

namespace phieu::record {
namespace {

std::string At(uint64_t seq) { return "#" + std::to_string(seq); }

// Where a ballot with tracking code `code` sits in `run`, if anywhere.
std::optional<uint64_t> FindBallotByCode(const BoardView& view, const Run& run,
                                         const std::string& code) {
  for (const auto& [unit, ref] : run.ballots) {
    if (Hex(crypto::TrackingCode(view.body(ref.seq).ballot())) == code) return ref.seq;
  }
  return std::nullopt;
}

// Steps 2 and 3: the receipt's entry is where it says, and is its ballot.
Status CheckPosition(const BoardView& view, const v1::Receipt& r) {
  const Run* run = view.FindRun(r.run_id());
  const std::string code = r.tracking_code().substr(0, 16);
  if (r.seq() >= view.length()) {
    return VerificationFailed("MISSING: the chain has " + std::to_string(view.length()) +
                              " entries and ends before this ballot's position " + At(r.seq()) +
                              " (tracking code " + code + "...): the ballot was dropped, or the chain was cut");
  }
  const v1::BoardEntry& e = view.entry(r.seq());
  if (e.hash() != r.entry_hash()) {
    std::optional<uint64_t> elsewhere = run ? FindBallotByCode(view, *run, r.tracking_code()) : std::nullopt;
    std::string what = "CHAIN FORKED: entry " + At(r.seq()) + " has hash " + ShortFingerprint(e.hash()) +
                       ", the receipt saw " + ShortFingerprint(r.entry_hash()) +
                       ": this chain is not the one the server receipted";
    if (elsewhere) return VerificationFailed(what + "; the ballot itself is at " + At(*elsewhere));
    return VerificationFailed(what + ", and the ballot (tracking code " + code + "...) is MISSING from it");
  }
  const v1::EntryBody& body = view.body(r.seq());
  if (!body.has_ballot() || Hex(crypto::TrackingCode(body.ballot())) != r.tracking_code() ||
      body.ballot().run_id() != r.run_id() || body.ballot().unit_id() != r.unit_id()) {
    return VerificationFailed("entry " + At(r.seq()) + " is not the ballot the receipt names");
  }
  if (!run) return VerificationFailed("the receipt's run is not in this chain");
  auto counted = run->ballots.find(r.unit_id());
  if (counted == run->ballots.end() || counted->second.seq != r.seq()) {
    return VerificationFailed("entry " + At(r.seq()) + " is not the counted ballot of unit '" +
                              r.unit_id() + "' in its run");
  }
  return Status::Ok();
}

ReceiptFinding CheckOne(const BoardView& view, const crypto::PublicKey* server_key,
                        const StoredReceipt& stored) {
  ReceiptFinding f;
  f.name = stored.name;
  auto fail = [&f](const std::string& message) {
    f.status = ReceiptStatus::kFailed;
    f.message = message;
    return f;
  };
  const v1::SignedReceipt& sr = stored.signed_receipt;
  if (!stored.parsed || !f.receipt.ParseFromString(sr.receipt())) return fail("the receipt does not parse");
  if (!server_key) return fail("this chain's genesis has no usable server signing key");
  if (!server_key->Verify(crypto::kReceiptDomain, sr.receipt(), sr.signature()).ok()) {
    return fail("the receipt's signature does not verify with the server key of this meeting's genesis");
  }
  if (f.receipt.meeting_id() != view.meeting().id()) {
    return fail("the receipt is for meeting '" + f.receipt.meeting_id() + "', this chain is '" +
                view.meeting().id() + "'");
  }
  const Run* run = view.FindRun(f.receipt.run_id());
  if (run) f.ballot_id = run->ballot_id;
  if (Status s = CheckPosition(view, f.receipt); !s.ok()) return fail(s.message());

  const std::string where = "recorded at " + At(f.receipt.seq());
  if (run->cancelled) {
    f.status = ReceiptStatus::kRunCancelled;
    f.message = where + "; the run was cancelled, so nothing of it was counted";
    return f;
  }
  if (!run->tally_entry.empty()) {
    const v1::Tally& tally = view.body(run->tally_seq).tally();
    const std::string id = EntryId(view.entry(f.receipt.seq()));
    if (std::find(tally.ballot_entries().begin(), tally.ballot_entries().end(), id) ==
        tally.ballot_entries().end()) {
      return fail("DROPPED: " + where + " but the run's tally (" + At(run->tally_seq) +
                  ") does not list it: it was not counted");
    }
    f.status = ReceiptStatus::kCounted;
    f.message = "counted: " + where + ", listed in the tally (" + At(run->tally_seq) + ")";
    if (!run->result_entry.empty()) f.message += "; result " + At(run->result_seq);
    return f;
  }
  if (run->closed) {
    f.status = ReceiptStatus::kAwaitingTally;
    f.message = where + "; the run is closed, its tally is not on the board yet";
    return f;
  }
  f.status = ReceiptStatus::kRunOpen;
  f.message = where + ", run still open";
  return f;
}

}  // namespace

std::vector<ReceiptFinding> CheckReceipts(const BoardView& view,
                                          const std::vector<StoredReceipt>& receipts) {
  std::optional<crypto::PublicKey> server_key;
  if (view.has_genesis()) {
    auto key = crypto::PublicKey::FromEd25519Raw(view.genesis().server_signing_key());
    if (key.ok()) server_key.emplace(std::move(key).value());
  }
  std::vector<ReceiptFinding> out;
  out.reserve(receipts.size());
  for (const StoredReceipt& r : receipts) {
    if (!view.has_genesis()) {
      ReceiptFinding f;
      f.name = r.name;
      f.message = "the chain is empty";
      out.push_back(std::move(f));
      continue;
    }
    out.push_back(CheckOne(view, server_key ? &*server_key : nullptr, r));
  }
  return out;
}

Result<BoardView> ViewOfRecord(const v1::ElectionRecord& record) {
  BoardView view;
  std::string prev = ZeroHash();
  for (const v1::BoardEntry& e : record.entries()) {
    RETURN_IF_ERROR(VerifyChainEntry(e, view.length(), prev));
    RETURN_IF_ERROR(view.Apply(e));
    prev = e.hash();
  }
  return view;
}

}  // namespace phieu::record

// Casting a delegate's ballot: see ballot_cast.h.
#include "client/ballot_cast.h"

#include <algorithm>

#include "client/audit.h"
#include "core/crypto/ballot_crypto.h"
#include "core/crypto/keys.h"
#include "core/crypto/private_file.h"
#include "core/crypto/secure.h"
#include "core/record/run_support.h"
#include "core/rules/layout.h"
#include "core/util/bytes.h"

namespace phieu::client {
namespace {

std::string FileStem(const std::string& run_id, const std::string& unit) {
  return run_id.substr(0, 16) + "-" + unit;
}
std::string BallotPath(const std::string& profile, const std::string& run_id, const std::string& unit) {
  return profile + "/ballots/" + FileStem(run_id, unit) + ".entry";
}
std::string ReceiptPath(const std::string& profile, const std::string& run_id, const std::string& unit) {
  return ReceiptsDir(profile) + "/" + FileStem(run_id, unit) + ".receipt";
}

// Checks the server's receipt: its signature by the server key the genesis
// certifies, and that it names the ballot we sent.
Status CheckReceipt(const record::BoardView& view, const v1::SignedReceipt& sr, const v1::EncryptedBallot& b) {
  ASSIGN_OR_RETURN(crypto::PublicKey server, crypto::PublicKey::FromEd25519Raw(view.genesis().server_signing_key()));
  RETURN_IF_ERROR(server.Verify(crypto::kReceiptDomain, sr.receipt(), sr.signature()).Annotate("receipt signature"));
  v1::Receipt r;
  if (!r.ParseFromString(sr.receipt())) return VerificationFailed("receipt does not parse");
  if (r.tracking_code() != Hex(crypto::TrackingCode(b)) || r.run_id() != b.run_id() || r.unit_id() != b.unit_id()) {
    return VerificationFailed("the receipt names another ballot than the one sent");
  }
  return Status::Ok();
}

// Sends `signed_entry` (stored in the profile already) and checks and stores
// the receipt. A dropped connection is reconnected once, and the server asked
// whether the ballot counted before it is sent again.
Result<CastResult> SendStored(std::unique_ptr<MeetingClient>* client, const record::Run& run,
                              const std::string& unit, const v1::SignedEntry& signed_entry) {
  v1::EntryBody body;
  if (!body.ParseFromString(signed_entry.body()) || !body.has_ballot()) {
    return InvalidArgument("the stored ballot for this run does not parse");
  }
  const v1::EncryptedBallot& ballot = body.ballot();
  MeetingClient& c = **client;
  CastResult out;
  auto posted = c.PostSigned(signed_entry);
  if (posted.ok()) {
    out.receipt = posted->receipt();
  } else if (posted.status().code() == StatusCode::kUnavailable) {
    // The connection dropped mid-cast: reconnect and ask whether it counted.
    auto again = MeetingClient::Connect(c.profile_dir());
    if (!again.ok()) return posted.status().Annotate("cast in flight; send again to learn if it counted");
    *client = std::move(*again);
    RETURN_IF_ERROR((*client)->Sync());
    ASSIGN_OR_RETURN(v1::MyBallotAnswer mine, (*client)->MyBallot(run.run_id, unit));
    if (mine.counted()) {
      out.receipt = mine.receipt();
    } else {
      ASSIGN_OR_RETURN(v1::Posted retry, (*client)->PostSigned(signed_entry));
      out.receipt = retry.receipt();
    }
  } else {
    return posted.status();
  }
  const std::string profile = (*client)->profile_dir();
  RETURN_IF_ERROR(CheckReceipt((*client)->view(), out.receipt, ballot));
  RETURN_IF_ERROR(crypto::MakeDirs(ReceiptsDir(profile), 0700));
  RETURN_IF_ERROR(crypto::WritePublicFile(ReceiptPath(profile, run.run_id, unit), out.receipt.SerializeAsString())
                      .Annotate("storing the receipt"));
  return out;
}

}  // namespace

Result<std::vector<uint32_t>> CheckedMarks(const record::BoardView& view, const record::Run& run,
                                           const std::string& unit,
                                           const std::vector<std::string>& choices) {
  const v1::BallotSpec* spec = view.Spec(run.ballot_id);
  if (!spec) return NotFound("no ballot '" + run.ballot_id + "' in this meeting");
  ASSIGN_OR_RETURN(v1::BallotLayout layout, record::VoterLayoutFor(view, run, unit));
  return CheckedMarks(layout, *spec, unit, choices);
}

Result<std::vector<uint32_t>> CheckedMarks(const v1::BallotLayout& layout, const v1::BallotSpec& spec,
                                           const std::string& unit, const std::vector<std::string>& choices) {
  ASSIGN_OR_RETURN(std::vector<uint32_t> marks, rules::MarksFor(layout, spec, choices, unit));
  RETURN_IF_ERROR(rules::CheckMarks(layout, marks).Annotate("the layout's own check"));
  return marks;
}

Status CheckCaster(const MeetingClient& c, const record::Run& run, const std::string& unit) {
  ASSIGN_OR_RETURN(std::string caster, record::CasterFor(c.view(), run, unit));
  if (caster != c.participant_id()) {
    return PermissionDenied("the ballot of '" + unit + "' is cast by " + caster + ", not by you");
  }
  return Status::Ok();
}

std::optional<v1::SignedEntry> StoredBallot(const std::string& profile_dir, const std::string& run_id,
                                            const std::string& unit) {
  auto data = crypto::ReadFile(BallotPath(profile_dir, run_id, unit));
  v1::SignedEntry entry;
  if (!data.ok() || !entry.ParseFromString(*data)) return std::nullopt;
  return entry;
}

std::optional<v1::SignedReceipt> StoredReceipt(const std::string& profile_dir, const std::string& run_id,
                                               const std::string& unit) {
  auto data = crypto::ReadFile(ReceiptPath(profile_dir, run_id, unit));
  v1::SignedReceipt receipt;
  if (!data.ok() || !receipt.ParseFromString(*data)) return std::nullopt;
  return receipt;
}

Result<CastResult> ResendBallot(std::unique_ptr<MeetingClient>* client, const record::Run& run_in,
                                const std::string& unit) {
  const record::Run run = run_in;  // a copy: the client (and its view) may be replaced below
  RETURN_IF_ERROR(CheckCaster(**client, run, unit));
  std::optional<v1::SignedEntry> stored = StoredBallot((*client)->profile_dir(), run.run_id, unit);
  if (!stored) return NotFound("no ballot stored for this run and unit: nothing to resend");
  ASSIGN_OR_RETURN(CastResult out, SendStored(client, run, unit, *stored));
  out.resent = true;
  return out;
}

// ---------------------------------------------------------------- PreparedBallot

Result<std::unique_ptr<PreparedBallot>> PreparedBallot::Prepare(const record::BoardView& view,
                                                                const record::Run& run, const std::string& unit,
                                                                const std::vector<std::string>& choices,
                                                                const Signer& sign) {
  std::unique_ptr<PreparedBallot> p(new PreparedBallot());
  p->run_ = run;
  p->unit_ = unit;
  ASSIGN_OR_RETURN(p->marks_, CheckedMarks(view, run, unit, choices));
  ASSIGN_OR_RETURN(v1::BallotLayout layout, record::VoterLayoutFor(view, run, unit));
  ASSIGN_OR_RETURN(std::string ctx, record::RunContext(view, run));
  ASSIGN_OR_RETURN(crypto::Point key, record::JointKey(view));
  ASSIGN_OR_RETURN(p->ballot_, crypto::EncryptBallot(ctx, key, layout, p->marks_, run.run_id, unit, &p->secrets_));
  v1::EntryBody body;
  *body.mutable_ballot() = p->ballot_;
  ASSIGN_OR_RETURN(p->signed_, sign(std::move(body)));
  p->tracking_code_ = Hex(crypto::TrackingCode(p->ballot_));
  return p;
}

Result<std::unique_ptr<PreparedBallot>> PreparedBallot::Prepare(const MeetingClient& c, const record::Run& run,
                                                                const std::string& unit,
                                                                const std::vector<std::string>& choices) {
  RETURN_IF_ERROR(CheckCaster(c, run, unit));
  if (StoredBallot(c.profile_dir(), run.run_id, unit)) {
    return AlreadyExists("a ballot for this run and unit is already stored (cast, or in flight): it is "
                         "resent as it is, never replaced");
  }
  return Prepare(c.view(), run, unit, choices, [&c](v1::EntryBody body) { return c.Sign(std::move(body)); });
}

PreparedBallot::~PreparedBallot() { Wipe(); }

void PreparedBallot::Wipe() {
  crypto::SecureWipe(marks_.data(), marks_.size() * sizeof(uint32_t));
  secrets_.Wipe();
}

bool PreparedBallot::SecretsWipedForTest() const {
  return secrets_.marks().empty() && secrets_.randomness().empty() &&
         std::all_of(marks_.begin(), marks_.end(), [](uint32_t m) { return m == 0; });
}

Status PreparedBallot::Decide(State to) {
  if (state_ == State::kChecked) {
    return FailedPrecondition("this encryption was checked (its choices and randomness revealed): it can never "
                              "be cast; prepare a fresh ballot");
  }
  if (state_ == State::kCast) return FailedPrecondition("this ballot was already cast");
  state_ = to;
  return Status::Ok();
}

Result<v1::SignedEntry> PreparedBallot::TakeForCast() {
  RETURN_IF_ERROR(Decide(State::kCast));
  Wipe();  // the signed ballot holds no secret
  return signed_;
}

Result<v1::EntryBody> PreparedBallot::TakeForCheck() {
  RETURN_IF_ERROR(Decide(State::kChecked));
  v1::EntryBody body;
  *body.mutable_spoiled() = secrets_.Spoil(ballot_);
  Wipe();
  return body;
}

Result<CastResult> PreparedBallot::Cast(std::unique_ptr<MeetingClient>* client) {
  const record::Run run = run_;
  RETURN_IF_ERROR(CheckCaster(**client, run, unit_));
  const std::string profile = (*client)->profile_dir();
  if (StoredBallot(profile, run.run_id, unit_)) {
    return AlreadyExists("a ballot for this run and unit is already stored (cast, or in flight): resend that one");
  }
  ASSIGN_OR_RETURN(v1::SignedEntry signed_entry, TakeForCast());
  RETURN_IF_ERROR(crypto::MakeDirs(profile + "/ballots", 0700));
  RETURN_IF_ERROR(crypto::WritePrivateFile(BallotPath(profile, run.run_id, unit_), signed_entry.SerializeAsString())
                      .Annotate("storing the ballot before sending it"));
  return SendStored(client, run, unit_, signed_entry);
}

Result<v1::Posted> PreparedBallot::Check(MeetingClient& client) {
  ASSIGN_OR_RETURN(v1::EntryBody body, TakeForCheck());
  return client.Post(std::move(body));
}

ReceiptInfo DescribeReceipt(const v1::SignedReceipt& sr) {
  v1::Receipt r;
  ReceiptInfo info;
  if (!r.ParseFromString(sr.receipt())) return info;
  info.tracking_code = r.tracking_code();
  info.seq = r.seq();
  info.entry_hash = Hex(r.entry_hash());
  return info;
}

}  // namespace phieu::client

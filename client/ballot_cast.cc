// Casting a delegate's ballot: see ballot_cast.h.
#include "client/ballot_cast.h"

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

// Encrypts, signs and stores a new ballot (stored before it is ever sent).
Result<v1::SignedEntry> MakeBallot(const MeetingClient& c, const record::Run& run, const std::string& unit,
                                   const std::vector<std::string>& choices) {
  const record::BoardView& v = c.view();
  ASSIGN_OR_RETURN(std::vector<uint32_t> marks, CheckedMarks(v, run, unit, choices));
  ASSIGN_OR_RETURN(v1::BallotLayout layout, record::VoterLayoutFor(v, run, unit));
  ASSIGN_OR_RETURN(std::string ctx, record::RunContext(v, run));
  ASSIGN_OR_RETURN(crypto::Point key, record::JointKey(v));
  // A ballot to cast keeps no secrets: EncryptBallot clears each cell's
  // randomness when it returns (nothing asked for it), the marks are wiped
  // here, and only the signed ballot (no randomness) is stored.
  auto enc = crypto::EncryptBallot(ctx, key, layout, marks, run.run_id, unit, /*secrets_out=*/nullptr);
  crypto::SecureWipe(marks.data(), marks.size() * sizeof(uint32_t));
  if (!enc.ok()) return enc.status();
  v1::EntryBody body;
  *body.mutable_ballot() = *enc;
  ASSIGN_OR_RETURN(v1::SignedEntry signed_entry, c.Sign(body));
  RETURN_IF_ERROR(crypto::MakeDirs(c.profile_dir() + "/ballots", 0700));
  RETURN_IF_ERROR(crypto::WritePrivateFile(BallotPath(c.profile_dir(), run.run_id, unit),
                                           signed_entry.SerializeAsString())
                      .Annotate("storing the ballot before sending it"));
  return signed_entry;
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

Result<CastResult> CastBallot(std::unique_ptr<MeetingClient>* client, const record::Run& run_in,
                              const std::string& unit, const std::vector<std::string>& choices) {
  const record::Run run = run_in;  // a copy: the client (and its view) may be replaced below
  MeetingClient& c = **client;
  RETURN_IF_ERROR(CheckCaster(c, run, unit));
  CastResult out;
  v1::SignedEntry signed_entry;
  if (auto stored = StoredBallot(c.profile_dir(), run.run_id, unit)) {
    signed_entry = *stored;
    out.resent = true;
  } else {
    ASSIGN_OR_RETURN(signed_entry, MakeBallot(c, run, unit, choices));
  }
  v1::EntryBody body;
  if (!body.ParseFromString(signed_entry.body()) || !body.has_ballot()) {
    return InvalidArgument("the stored ballot for this run does not parse");
  }
  const v1::EncryptedBallot ballot = body.ballot();

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

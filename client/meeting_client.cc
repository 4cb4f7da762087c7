#include "client/meeting_client.h"

#include <algorithm>
#include <ctime>

#include "core/crypto/keys.h"
#include "core/record/chain.h"
#include "core/util/bytes.h"

namespace phieu::client {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(30);

Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& server) {
  // "127.0.0.1:7443", "[::1]:7443", "host:7443"
  auto colon = server.rfind(':');
  if (colon == std::string::npos || colon + 1 == server.size()) {
    return InvalidArgument("server address '" + server + "' is not host:port");
  }
  std::string host = server.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  try {
    port = std::stoul(server.substr(colon + 1));
  } catch (...) {
    port = 0;
  }
  if (port == 0 || port > 65535) return InvalidArgument("server address '" + server + "' has a bad port");
  return std::make_pair(host, static_cast<uint16_t>(port));
}

std::string JoinPath(const std::string& dir, const std::string& file) {
  if (file.empty() || file.front() == '/') return file;
  return dir + "/" + file;
}

}  // namespace

Status StatusFromError(const v1::Error& error) {
  std::string m = error.message();
  switch (error.code()) {
    case v1::ERROR_PERMISSION_DENIED: return PermissionDenied(m);
    case v1::ERROR_WRONG_PHASE: return FailedPrecondition(m);
    case v1::ERROR_ALREADY_VOTED: return AlreadyExists(m);
    case v1::ERROR_VERIFICATION_FAILED: return VerificationFailed(m);
    case v1::ERROR_NOT_FOUND: return NotFound(m);
    case v1::ERROR_RATE_LIMITED: return ResourceExhausted(m);
    case v1::ERROR_UNAVAILABLE: return Unavailable(m);
    case v1::ERROR_BAD_REQUEST: return InvalidArgument(m);
    default: return Internal(m);
  }
}

MeetingClient::MeetingClient(std::string profile_dir, certs::Credentials creds,
                             std::unique_ptr<Connection> conn)
    : profile_dir_(std::move(profile_dir)), creds_(std::move(creds)), conn_(std::move(conn)) {}

Result<std::unique_ptr<MeetingClient>> MeetingClient::Connect(const std::string& profile_dir) {
  ASSIGN_OR_RETURN(certs::Credentials creds,
                   certs::LoadCredentials(profile_dir, static_cast<int64_t>(std::time(nullptr))));
  ASSIGN_OR_RETURN(auto host_port, SplitHostPort(creds.profile.server()));
  ConnectOptions options;
  options.host = host_port.first;
  options.port = host_port.second;
  options.ca_file = JoinPath(profile_dir, creds.profile.ca_file());
  options.cert_file = JoinPath(profile_dir, creds.profile.cert_file());
  options.key_file = JoinPath(profile_dir, creds.profile.key_file());
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(options));
  return std::unique_ptr<MeetingClient>(
      new MeetingClient(profile_dir, std::move(creds), std::move(conn)));
}

Result<v1::Envelope> MeetingClient::Call(v1::Envelope request) {
  ASSIGN_OR_RETURN(v1::Envelope response, conn_->Call(std::move(request), kCallTimeout));
  if (response.has_error()) return StatusFromError(response.error());
  return response;
}

Status CheckGenesisEntry(const v1::BoardEntry& entry, const crypto::Certificate& ca,
                         const std::string& meeting_id) {
  v1::EntryBody body;
  if (!body.ParseFromString(entry.signed_().body()) || !body.has_genesis()) {
    return VerificationFailed("entry 0 is not a genesis entry");
  }
  if (entry.signed_().author() != "ca") return VerificationFailed("entry 0 is not signed by the meeting CA");
  if (body.genesis().ca_certificate() != ca.Der()) {
    return VerificationFailed(
        "the server's meeting was made by another CA than the one in this profile "
        "(wrong server, or a stale profile)");
  }
  ASSIGN_OR_RETURN(crypto::PublicKey ca_key, ca.Key());
  RETURN_IF_ERROR(ca_key.Verify(crypto::kEntryDomain, entry.signed_().body(), entry.signed_().signature())
                      .Annotate("genesis signature by the meeting CA"));
  if (body.meeting_id() != meeting_id) {
    return VerificationFailed("the server runs meeting '" + body.meeting_id() +
                              "', this profile is for '" + meeting_id + "'");
  }
  return Status::Ok();
}

Status MeetingClient::CheckGenesis(const v1::BoardEntry& entry) const {
  return CheckGenesisEntry(entry, creds_.ca, creds_.profile.meeting_id());
}

Status MeetingClient::CheckOwnPin() const {
  const record::RosterPerson* me = view_.PersonByPin(pin());
  if (!me || me->participant_id != participant_id()) {
    return VerificationFailed(
        "THE ROSTER DOES NOT PIN YOUR CERTIFICATE (" + pin().substr(0, 16) +
        "...): the server's roster names another key for '" + participant_id() +
        "'. Do not vote; tell the chair at once.");
  }
  if (me->revoked) {
    return PermissionDenied("your certificate was revoked at entry " +
                            std::to_string(me->revoked_seq) + "; ask the chair for a new one");
  }
  return Status::Ok();
}

Status MeetingClient::ApplyEntry(const v1::BoardEntry& entry) {
  if (entry.seq() < view_.length()) return Status::Ok();  // already have it
  if (entry.seq() > view_.length()) {
    return Unavailable("missing entries before " + std::to_string(entry.seq()));
  }
  std::string prev = view_.length() == 0 ? record::ZeroHash() : view_.entries().back().hash();
  RETURN_IF_ERROR(record::VerifyChainEntry(entry, view_.length(), prev));
  if (entry.seq() == 0) RETURN_IF_ERROR(CheckGenesis(entry));
  return view_.Apply(entry);
}

Status MeetingClient::CatchUp() {
  for (;;) {
    v1::Envelope req;
    req.mutable_get_entries()->set_from_seq(view_.length());
    ASSIGN_OR_RETURN(v1::Envelope resp, Call(std::move(req)));
    if (!resp.has_entries()) return Internal("server answered GetEntries with something else");
    for (const auto& e : resp.entries().entries()) RETURN_IF_ERROR(ApplyEntry(e));
    if (resp.entries().entries().empty() || view_.length() >= resp.entries().chain_length()) break;
  }
  return Status::Ok();
}

Status MeetingClient::Sync() {
  RETURN_IF_ERROR(CatchUp());
  if (!view_.has_genesis()) return FailedPrecondition("the server has no meeting loaded yet");
  RETURN_IF_ERROR(CheckOwnPin());
  pin_checked_ = true;
  return DrainEvents(std::chrono::milliseconds(0));
}

Status MeetingClient::DrainEvents(std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds(0);
    ASSIGN_OR_RETURN(std::optional<v1::Event> ev, conn_->NextEvent(left));
    if (!ev) return Status::Ok();
    if (ev->has_revoked()) return PermissionDenied("the server revoked this certificate: " + ev->revoked().reason());
    if (!ev->has_appended()) continue;
    const v1::BoardEntry& e = ev->appended();
    if (e.seq() > view_.length()) {
      // We missed some (events raced our GetEntries): catch up by reading.
      v1::Envelope req;
      req.mutable_get_entries()->set_from_seq(view_.length());
      ASSIGN_OR_RETURN(v1::Envelope resp, Call(std::move(req)));
      for (const auto& x : resp.entries().entries()) RETURN_IF_ERROR(ApplyEntry(x));
    } else {
      RETURN_IF_ERROR(ApplyEntry(e));
    }
    if (wait.count() == 0) continue;  // drain without waiting
    return Status::Ok();              // one batch per wait: let the caller re-check
  }
}

Status MeetingClient::WaitFor(const std::function<bool(const record::BoardView&)>& done,
                              std::chrono::milliseconds timeout, const std::string& what) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done(view_)) return Status::Ok();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return FailedPrecondition("timed out waiting for " + what);
    RETURN_IF_ERROR(DrainEvents(std::min(left, std::chrono::milliseconds(1000))));
  }
}

Result<v1::SignedEntry> MeetingClient::Sign(v1::EntryBody body) const {
  body.set_meeting_id(creds_.profile.meeting_id());
  v1::SignedEntry signed_entry;
  if (!body.SerializeToString(signed_entry.mutable_body())) return Internal("cannot serialize entry");
  ASSIGN_OR_RETURN(std::string sig, creds_.key.Sign(crypto::kEntryDomain, signed_entry.body()));
  signed_entry.set_author(pin());
  signed_entry.set_signature(std::move(sig));
  return signed_entry;
}

Result<v1::Posted> MeetingClient::PostSigned(const v1::SignedEntry& entry) {
  v1::Envelope req;
  *req.mutable_post()->mutable_entry() = entry;
  ASSIGN_OR_RETURN(v1::Envelope resp, Call(std::move(req)));
  if (!resp.has_posted()) return Internal("server answered Post with something else");
  // Act on the board, not on the answer: hold the entry before going on.
  if (view_.length() <= resp.posted().seq()) RETURN_IF_ERROR(CatchUp());
  return resp.posted();
}

Result<v1::Posted> MeetingClient::Post(v1::EntryBody body) {
  ASSIGN_OR_RETURN(v1::SignedEntry signed_entry, Sign(std::move(body)));
  return PostSigned(signed_entry);
}

Result<v1::MyBallotAnswer> MeetingClient::MyBallot(const std::string& run_id,
                                                   const std::string& unit_id) {
  v1::Envelope req;
  req.mutable_my_ballot()->set_run_id(run_id);
  req.mutable_my_ballot()->set_unit_id(unit_id);
  ASSIGN_OR_RETURN(v1::Envelope resp, Call(std::move(req)));
  if (!resp.has_my_ballot_answer()) return Internal("server answered MyBallot with something else");
  return resp.my_ballot_answer();
}

std::string MeetingClient::own_unit() const {
  if (!view_.has_genesis()) return "";
  const v1::Participant* p = view_.Participant(participant_id());
  if (!p || !view_.HasRole(participant_id(), v1::ROLE_DELEGATE)) return "";
  return p->unit_id();
}

bool MeetingClient::HasRole(v1::Role role) const {
  return view_.has_genesis() && view_.HasRole(participant_id(), role);
}

}  // namespace phieu::client

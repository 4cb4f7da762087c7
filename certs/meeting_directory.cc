#include "certs/meeting_directory.h"

#include <openssl/rand.h>

#include <cstdio>
#include <optional>
#include <set>

#include "certs/certificate_request.h"
#include "certs/profile.h"
#include "core/crypto/keys.h"
#include "core/crypto/openssl_error.h"
#include "core/crypto/private_file.h"
#include "core/crypto/secure.h"
#include "core/meeting/meeting_file.h"
#include "core/meeting/meeting_validator.h"

namespace phieu::certs {
namespace {

// Writes a private key's PEM 0600 and wipes the PEM from memory.
Status WriteKey(const std::string& path, const crypto::PrivateKey& key) {
  ASSIGN_OR_RETURN(std::string pem, key.ToPem());
  Status s = crypto::WritePrivateFile(path, pem);
  crypto::SecureWipe(pem);
  return s;
}

// A missing file of an earlier step: say which command makes it.
Result<std::string> ReadStep(const std::string& path, std::string_view command) {
  auto r = crypto::ReadFile(path);
  if (!r.ok() && r.status().code() == StatusCode::kNotFound) {
    return NotFound(path + " is missing: run `" + std::string(command) + "` first");
  }
  return r;
}

bool HasParticipant(const phieu::v1::Meeting& m, std::string_view id) {
  for (const auto& p : m.participants()) {
    if (p.id() == id) return true;
  }
  return false;
}

}  // namespace

bool IsValidId(std::string_view id) { return phieu::meeting::IsValidId(id); }

Result<phieu::v1::Meeting> ParseMeetingText(std::string_view text) {
  // The one text-format parser (its error names line and column); certs/
  // then needs only the participants, so it checks no more than those.
  Result<phieu::v1::Meeting> parsed = phieu::meeting::ParseMeeting(text);
  if (!parsed.ok()) return parsed.status().Annotate("meeting file");
  phieu::v1::Meeting meeting = std::move(parsed).value();
  if (!IsValidId(meeting.id())) return InvalidArgument("meeting file: id must be [a-z0-9-]+");
  if (meeting.participants().empty()) return InvalidArgument("meeting file: no participants");
  std::set<std::string> seen;
  for (const auto& p : meeting.participants()) {
    if (!IsValidId(p.id())) {
      return InvalidArgument("meeting file: participant id \"" + p.id() + "\" must be [a-z0-9-]+");
    }
    if (!seen.insert(p.id()).second) {
      return InvalidArgument("meeting file: participant id \"" + p.id() + "\" appears twice");
    }
  }
  return meeting;
}

Result<KeygenOutput> Keygen(const std::string& dir, std::string_view id) {
  if (!IsValidId(id)) return InvalidArgument("participant id must be [a-z0-9-]+");
  RETURN_IF_ERROR(crypto::MakeDirs(dir, 0700));
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::GenerateP256());
  KeygenOutput out{dir + "/key.pem", dir + "/request.csr", ""};
  ASSIGN_OR_RETURN(std::string csr, CertificateRequest::Create(key, id));
  RETURN_IF_ERROR(WriteKey(out.key_path, key));
  RETURN_IF_ERROR(crypto::WritePublicFile(out.csr_path, csr));
  ASSIGN_OR_RETURN(crypto::PublicKey pub, key.Public());
  ASSIGN_OR_RETURN(out.fingerprint, pub.Fingerprint());
  return out;
}

std::string MeetingDirectory::ParticipantDir(std::string_view id) const {
  return root_ + "/participants/" + std::string(id);
}

Status MeetingDirectory::CreateCa(std::string_view meeting_text, int64_t now) {
  ASSIGN_OR_RETURN(phieu::v1::Meeting meeting, ParseMeetingText(meeting_text));
  RETURN_IF_ERROR(crypto::MakeDirs(root_ + "/ca", 0700));
  ASSIGN_OR_RETURN(MeetingCa ca, MeetingCa::Create(meeting.id(), Validity::Around(now)));
  RETURN_IF_ERROR(WriteKey(root_ + "/ca/ca.key", ca.key()));
  ASSIGN_OR_RETURN(std::string pem, ca.certificate().Pem());
  RETURN_IF_ERROR(crypto::WritePublicFile(root_ + "/ca/ca.pem", pem));
  return crypto::WritePublicFile(root_ + "/ca/meeting.textproto", meeting_text);
}

Result<phieu::v1::Meeting> MeetingDirectory::LoadMeeting() const {
  ASSIGN_OR_RETURN(std::string text,
                   ReadStep(root_ + "/ca/meeting.textproto", "phieu certs ca --meeting FILE"));
  return ParseMeetingText(text);
}

Result<MeetingCa> MeetingDirectory::LoadCa() const {
  ASSIGN_OR_RETURN(std::string cert, ReadStep(root_ + "/ca/ca.pem", "phieu certs ca"));
  ASSIGN_OR_RETURN(std::string key, ReadStep(root_ + "/ca/ca.key", "phieu certs ca"));
  auto ca = MeetingCa::Load(key, cert);
  crypto::SecureWipe(key);
  return ca;
}

Status MeetingDirectory::CreateServer(const std::vector<std::string>& names, int64_t now) {
  ASSIGN_OR_RETURN(MeetingCa ca, LoadCa());
  RETURN_IF_ERROR(crypto::MakeDirs(root_ + "/server", 0700));
  ASSIGN_OR_RETURN(crypto::PrivateKey tls_key, crypto::PrivateKey::GenerateP256());
  ASSIGN_OR_RETURN(crypto::PublicKey tls_pub, tls_key.Public());
  ASSIGN_OR_RETURN(crypto::Certificate cert, ca.IssueServer(tls_pub, names, Validity::Around(now)));
  ASSIGN_OR_RETURN(crypto::PrivateKey signing, crypto::PrivateKey::GenerateEd25519());
  ASSIGN_OR_RETURN(crypto::PublicKey signing_pub, signing.Public());
  RETURN_IF_ERROR(WriteKey(root_ + "/server/server.key", tls_key));
  RETURN_IF_ERROR(WriteKey(root_ + "/server/signing.key", signing));
  ASSIGN_OR_RETURN(std::string cert_pem, cert.Pem());
  RETURN_IF_ERROR(crypto::WritePublicFile(root_ + "/server/server.pem", cert_pem));
  ASSIGN_OR_RETURN(std::string pub_pem, signing_pub.Pem());
  return crypto::WritePublicFile(root_ + "/server/signing.pub", pub_pem);
}

Result<std::string> MeetingDirectory::SignRequest(std::string_view csr_pem, std::string_view id,
                                                  int64_t now) {
  if (!IsValidId(id)) return InvalidArgument("participant id must be [a-z0-9-]+");
  ASSIGN_OR_RETURN(phieu::v1::Meeting meeting, LoadMeeting());
  if (!HasParticipant(meeting, id)) {
    return InvalidArgument("\"" + std::string(id) + "\" is not a participant of meeting " +
                           meeting.id() + ": check the id against the meeting file");
  }
  ASSIGN_OR_RETURN(MeetingCa ca, LoadCa());
  ASSIGN_OR_RETURN(crypto::Certificate cert, ca.SignRequest(csr_pem, id, Validity::Around(now)));
  std::string dir = ParticipantDir(id);
  RETURN_IF_ERROR(crypto::MakeDirs(dir, 0755));
  ASSIGN_OR_RETURN(std::string pem, cert.Pem());
  RETURN_IF_ERROR(crypto::WritePublicFile(dir + "/cert.pem", pem));
  return cert.Pin();
}

Status MeetingDirectory::WriteProfile(std::string_view id, std::string_view server) {
  if (!IsValidId(id)) return InvalidArgument("participant id must be [a-z0-9-]+");
  if (server.empty() || server.find(':') == std::string_view::npos) {
    return InvalidArgument("server address must be HOST:PORT");
  }
  ASSIGN_OR_RETURN(phieu::v1::Meeting meeting, LoadMeeting());
  if (!HasParticipant(meeting, id)) {
    return InvalidArgument("\"" + std::string(id) + "\" is not a participant of meeting " +
                           meeting.id());
  }
  ASSIGN_OR_RETURN(std::string ca_pem, ReadStep(root_ + "/ca/ca.pem", "phieu certs ca"));
  std::string dir = ParticipantDir(id);
  RETURN_IF_ERROR(crypto::MakeDirs(dir, 0755));
  RETURN_IF_ERROR(crypto::WritePublicFile(dir + "/ca.pem", ca_pem));
  phieu::v1::Profile profile;
  profile.set_server(std::string(server));
  profile.set_meeting_id(meeting.id());
  profile.set_participant_id(std::string(id));
  profile.set_ca_file("ca.pem");
  profile.set_cert_file("cert.pem");
  profile.set_key_file("key.pem");
  return certs::WriteProfile(dir, profile);
}

Result<phieu::v1::SignedEntry> MeetingDirectory::BuildGenesis(const phieu::v1::Meeting& meeting,
                                                              int64_t now) {
  ASSIGN_OR_RETURN(MeetingCa ca, LoadCa());
  phieu::v1::EntryBody body;
  body.set_meeting_id(meeting.id());
  phieu::v1::Genesis* g = body.mutable_genesis();
  *g->mutable_meeting() = meeting;
  std::vector<std::string> missing;
  for (const auto& p : meeting.participants()) {
    auto pem = crypto::ReadFile(ParticipantDir(p.id()) + "/cert.pem");
    if (!pem.ok()) {
      missing.push_back(p.id());
      continue;
    }
    ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromPem(*pem));
    RETURN_IF_ERROR(cert.VerifyIssuedBy(ca.certificate(), now).Annotate(p.id()));
    if (cert.CommonName() != p.id()) {
      return InvalidArgument(ParticipantDir(p.id()) + "/cert.pem is for \"" + cert.CommonName() +
                             "\"");
    }
    phieu::v1::RosterMember* m = g->add_roster();
    m->set_participant_id(p.id());
    m->set_certificate(cert.Der());
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& id : missing) list += (list.empty() ? "" : ", ") + id;
    return FailedPrecondition("no certificate yet for: " + list +
                              " (sign their requests with `phieu certs sign` first)");
  }
  g->set_ca_certificate(ca.certificate().Der());
  ASSIGN_OR_RETURN(std::string tls_pem,
                   ReadStep(root_ + "/server/server.pem", "phieu certs server"));
  ASSIGN_OR_RETURN(crypto::Certificate tls, crypto::Certificate::FromPem(tls_pem));
  RETURN_IF_ERROR(tls.VerifyIssuedBy(ca.certificate(), now).Annotate("server certificate"));
  g->set_server_tls_certificate(tls.Der());
  ASSIGN_OR_RETURN(std::string pub_pem,
                   ReadStep(root_ + "/server/signing.pub", "phieu certs server"));
  ASSIGN_OR_RETURN(crypto::PublicKey signing, crypto::PublicKey::FromPem(pub_pem));
  ASSIGN_OR_RETURN(std::string raw, signing.RawEd25519());
  g->set_server_signing_key(raw);
  std::string nonce(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), 32) != 1) {
    return crypto::OpenSslError("genesis nonce: RAND_bytes");
  }
  g->set_nonce(nonce);
  g->set_created_unix_ms(now * 1000);

  phieu::v1::SignedEntry entry;
  if (!body.SerializeToString(entry.mutable_body())) return Internal("genesis: serialize");
  entry.set_author("ca");
  ASSIGN_OR_RETURN(*entry.mutable_signature(), ca.key().Sign(crypto::kEntryDomain, entry.body()));
  std::string bytes;
  if (!entry.SerializeToString(&bytes)) return Internal("genesis: serialize SignedEntry");
  RETURN_IF_ERROR(crypto::WritePublicFile(root_ + "/genesis.entry", bytes));
  return entry;
}

Result<MeetingDirectory::Replacement> MeetingDirectory::ReplaceCertificate(std::string_view id,
                                                                           std::string_view csr_pem,
                                                                           std::string_view reason,
                                                                           int64_t now) {
  if (!IsValidId(id)) return InvalidArgument("participant id must be [a-z0-9-]+");
  ASSIGN_OR_RETURN(phieu::v1::Meeting meeting, LoadMeeting());
  if (!HasParticipant(meeting, id)) {
    return InvalidArgument("\"" + std::string(id) + "\" is not a participant of meeting " +
                           meeting.id());
  }
  ASSIGN_OR_RETURN(MeetingCa ca, LoadCa());
  std::string dir = ParticipantDir(id);
  ASSIGN_OR_RETURN(std::string old_pem, ReadStep(dir + "/cert.pem", "phieu certs sign"));
  ASSIGN_OR_RETURN(crypto::Certificate old_cert, crypto::Certificate::FromPem(old_pem));
  Replacement out;
  out.revoked_pin = old_cert.Pin();

  phieu::v1::EntryBody body;
  body.set_meeting_id(meeting.id());
  phieu::v1::RosterChange* change = body.mutable_roster_change();
  change->add_revoke_pins(out.revoked_pin);
  change->set_reason(std::string(reason));
  std::optional<crypto::Certificate> fresh;
  if (!csr_pem.empty()) {
    ASSIGN_OR_RETURN(crypto::Certificate cert, ca.SignRequest(csr_pem, id, Validity::Around(now)));
    if (cert.Key().value().Fingerprint().value() == old_cert.Key().value().Fingerprint().value()) {
      return InvalidArgument(
          "the new request uses the lost key: make a new key with `phieu keygen`");
    }
    phieu::v1::RosterMember* m = change->add_add();
    m->set_participant_id(std::string(id));
    m->set_certificate(cert.Der());
    out.new_pin = cert.Pin();
    fresh.emplace(std::move(cert));
  }
  if (!body.SerializeToString(out.entry.mutable_body()))
    return Internal("roster change: serialize");
  out.entry.set_author("ca");
  ASSIGN_OR_RETURN(*out.entry.mutable_signature(),
                   ca.key().Sign(crypto::kEntryDomain, out.entry.body()));
  std::string bytes;
  if (!out.entry.SerializeToString(&bytes)) return Internal("roster change: serialize entry");
  out.path = root_ + "/roster-change-" + std::string(id) + "-" + std::to_string(now) + ".entry";
  RETURN_IF_ERROR(crypto::WritePublicFile(out.path, bytes));
  RETURN_IF_ERROR(crypto::WritePublicFile(
      dir + "/cert.revoked-" + out.revoked_pin.substr(0, 16) + ".pem", old_pem));
  if (fresh) {
    ASSIGN_OR_RETURN(std::string pem, fresh->Pem());
    RETURN_IF_ERROR(crypto::WritePublicFile(dir + "/cert.pem", pem));
  } else {
    std::remove((dir + "/cert.pem").c_str());
  }
  return out;
}

Status MeetingDirectory::InitAll(std::string_view meeting_text, std::string_view server,
                                 const std::vector<std::string>& names, int64_t now) {
  RETURN_IF_ERROR(CreateCa(meeting_text, now));
  RETURN_IF_ERROR(CreateServer(names, now));
  ASSIGN_OR_RETURN(phieu::v1::Meeting meeting, LoadMeeting());
  for (const auto& p : meeting.participants()) {
    std::string dir = ParticipantDir(p.id());
    ASSIGN_OR_RETURN(KeygenOutput kg, Keygen(dir, p.id()));
    ASSIGN_OR_RETURN(std::string csr, crypto::ReadFile(kg.csr_path));
    ASSIGN_OR_RETURN(std::string pin, SignRequest(csr, p.id(), now));
    std::remove(kg.csr_path.c_str());  // the request has served its purpose
    RETURN_IF_ERROR(WriteProfile(p.id(), server));
  }
  return BuildGenesis(meeting, now).status();
}

}  // namespace phieu::certs

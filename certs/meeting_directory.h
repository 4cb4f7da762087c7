// The chair's certificate directory for one meeting, and the participant's
// keygen. Layout (docs/certificates.md):
//
//   DIR/ca/ca.pem, ca.key (0600), meeting.textproto (the meeting file, copied)
//   DIR/server/server.pem, server.key (0600), signing.key (Ed25519, 0600),
//              signing.pub
//   DIR/participants/<id>/cert.pem, ca.pem, profile.textproto
//                         [key.pem (0600): only with `certs init`, the quick way]
//   DIR/genesis.entry      serialized phieu.v1.SignedEntry, signed by the CA
//
// Every function takes `now_unix` (certificate validity, genesis time) so that
// tests choose the clock.
//
// Thread-safety: none; one process works on a directory at a time.
// Errors: NotFound (a file of an earlier step is missing: the message names
// the command that makes it), AlreadyExists (a key would be overwritten),
// InvalidArgument (bad id, meeting file, CSR), plus crypto errors.
#ifndef PHIEU_CERTS_MEETING_DIRECTORY_H_
#define PHIEU_CERTS_MEETING_DIRECTORY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "certs/meeting_ca.h"
#include "core/util/status.h"
#include "phieu/v1/meeting.pb.h"
#include "phieu/v1/record.pb.h"

namespace phieu::certs {

// Participant ids name directories and certificates: [a-z0-9-]+, ≤ 64 chars.
bool IsValidId(std::string_view id);

// Parses a text-format phieu.v1.Meeting and checks what certificates need:
// a meeting id and valid, distinct participant ids.
Result<phieu::v1::Meeting> ParseMeetingText(std::string_view text);

// On a participant's laptop: DIR/key.pem (0600) and DIR/request.csr.
struct KeygenOutput {
  std::string key_path;
  std::string csr_path;
  std::string fingerprint;  // hex SHA-256 of the public key (SubjectPublicKeyInfo)
};
Result<KeygenOutput> Keygen(const std::string& dir, std::string_view id);

class MeetingDirectory {
 public:
  explicit MeetingDirectory(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string ParticipantDir(std::string_view id) const;

  // ca/: a new meeting CA, and a copy of the meeting file.
  Status CreateCa(std::string_view meeting_text, int64_t now_unix);
  Result<phieu::v1::Meeting> LoadMeeting() const;
  Result<MeetingCa> LoadCa() const;

  // server/: TLS key and certificate for `names`, and the Ed25519 signing key.
  Status CreateServer(const std::vector<std::string>& names, int64_t now_unix);

  // participants/<id>/cert.pem from a CSR; `id` must be in the meeting file.
  // Returns the certificate's pin.
  Result<std::string> SignRequest(std::string_view csr_pem, std::string_view id, int64_t now_unix);

  // participants/<id>/profile.textproto and ca.pem.
  Status WriteProfile(std::string_view id, std::string_view server);

  // genesis.entry: the roster of every participant (all must have cert.pem),
  // signed by the CA over kEntryDomain. `meeting` is the meeting as parsed.
  Result<phieu::v1::SignedEntry> BuildGenesis(const phieu::v1::Meeting& meeting, int64_t now_unix);

  // A lost or stolen laptop: revokes `id`'s current pin and, when a new
  // request is given, signs it (participants/<id>/cert.pem is replaced; the
  // old one is kept as cert.revoked-<pin prefix>.pem). Returns the roster
  // change, signed by the CA over kEntryDomain with author "ca", also
  // written to DIR/roster-change-<id>-<unix time>.entry for the chair to post.
  struct Replacement {
    phieu::v1::SignedEntry entry;
    std::string path;
    std::string revoked_pin;
    std::string new_pin;  // empty when no request was given
  };
  Result<Replacement> ReplaceCertificate(std::string_view id, std::string_view csr_pem,
                                         std::string_view reason, int64_t now_unix);

  // The quick way (one machine, demos and tests): everything above, with
  // every participant's key made here too.
  Status InitAll(std::string_view meeting_text, std::string_view server,
                 const std::vector<std::string>& names, int64_t now_unix);

 private:
  std::string root_;
};

}  // namespace phieu::certs

#endif  // PHIEU_CERTS_MEETING_DIRECTORY_H_

// The meeting's certificate authority: one per meeting, ECDSA P-256,
// self-signed (basicConstraints CA:TRUE, keyUsage keyCertSign+cRLSign).
// It issues the server's TLS certificate (serverAuth, SANs) and signs the
// participants' certificate requests into clientAuth certificates whose CN is
// the participant id. Its key is the meeting's, not the chair's personal key.
//
// Certificates start an hour before `now` (laptop clocks drift) and last
// 30 days by default; Validity says otherwise when asked.
//
// Thread-safety: a const MeetingCa may issue from several threads.
// Errors: InvalidArgument (bad SAN, CSR whose CN is not the expected id,
// key type), VerificationFailed (CSR self-signature), Internal (OpenSSL).
#ifndef PHIEU_CERTS_MEETING_CA_H_
#define PHIEU_CERTS_MEETING_CA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/util/status.h"

namespace phieu::certs {

inline constexpr int64_t kBackdateSeconds = 3600;
inline constexpr int64_t kDefaultValidDays = 30;

struct Validity {
  int64_t not_before = 0;  // unix seconds
  int64_t not_after = 0;
  // [now - 1 hour, now + days].
  static Validity Around(int64_t now_unix, int64_t days = kDefaultValidDays);
};

// Loopback: 127.0.0.1, ::1 and localhost.
std::vector<std::string> DefaultServerNames();

class MeetingCa {
 public:
  // A new CA key and self-signed certificate, CN "Phiếu meeting CA <id>".
  static Result<MeetingCa> Create(std::string_view meeting_id, const Validity& validity);
  // From the CA's PEM key and certificate (the key must match the cert).
  static Result<MeetingCa> Load(std::string_view key_pem, std::string_view cert_pem);

  const crypto::Certificate& certificate() const { return cert_; }
  const crypto::PrivateKey& key() const { return key_; }

  // TLS server certificate for `key`: serverAuth, subjectAltName from
  // `names` (IPv4/IPv6 addresses become IP entries, the rest DNS entries).
  Result<crypto::Certificate> IssueServer(const crypto::PublicKey& key,
                                          const std::vector<std::string>& names,
                                          const Validity& validity) const;
  // Client certificate for the participant `expected_id` from its PEM CSR;
  // refuses a CSR whose CN is not exactly `expected_id`.
  Result<crypto::Certificate> SignRequest(std::string_view csr_pem, std::string_view expected_id,
                                          const Validity& validity) const;

 private:
  MeetingCa(crypto::PrivateKey key, crypto::Certificate cert)
      : key_(std::move(key)), cert_(std::move(cert)) {}
  crypto::PrivateKey key_;
  crypto::Certificate cert_;
};

}  // namespace phieu::certs

#endif  // PHIEU_CERTS_MEETING_CA_H_

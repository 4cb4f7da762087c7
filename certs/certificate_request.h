// A participant's certificate request (PKCS#10 CSR, PEM): made on the
// participant's own laptop from its own key, with CN = participant id, and
// handed to the chair, who signs it with the meeting CA (MeetingCa).
//
// Thread-safety: values.
// Errors: InvalidArgument for a malformed CSR, VerificationFailed when the
// CSR's self-signature does not verify, Internal for OpenSSL failures.
#ifndef PHIEU_CERTS_CERTIFICATE_REQUEST_H_
#define PHIEU_CERTS_CERTIFICATE_REQUEST_H_

#include <string>
#include <string_view>

#include "core/crypto/keys.h"
#include "core/util/status.h"

namespace phieu::certs {

class CertificateRequest {
 public:
  // A PEM CSR with subject CN = participant_id, signed by `key` (P-256).
  static Result<std::string> Create(const crypto::PrivateKey& key, std::string_view participant_id);
  // Parses a PEM CSR and checks its self-signature (proof that its maker
  // holds the key).
  static Result<CertificateRequest> Parse(std::string_view pem);

  const std::string& common_name() const { return common_name_; }
  const crypto::PublicKey& key() const { return key_; }

 private:
  CertificateRequest(std::string cn, crypto::PublicKey key)
      : common_name_(std::move(cn)), key_(std::move(key)) {}
  std::string common_name_;
  crypto::PublicKey key_;
};

}  // namespace phieu::certs

#endif  // PHIEU_CERTS_CERTIFICATE_REQUEST_H_

// An X.509 certificate issued by a meeting's CA (or the CA's own
// self-signed certificate): the identity half of a participant, the server
// or the CA. The roster pins a certificate by Pin() = lowercase hex SHA-256
// of its DER encoding.
//
// Validity is always judged at a time the caller gives (the server's stamp of
// the board entry, DECISIONS.md "Time"), never at the machine's clock.
//
// Thread-safety: a const Certificate may be shared between threads; moving
// or destroying needs exclusive access.
// Errors: malformed DER/PEM -> InvalidArgument; VerifyIssuedBy -> Verification
// Failed naming the failed check (issuer name, not a CA, signature, not yet
// valid, expired); OpenSSL failure -> Internal.
#ifndef PHIEU_CORE_CRYPTO_CERTIFICATE_H_
#define PHIEU_CORE_CRYPTO_CERTIFICATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/crypto/keys.h"
#include "core/util/status.h"

struct x509_st;  // OpenSSL's X509; only certificate.cc and certs/ look inside.

namespace phieu::crypto {

namespace internal {
struct X509Free {
  void operator()(x509_st* x) const;
};
}  // namespace internal

class Certificate {
 public:
  static Result<Certificate> FromDer(std::string_view der);
  static Result<Certificate> FromPem(std::string_view pem);
  // Takes ownership of `x509` (for certs/, which builds certificates).
  static Result<Certificate> Adopt(x509_st* x509);

  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;
  Certificate Clone() const;

  const std::string& Der() const { return der_; }
  Result<std::string> Pem() const;
  // Lowercase hex SHA-256 of Der(): the roster's pin.
  std::string Pin() const;
  // The subject's commonName ("" when it has none): a participant's id.
  std::string CommonName() const;
  int64_t NotBefore() const { return not_before_; }  // unix seconds
  int64_t NotAfter() const { return not_after_; }    // unix seconds
  // basicConstraints CA:TRUE.
  bool IsCa() const;
  Result<PublicKey> Key() const;

  // OK iff `ca` is a CA certificate, valid at `at_unix_seconds`, whose
  // subject is this certificate's issuer and whose key signed it, and this
  // certificate is valid at `at_unix_seconds` too.
  Status VerifyIssuedBy(const Certificate& ca, int64_t at_unix_seconds) const;

  x509_st* native_handle() const { return x509_.get(); }

 private:
  Certificate() = default;
  std::unique_ptr<x509_st, internal::X509Free> x509_;
  std::string der_;
  int64_t not_before_ = 0;
  int64_t not_after_ = 0;
};

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_CERTIFICATE_H_

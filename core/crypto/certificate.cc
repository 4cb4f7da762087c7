#include "core/crypto/certificate.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "core/crypto/openssl_error.h"
#include "core/crypto/sha256.h"
#include "core/util/bytes.h"

namespace phieu::crypto {
namespace internal {
void X509Free::operator()(x509_st* x) const { X509_free(x); }
}  // namespace internal

namespace {

using X509Ptr = std::unique_ptr<X509, internal::X509Free>;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// ASN1_TIME (UTCTime or GeneralizedTime) to unix seconds, UTC.
Result<int64_t> ToUnix(const ASN1_TIME* t, std::string_view what) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return InvalidArgument(std::string("certificate: unreadable ") + std::string(what));
  }
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

Result<Certificate> Certificate::Adopt(x509_st* raw) {
  X509Ptr x(raw);
  if (!x) return InvalidArgument("certificate: missing");
  Certificate c;
  unsigned char* der = nullptr;
  int len = i2d_X509(x.get(), &der);
  if (len <= 0) return OpenSslError("certificate: i2d_X509");
  c.der_.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  ASSIGN_OR_RETURN(c.not_before_, ToUnix(X509_get0_notBefore(x.get()), "notBefore"));
  ASSIGN_OR_RETURN(c.not_after_, ToUnix(X509_get0_notAfter(x.get()), "notAfter"));
  c.x509_ = std::move(x);
  return c;
}

Result<Certificate> Certificate::FromDer(std::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!x) return InvalidArgument("certificate: not a DER X.509 certificate");
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return InvalidArgument("certificate: trailing bytes after the DER certificate");
  }
  ASSIGN_OR_RETURN(Certificate c, Adopt(x.release()));
  // Pins are over the exact bytes given; re-encoding must not change them.
  if (c.der_ != der) return InvalidArgument("certificate: DER is not canonical");
  return c;
}

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("certificate: BIO_new_mem_buf");
  X509Ptr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!x) return InvalidArgument("certificate: not a PEM CERTIFICATE");
  return Adopt(x.release());
}

Certificate Certificate::Clone() const {
  X509_up_ref(x509_.get());  // immutable once built: sharing the handle is safe
  Certificate c;
  c.x509_.reset(x509_.get());
  c.der_ = der_;
  c.not_before_ = not_before_;
  c.not_after_ = not_after_;
  return c;
}

Result<std::string> Certificate::Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x509_.get()) != 1) {
    return OpenSslError("certificate: PEM_write_bio_X509");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, len > 0 ? static_cast<size_t>(len) : 0);
}

std::string Certificate::Pin() const { return Hex(Sha256(der_)); }

std::string Certificate::CommonName() const {
  X509_NAME* name = X509_get_subject_name(x509_.get());
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return "";
  ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) {
    ERR_clear_error();
    return "";
  }
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

bool Certificate::IsCa() const {
  // X509_check_ca: 1 = CA:TRUE basicConstraints (the only kind we accept).
  return X509_check_ca(x509_.get()) == 1;
}

Result<PublicKey> Certificate::Key() const {
  EVP_PKEY* pkey = X509_get_pubkey(x509_.get());  // new reference
  if (!pkey) return InvalidArgument("certificate: unreadable public key");
  return PublicKey::Adopt(pkey);
}

Status Certificate::VerifyIssuedBy(const Certificate& ca, int64_t at) const {
  if (!ca.IsCa()) return VerificationFailed("certificate issuer: not a CA certificate (CA:TRUE)");
  if (X509_NAME_cmp(X509_get_issuer_name(x509_.get()), X509_get_subject_name(ca.x509_.get())) !=
      0) {
    return VerificationFailed("certificate issuer: issuer name is not the CA's subject");
  }
  EVP_PKEY* ca_key = X509_get0_pubkey(ca.x509_.get());
  if (ca_key == nullptr || X509_verify(x509_.get(), ca_key) != 1) {
    ERR_clear_error();
    return VerificationFailed("certificate signature: not signed by the CA's key");
  }
  if (at < ca.not_before_) return VerificationFailed("CA certificate: not yet valid at that time");
  if (at > ca.not_after_) return VerificationFailed("CA certificate: expired at that time");
  if (at < not_before_) return VerificationFailed("certificate: not yet valid at that time");
  if (at > not_after_) return VerificationFailed("certificate: expired at that time");
  return Status::Ok();
}

}  // namespace phieu::crypto

#include "certs/certificate_request.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "core/crypto/openssl_error.h"

namespace phieu::certs {
namespace {

struct ReqFree {
  void operator()(X509_REQ* r) const { X509_REQ_free(r); }
};
using ReqPtr = std::unique_ptr<X509_REQ, ReqFree>;
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

}  // namespace

Result<std::string> CertificateRequest::Create(const crypto::PrivateKey& key,
                                               std::string_view participant_id) {
  if (key.type() != crypto::KeyType::kP256) {
    return InvalidArgument("certificate request: participant keys are ECDSA P-256");
  }
  ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1) {
    return crypto::OpenSslError("certificate request: X509_REQ_new");
  }
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  std::string cn(participant_id);
  if (X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1 ||
      X509_REQ_set_pubkey(req.get(), key.native_handle()) != 1 ||
      X509_REQ_sign(req.get(), key.native_handle(), EVP_sha256()) <= 0) {
    return crypto::OpenSslError("certificate request: building and signing");
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1) {
    return crypto::OpenSslError("certificate request: PEM_write_bio_X509_REQ");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, len > 0 ? static_cast<size_t>(len) : 0);
}

Result<CertificateRequest> CertificateRequest::Parse(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return crypto::OpenSslError("certificate request: BIO_new_mem_buf");
  ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  crypto::ClearOpenSslErrors();
  if (!req) return InvalidArgument("certificate request: not a PEM CERTIFICATE REQUEST");
  EVP_PKEY* pkey = X509_REQ_get_pubkey(req.get());  // new reference
  if (!pkey) return InvalidArgument("certificate request: no public key");
  ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::Adopt(pkey));
  if (key.type() != crypto::KeyType::kP256) {
    return InvalidArgument("certificate request: key is not ECDSA P-256");
  }
  if (X509_REQ_verify(req.get(), key.native_handle()) != 1) {
    crypto::ClearOpenSslErrors();
    return VerificationFailed("certificate request: self-signature does not verify");
  }
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return InvalidArgument("certificate request: no common name");
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
  if (len < 0) {
    crypto::ClearOpenSslErrors();
    return InvalidArgument("certificate request: unreadable common name");
  }
  std::string cn(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return CertificateRequest(std::move(cn), std::move(key));
}

}  // namespace phieu::certs

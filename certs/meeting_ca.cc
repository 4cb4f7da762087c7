#include "certs/meeting_ca.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "certs/certificate_request.h"
#include "core/crypto/openssl_error.h"

namespace phieu::certs {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

Status AddExt(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
  if (!ext) return crypto::OpenSslError("certificate extension " + std::string(OBJ_nid2sn(nid)));
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return crypto::OpenSslError("X509_add_ext");
  return Status::Ok();
}

// A certificate skeleton: random positive 127-bit serial, subject CN, validity
// and the subject's key. The issuer is set by the caller.
Result<X509Ptr> Skeleton(std::string_view cn, const crypto::PublicKey& key, const Validity& v) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return crypto::OpenSslError("X509_new");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return crypto::OpenSslError("serial: RAND_bytes");
  serial[0] &= 0x7f;
  serial[0] |= 0x40;  // positive and 16 bytes long
  std::unique_ptr<BIGNUM, BnFree> bn(BN_bin2bn(serial, sizeof(serial), nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()))) {
    return crypto::OpenSslError("serial number");
  }
  std::string name(cn);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1,
                                 0) != 1) {
    return crypto::OpenSslError("subject name");
  }
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(v.not_before)) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(v.not_after))) {
    return crypto::OpenSslError("validity");
  }
  if (X509_set_pubkey(cert.get(), key.native_handle()) != 1) {
    return crypto::OpenSslError("X509_set_pubkey");
  }
  return cert;
}

// Completes a leaf (server or participant) certificate made by Skeleton:
// issued by the CA, CA:FALSE, digitalSignature, the extended key usage
// `usage`, the subject alternative names `san` when not empty, and the CA's
// key identifier; signed with the CA key. `what` names it in errors.
Result<crypto::Certificate> SignLeaf(X509Ptr cert, const crypto::Certificate& ca_cert,
                                     const crypto::PrivateKey& ca_key, const std::string& usage,
                                     const std::string& san, const std::string& what) {
  X509* ca = ca_cert.native_handle();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca)) != 1) {
    return crypto::OpenSslError("issuer name");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca, cert.get(), nullptr, nullptr, 0);
  RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature"));
  RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_ext_key_usage, usage));
  if (!san.empty()) RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_subject_alt_name, san));
  RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(cert.get(), ca_key.native_handle(), EVP_sha256()) <= 0) {
    return crypto::OpenSslError(what + ": X509_sign");
  }
  return crypto::Certificate::Adopt(cert.release());
}

Status CheckValidity(const Validity& v) {
  if (v.not_after <= v.not_before)
    return InvalidArgument("certificate validity: ends before it starts");
  return Status::Ok();
}

}  // namespace

Validity Validity::Around(int64_t now, int64_t days) {
  return Validity{now - kBackdateSeconds, now + days * 86400};
}

std::vector<std::string> DefaultServerNames() { return {"127.0.0.1", "::1", "localhost"}; }

Result<MeetingCa> MeetingCa::Create(std::string_view meeting_id, const Validity& v) {
  RETURN_IF_ERROR(CheckValidity(v));
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::GenerateP256());
  ASSIGN_OR_RETURN(crypto::PublicKey pub, key.Public());
  ASSIGN_OR_RETURN(X509Ptr cert, Skeleton("Phiếu meeting CA " + std::string(meeting_id), pub, v));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1) {
    return crypto::OpenSslError("issuer name");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
  RETURN_IF_ERROR(AddExt(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.native_handle(), EVP_sha256()) <= 0) {
    return crypto::OpenSslError("CA certificate: X509_sign");
  }
  ASSIGN_OR_RETURN(crypto::Certificate c, crypto::Certificate::Adopt(cert.release()));
  return MeetingCa(std::move(key), std::move(c));
}

Result<MeetingCa> MeetingCa::Load(std::string_view key_pem, std::string_view cert_pem) {
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::FromPem(key_pem));
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromPem(cert_pem));
  if (!cert.IsCa()) return InvalidArgument("CA certificate: not a CA (CA:TRUE missing)");
  ASSIGN_OR_RETURN(crypto::PublicKey pub, key.Public());
  ASSIGN_OR_RETURN(crypto::PublicKey cert_pub, cert.Key());
  ASSIGN_OR_RETURN(std::string a, pub.Der());
  ASSIGN_OR_RETURN(std::string b, cert_pub.Der());
  if (a != b) return InvalidArgument("CA key does not match the CA certificate");
  return MeetingCa(std::move(key), std::move(cert));
}

Result<crypto::Certificate> MeetingCa::IssueServer(const crypto::PublicKey& key,
                                                   const std::vector<std::string>& names,
                                                   const Validity& v) const {
  RETURN_IF_ERROR(CheckValidity(v));
  if (names.empty()) return InvalidArgument("server certificate: no address or name given");
  std::string san;
  for (const std::string& n : names) {
    if (!IsIp(n) && (n.empty() || n.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
                                      std::string::npos)) {
      return InvalidArgument("server certificate: bad address or name \"" + n + "\"");
    }
    if (!san.empty()) san += ",";
    san += (IsIp(n) ? "IP:" : "DNS:") + n;
  }
  ASSIGN_OR_RETURN(X509Ptr cert, Skeleton(names.front(), key, v));
  return SignLeaf(std::move(cert), cert_, key_, "serverAuth", san, "server certificate");
}

Result<crypto::Certificate> MeetingCa::SignRequest(std::string_view csr_pem,
                                                   std::string_view expected_id,
                                                   const Validity& v) const {
  RETURN_IF_ERROR(CheckValidity(v));
  ASSIGN_OR_RETURN(CertificateRequest req, CertificateRequest::Parse(csr_pem));
  if (req.common_name() != expected_id) {
    return InvalidArgument("certificate request: its CN \"" + req.common_name() +
                           "\" is not the participant id \"" + std::string(expected_id) + "\"");
  }
  ASSIGN_OR_RETURN(X509Ptr cert, Skeleton(expected_id, req.key(), v));
  return SignLeaf(std::move(cert), cert_, key_, "clientAuth", "", "participant certificate");
}

}  // namespace phieu::certs

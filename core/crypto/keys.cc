#include "core/crypto/keys.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>

#include "core/crypto/openssl_error.h"
#include "core/crypto/sha256.h"
#include "core/util/bytes.h"

namespace phieu::crypto {
namespace internal {
void PkeyFree::operator()(evp_pkey_st* p) const { EVP_PKEY_free(p); }
}  // namespace internal

namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, internal::PkeyFree>;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

// Refuses to prompt for a passphrase: an encrypted PEM simply fails to load.
int NoPassword(char*, int, int, void*) { return -1; }

// Only the two key types Phiếu signs with are accepted anywhere.
Result<KeyType> Classify(const EVP_PKEY* pkey, std::string_view what) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyType::kEd25519;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len) == 1 &&
        std::string_view(group, len) == SN_X9_62_prime256v1) {
      return KeyType::kP256;
    }
    return InvalidArgument(std::string(what) + ": EC key is not on P-256");
  }
  return InvalidArgument(std::string(what) + ": key is neither P-256 nor Ed25519");
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, len > 0 ? static_cast<size_t>(len) : 0);
}

Result<PkeyPtr> Generate(const char* type, const char* group) {
  PkeyPtr pkey(group ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, group)
                     : EVP_PKEY_Q_keygen(nullptr, nullptr, type));
  if (!pkey) return OpenSslError(std::string("generating ") + type + " key");
  return pkey;
}

}  // namespace

std::string SignatureMessage(std::string_view domain, std::string_view message) {
  std::string out;
  out.reserve(domain.size() + 1 + message.size());
  out.append(domain);
  out.push_back('\0');
  out.append(message);
  return out;
}

// ---------------------------------------------------------------- PublicKey

Result<PublicKey> PublicKey::Adopt(evp_pkey_st* raw) {
  PkeyPtr pkey(raw);
  if (!pkey) return InvalidArgument("public key: missing");
  ASSIGN_OR_RETURN(KeyType type, Classify(pkey.get(), "public key"));
  return PublicKey(std::move(pkey), type);
}

Result<PublicKey> PublicKey::FromDer(std::string_view spki) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(spki.data());
  PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  ERR_clear_error();
  if (!pkey) return InvalidArgument("public key: not a DER SubjectPublicKeyInfo");
  if (p != reinterpret_cast<const unsigned char*>(spki.data()) + spki.size()) {
    return InvalidArgument("public key: trailing bytes after SubjectPublicKeyInfo");
  }
  return Adopt(pkey.release());
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("public key: BIO_new_mem_buf");
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassword, nullptr));
  ERR_clear_error();
  if (!pkey) return InvalidArgument("public key: not a PEM PUBLIC KEY");
  return Adopt(pkey.release());
}

Result<PublicKey> PublicKey::FromEd25519Raw(std::string_view raw) {
  if (raw.size() != 32) return InvalidArgument("Ed25519 public key: not 32 bytes");
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size()));
  if (!pkey) return OpenSslError("Ed25519 public key: EVP_PKEY_new_raw_public_key");
  return PublicKey(std::move(pkey), KeyType::kEd25519);
}

PublicKey PublicKey::Clone() const {
  EVP_PKEY_up_ref(pkey_.get());  // EVP_PKEY is immutable here: sharing is safe
  return PublicKey(PkeyPtr(pkey_.get()), type_);
}

Result<std::string> PublicKey::Der() const {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey_.get(), &der);
  if (len <= 0) return OpenSslError("public key: i2d_PUBKEY");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<std::string> PublicKey::Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) {
    return OpenSslError("public key: PEM_write_bio_PUBKEY");
  }
  return BioContents(bio.get());
}

Result<std::string> PublicKey::RawEd25519() const {
  if (type_ != KeyType::kEd25519) return InvalidArgument("public key: not an Ed25519 key");
  std::string out(32, '\0');
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(pkey_.get(), reinterpret_cast<unsigned char*>(out.data()),
                                  &len) != 1 ||
      len != 32) {
    return OpenSslError("Ed25519 public key: EVP_PKEY_get_raw_public_key");
  }
  return out;
}

Result<std::string> PublicKey::Fingerprint() const {
  ASSIGN_OR_RETURN(std::string der, Der());
  return Hex(Sha256(der));
}

namespace {
std::atomic<uint64_t> g_verifications{0};
}  // namespace

uint64_t SignatureVerifications() { return g_verifications.load(std::memory_order_relaxed); }

Status PublicKey::Verify(std::string_view domain, std::string_view message,
                         std::string_view signature) const {
  const char* what = type_ == KeyType::kP256 ? "ECDSA P-256 signature" : "Ed25519 signature";
  if (type_ == KeyType::kEd25519 && signature.size() != 64) {
    return VerificationFailed(std::string(what) + ": not 64 bytes");
  }
  if (signature.empty()) return VerificationFailed(std::string(what) + ": empty");
  g_verifications.fetch_add(1, std::memory_order_relaxed);
  std::string msg = SignatureMessage(domain, message);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError("EVP_MD_CTX_new");
  const EVP_MD* md = type_ == KeyType::kP256 ? EVP_sha256() : nullptr;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pkey_.get()) != 1) {
    return OpenSslError(std::string(what) + ": EVP_DigestVerifyInit");
  }
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(msg.data()),
                            msg.size());
  ERR_clear_error();  // a bad signature leaves errors on the queue; they are not news
  if (rc != 1) {
    return VerificationFailed(std::string(what) + ": does not verify under domain \"" +
                              std::string(domain) + "\"");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- PrivateKey

Result<PrivateKey> PrivateKey::GenerateP256() {
  ASSIGN_OR_RETURN(PkeyPtr pkey, Generate("EC", "P-256"));
  return PrivateKey(std::move(pkey), KeyType::kP256);
}

Result<PrivateKey> PrivateKey::GenerateEd25519() {
  ASSIGN_OR_RETURN(PkeyPtr pkey, Generate("ED25519", nullptr));
  return PrivateKey(std::move(pkey), KeyType::kEd25519);
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("private key: BIO_new_mem_buf");
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
  ERR_clear_error();
  if (!pkey) {
    return InvalidArgument("private key: not an unencrypted PEM private key");
  }
  ASSIGN_OR_RETURN(KeyType type, Classify(pkey.get(), "private key"));
  return PrivateKey(std::move(pkey), type);
}

Result<std::string> PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) bio.reset(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                            nullptr) != 1) {
    return OpenSslError("private key: PEM_write_bio_PKCS8PrivateKey");
  }
  std::string out = BioContents(bio.get());
  // The BIO's buffer is cleansed by BIO_free for secure memory; clear it anyway.
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (data && len > 0) OPENSSL_cleanse(data, static_cast<size_t>(len));
  return out;
}

Result<std::string> PrivateKey::Sign(std::string_view domain, std::string_view message) const {
  std::string msg = SignatureMessage(domain, message);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError("EVP_MD_CTX_new");
  const EVP_MD* md = type_ == KeyType::kP256 ? EVP_sha256() : nullptr;
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey_.get()) != 1) {
    return OpenSslError("sign: EVP_DigestSignInit");
  }
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(msg.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, msg.size()) != 1) {
    return OpenSslError("sign: EVP_DigestSign (length)");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     msg.size()) != 1) {
    return OpenSslError("sign: EVP_DigestSign");
  }
  sig.resize(len);
  return sig;
}

Result<PublicKey> PrivateKey::Public() const {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey_.get(), &der);
  if (len <= 0) return OpenSslError("private key: i2d_PUBKEY");
  std::string spki(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return PublicKey::FromDer(spki);
}

}  // namespace phieu::crypto

// Signature keys: the participants' certificate keys (ECDSA P-256 with
// SHA-256, DER signatures) and the server's result/receipt key (Ed25519).
//
// Every signature in Phiếu is over SignatureMessage(domain, message) =
// domain || 0x00 || message, so that a signature made for one use (a board
// entry, a receipt) can never be replayed as another (docs/crypto.md, "Keys
// and signatures"). The domains are the k*Domain constants below.
//
// Thread-safety: a const PrivateKey / PublicKey may be used from several
// threads at once (OpenSSL EVP_PKEY is read-only after construction); moving
// or destroying one needs exclusive access.
//
// Errors: malformed PEM/DER or a key of another type -> InvalidArgument;
// a signature that does not verify -> VerificationFailed naming the check;
// an OpenSSL failure -> Internal with OpenSSL's error text.
#ifndef PHIEU_CORE_CRYPTO_KEYS_H_
#define PHIEU_CORE_CRYPTO_KEYS_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/util/status.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY; only keys.cc and certs/ look inside.

namespace phieu::crypto {

// Signature domains (docs/crypto.md, "Keys and signatures").
inline constexpr std::string_view kEntryDomain = "phieu.v1.entry";
inline constexpr std::string_view kReceiptDomain = "phieu.v1.receipt";
// Ceremony messages are signed as board entries (kEntryDomain).

// domain || 0x00 || message: the bytes every Phiếu signature covers.
std::string SignatureMessage(std::string_view domain, std::string_view message);

// Signature checks that reached OpenSSL (an ECDSA check is a curve double
// multiplication the group counters in group.h do not see), since the process
// started; relaxed atomic, for tests that assert a refusal cost none.
uint64_t SignatureVerifications();

enum class KeyType {
  kP256,     // ECDSA P-256 / SHA-256, DER-encoded signature (certificate keys)
  kEd25519,  // Ed25519, 64-byte signature (the server's signing key)
};

namespace internal {
struct PkeyFree {
  void operator()(evp_pkey_st* p) const;
};
}  // namespace internal

class PublicKey {
 public:
  // DER SubjectPublicKeyInfo of a P-256 or Ed25519 key.
  static Result<PublicKey> FromDer(std::string_view spki);
  // PEM "PUBLIC KEY" (SubjectPublicKeyInfo).
  static Result<PublicKey> FromPem(std::string_view pem);
  // The 32 raw bytes of an Ed25519 public key (RFC 8032).
  static Result<PublicKey> FromEd25519Raw(std::string_view raw);

  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;
  PublicKey Clone() const;

  KeyType type() const { return type_; }
  Result<std::string> Der() const;  // SubjectPublicKeyInfo
  Result<std::string> Pem() const;
  Result<std::string> RawEd25519() const;  // InvalidArgument for a P-256 key
  // Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo.
  Result<std::string> Fingerprint() const;

  // OK iff `signature` is this key's signature of SignatureMessage(domain,
  // message). VerificationFailed says which key type's check failed.
  Status Verify(std::string_view domain, std::string_view message,
                std::string_view signature) const;

  // The OpenSSL handle, for certs/ and certificate.cc only. Still owned here.
  evp_pkey_st* native_handle() const { return pkey_.get(); }
  // Takes ownership of `pkey` (must be P-256 or Ed25519).
  static Result<PublicKey> Adopt(evp_pkey_st* pkey);

 private:
  PublicKey(std::unique_ptr<evp_pkey_st, internal::PkeyFree> p, KeyType t)
      : pkey_(std::move(p)), type_(t) {}
  std::unique_ptr<evp_pkey_st, internal::PkeyFree> pkey_;
  KeyType type_;
};

class PrivateKey {
 public:
  static Result<PrivateKey> GenerateP256();
  static Result<PrivateKey> GenerateEd25519();
  // PKCS#8 or traditional PEM, unencrypted (an encrypted PEM is refused,
  // never prompted for).
  static Result<PrivateKey> FromPem(std::string_view pem);

  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;

  KeyType type() const { return type_; }
  // Unencrypted PKCS#8 PEM. The caller wipes it after writing it with
  // WritePrivateFile (core/crypto/private_file.h).
  Result<std::string> ToPem() const;
  // Signature of SignatureMessage(domain, message): DER ECDSA for P-256,
  // 64 bytes for Ed25519.
  Result<std::string> Sign(std::string_view domain, std::string_view message) const;
  Result<PublicKey> Public() const;

  // The OpenSSL handle, for certs/ only. Still owned here.
  evp_pkey_st* native_handle() const { return pkey_.get(); }

 private:
  PrivateKey(std::unique_ptr<evp_pkey_st, internal::PkeyFree> p, KeyType t)
      : pkey_(std::move(p)), type_(t) {}
  std::unique_ptr<evp_pkey_st, internal::PkeyFree> pkey_;
  KeyType type_;
};

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_KEYS_H_

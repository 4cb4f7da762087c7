#include "core/crypto/share_vault.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <memory>

#include "core/crypto/kdf.h"
#include "core/crypto/openssl_error.h"
#include "core/util/bytes.h"

namespace phieu::crypto {
namespace {

constexpr std::string_view kMagic = "PHIEU-SV1";
constexpr size_t kSaltSize = 16;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;
constexpr size_t kKeySize = 32;
constexpr size_t kHeaderSize = 9 + 1 + 4 + 4 + kSaltSize + kNonceSize;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// Wipes a fixed buffer when it goes out of scope, whatever path is taken.
struct WipeOnExit {
  unsigned char* p;
  size_t n;
  ~WipeOnExit() { OPENSSL_cleanse(p, n); }
};

uint32_t ReadU32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

Status DeriveKey(std::string_view passphrase, const unsigned char* salt, const ScryptParams& sp,
                 unsigned char key[kKeySize]) {
  uint64_t n = uint64_t{1} << sp.log2_n;
  uint32_t r = sp.r, p = sp.p;
  uint64_t maxmem = uint64_t{1} << 30;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                                        const_cast<char*>(passphrase.data()), passphrase.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<unsigned char*>(salt),
                                        kSaltSize),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  return DeriveKdf("share vault", "SCRYPT", params, key, kKeySize);
}

Status CheckParams(const ScryptParams& sp) {
  // Bounds keep a hostile file from asking for gigabytes or hours.
  if (sp.log2_n < 10 || sp.log2_n > 20)
    return InvalidArgument("share vault: scrypt N out of range");
  if (sp.r < 1 || sp.r > 32) return InvalidArgument("share vault: scrypt r out of range");
  if (sp.p < 1 || sp.p > 16) return InvalidArgument("share vault: scrypt p out of range");
  return Status::Ok();
}

std::string Aad(std::string_view header, std::string_view context) {
  ByteWriter w;
  w.Bytes("phieu.v1.share-vault").Bytes(header).Bytes(context);
  return w.Take();
}

}  // namespace

std::string ShareVaultContext(std::string_view meeting_id, uint32_t teller_index) {
  ByteWriter w;
  w.Bytes("phieu.v1.share").Bytes(meeting_id).U32(teller_index);
  return w.Take();
}

Result<std::string> SealShare(std::string_view secret, std::string_view passphrase,
                              std::string_view context, ScryptParams sp) {
  RETURN_IF_ERROR(CheckParams(sp));
  if (passphrase.empty()) return InvalidArgument("share vault: empty passphrase");
  unsigned char salt[kSaltSize], nonce[kNonceSize];
  if (RAND_bytes(salt, kSaltSize) != 1 || RAND_bytes(nonce, kNonceSize) != 1) {
    return OpenSslError("share vault: RAND_bytes");
  }
  ByteWriter header;
  header.Raw(kMagic).U8(sp.log2_n).U32(sp.r).U32(sp.p);
  header.Raw(std::string_view(reinterpret_cast<char*>(salt), kSaltSize));
  header.Raw(std::string_view(reinterpret_cast<char*>(nonce), kNonceSize));
  std::string out = header.Take();

  unsigned char key[kKeySize];
  WipeOnExit wipe{key, kKeySize};
  RETURN_IF_ERROR(DeriveKey(passphrase, salt, sp, key));

  std::string aad = Aad(out, context);
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1) {
    return OpenSslError("share vault: AES-256-GCM init");
  }
  std::string ct(secret.size() + kTagSize, '\0');
  auto* ctp = reinterpret_cast<unsigned char*>(ct.data());
  int total = 0;
  if (EVP_EncryptUpdate(ctx.get(), ctp, &len, reinterpret_cast<const unsigned char*>(secret.data()),
                        static_cast<int>(secret.size())) != 1) {
    return OpenSslError("share vault: AES-256-GCM encrypt");
  }
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), ctp + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, ctp + secret.size()) != 1) {
    return OpenSslError("share vault: AES-256-GCM final");
  }
  out += ct;
  return out;
}

Result<std::string> OpenShare(std::string_view sealed, std::string_view passphrase,
                              std::string_view context) {
  if (sealed.size() < kHeaderSize + kTagSize) return InvalidArgument("share vault: file truncated");
  if (sealed.substr(0, kMagic.size()) != kMagic) {
    return InvalidArgument("share vault: not a Phiếu share file (bad magic)");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(sealed.data());
  ScryptParams sp;
  sp.log2_n = p[9];
  sp.r = ReadU32(p + 10);
  sp.p = ReadU32(p + 14);
  RETURN_IF_ERROR(CheckParams(sp));
  const unsigned char* salt = p + 18;
  const unsigned char* nonce = salt + kSaltSize;
  const unsigned char* ct = p + kHeaderSize;
  size_t ct_len = sealed.size() - kHeaderSize - kTagSize;
  const unsigned char* tag = ct + ct_len;

  unsigned char key[kKeySize];
  WipeOnExit wipe{key, kKeySize};
  RETURN_IF_ERROR(DeriveKey(passphrase, salt, sp, key));

  std::string aad = Aad(sealed.substr(0, kHeaderSize), context);
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1) {
    return OpenSslError("share vault: AES-256-GCM init");
  }
  std::string plain(ct_len, '\0');
  auto* pp = reinterpret_cast<unsigned char*>(plain.data());
  bool ok = EVP_DecryptUpdate(ctx.get(), pp, &len, ct, static_cast<int>(ct_len)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize,
                                const_cast<unsigned char*>(tag)) == 1;
  int fin = 0;
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), pp + len, &fin) == 1;
  ERR_clear_error();
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return VerificationFailed("share vault: wrong passphrase or corrupted file");
  }
  return plain;
}

}  // namespace phieu::crypto

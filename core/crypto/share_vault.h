// A teller's secret share at rest: sealed under a passphrase on the teller's
// own laptop, opened just before a decryption, destroyed after the results.
//
// Scheme (docs/crypto.md, "Share at rest"): key = scrypt(passphrase, salt,
// N = 2^15, r = 8, p = 1, 32 bytes) with a random 16-byte salt (OpenSSL
// EVP_KDF "SCRYPT"); AES-256-GCM with a random 12-byte nonce; the additional
// authenticated data binds the file header (format and KDF parameters) and
// the caller's context, ShareVaultContext(meeting id, teller index), so a
// sealed share cannot be passed off for another meeting or another teller.
//
// File format (all integers big-endian):
//   "PHIEU-SV1"        9 bytes, magic
//   u8  log2 N          scrypt cost (15)
//   u32 r, u32 p        scrypt block size (8) and parallelism (1)
//   16 bytes            salt
//   12 bytes            nonce
//   rest                AES-256-GCM ciphertext || 16-byte tag
//
// Thread-safety: stateless functions.
// Errors: Open -> VerificationFailed("share vault: wrong passphrase or
// corrupted file") for any authentication failure (the two cannot be told
// apart, by design); InvalidArgument for a truncated file or out-of-range
// KDF parameters; Internal for an OpenSSL failure.
#ifndef PHIEU_CORE_CRYPTO_SHARE_VAULT_H_
#define PHIEU_CORE_CRYPTO_SHARE_VAULT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/status.h"

namespace phieu::crypto {

struct ScryptParams {
  uint8_t log2_n = 15;
  uint32_t r = 8;
  uint32_t p = 1;
};

// The caller context a teller's share is bound to: Bytes("phieu.v1.share")
// || Bytes(meeting_id) || U32(teller_index).
std::string ShareVaultContext(std::string_view meeting_id, uint32_t teller_index);

// Seals `secret` (e.g. the 32-byte share scalar). Wipes the derived key.
Result<std::string> SealShare(std::string_view secret, std::string_view passphrase,
                              std::string_view context, ScryptParams params = {});

// Opens a sealed file. The caller wipes the returned secret
// (OPENSSL_cleanse / SecureWipe) as soon as it is used.
Result<std::string> OpenShare(std::string_view sealed, std::string_view passphrase,
                              std::string_view context);

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_SHARE_VAULT_H_

// SHA-256 of a byte string (OpenSSL EVP). Returns the 32-byte digest.
// Aborts only if OpenSSL cannot allocate a digest context, which leaves the
// process unable to do any cryptography at all.
#ifndef PHIEU_CORE_CRYPTO_SHA256_H_
#define PHIEU_CORE_CRYPTO_SHA256_H_

#include <string>
#include <string_view>

namespace phieu::crypto {

inline constexpr size_t kSha256Size = 32;

std::string Sha256(std::string_view data);

// SHA-256 of "tag" || 0x00 || data: a digest bound to its use.
std::string TaggedSha256(std::string_view tag, std::string_view data);

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_SHA256_H_

// Kdf: the one call into OpenSSL's EVP_KDF API for the crypto core's key
// derivations (HKDF for the ceremony's share encryption, scrypt for the share
// vault): fetch the algorithm, make a context, derive with the caller's
// parameters, free both on every path.
//
// Internal to core/crypto (it names OpenSSL's OSSL_PARAM).
// Thread-safety: no shared state.
// Errors: Internal-kind OpenSSL errors prefixed with `what`, naming the step.
#ifndef PHIEU_CORE_CRYPTO_KDF_H_
#define PHIEU_CORE_CRYPTO_KDF_H_

#include <openssl/params.h>

#include <cstddef>
#include <string>

#include "core/util/status.h"

namespace phieu::crypto {

// Derives `out_size` bytes into `out` with the EVP_KDF `algorithm` ("HKDF",
// "SCRYPT") and `params` (terminated by OSSL_PARAM_construct_end()). On a
// failure `out` holds nothing the caller may use.
Status DeriveKdf(const std::string& what, const char* algorithm, OSSL_PARAM* params,
                 unsigned char* out, size_t out_size);

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_KDF_H_

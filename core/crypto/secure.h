// SecureWipe: overwrite secret bytes in a way the compiler may not elide
// (OPENSSL_cleanse). Used for shares, nonces, plaintext marks and every
// temporary that held one.
//
// Thread-safety: touches only the memory given. Never fails.
#ifndef PHIEU_CORE_CRYPTO_SECURE_H_
#define PHIEU_CORE_CRYPTO_SECURE_H_

#include <cstddef>
#include <string>

namespace phieu::crypto {

void SecureWipe(void* data, size_t size);

// Wipes the string's whole buffer (capacity, not just size), then clears it.
void SecureWipe(std::string& s);

// `n` bytes from OpenSSL's CSPRNG; empty when it fails (callers refuse then).
std::string RandomBytes(size_t n);

// Compares in time that depends only on the lengths (tokens, session ids).
bool ConstantTimeEqual(const std::string& a, const std::string& b);

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_SECURE_H_

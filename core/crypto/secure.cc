#include "core/crypto/secure.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace phieu::crypto {

void SecureWipe(void* data, size_t size) {
  if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

void SecureWipe(std::string& s) {
  // Bytes between size() and capacity() may hold an older, longer secret.
  s.resize(s.capacity());
  SecureWipe(s.data(), s.size());
  s.clear();
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) return "";
  return out;
}

bool ConstantTimeEqual(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace phieu::crypto

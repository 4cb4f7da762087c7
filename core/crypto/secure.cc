#include "core/crypto/secure.h"

#include <openssl/crypto.h>

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

}  // namespace phieu::crypto

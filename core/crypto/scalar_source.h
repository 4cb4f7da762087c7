// ScalarSource: where provers and encryptors take their random scalars.
//
// Production code passes nullptr (or SystemScalarSource()), which draws from
// OpenSSL's private DRBG. Known-answer vectors and reproducible tests use
// DeterministicScalarSource: scalar i is SHA-256(seed || u64 i) mod n,
// retried with the next counter when that is 0 (docs/crypto.md "Known-answer
// vectors"). A deterministic source must never be used for a real ballot.
//
// Thread-safety: a ScalarSource object is not thread-safe; use one per thread.
// Errors: Next() fails only when the DRBG does (Internal).
#ifndef PHIEU_CORE_CRYPTO_SCALAR_SOURCE_H_
#define PHIEU_CORE_CRYPTO_SCALAR_SOURCE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto/group.h"

namespace phieu::crypto {

class ScalarSource {
 public:
  virtual ~ScalarSource() = default;
  // A scalar in [1, n−1].
  virtual Result<Scalar> Next() = 0;
};

// The process-wide DRBG-backed source (stateless, thread-safe).
ScalarSource* SystemScalarSource();

// Returns `source`, or SystemScalarSource() when it is null.
inline ScalarSource* OrSystem(ScalarSource* source) {
  return source != nullptr ? source : SystemScalarSource();
}

class DeterministicScalarSource : public ScalarSource {
 public:
  explicit DeterministicScalarSource(std::string_view seed) : seed_(seed) {}
  Result<Scalar> Next() override;
  uint64_t counter() const { return counter_; }

 private:
  std::string seed_;
  uint64_t counter_ = 0;
};

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_SCALAR_SOURCE_H_

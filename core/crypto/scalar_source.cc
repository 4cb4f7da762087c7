#include "core/crypto/scalar_source.h"

#include "core/crypto/sha256.h"
#include "core/util/bytes.h"

namespace phieu::crypto {
namespace {

class SystemSource : public ScalarSource {
 public:
  Result<Scalar> Next() override { return Scalar::Random(); }
};

}  // namespace

ScalarSource* SystemScalarSource() {
  static SystemSource* source = new SystemSource;
  return source;
}

Result<Scalar> DeterministicScalarSource::Next() {
  while (true) {
    ByteWriter w;
    w.Raw(seed_).U64(counter_++);
    Scalar s = Scalar::FromDigest(Sha256(w.data()));
    if (!s.IsZero()) return s;
  }
}

}  // namespace phieu::crypto

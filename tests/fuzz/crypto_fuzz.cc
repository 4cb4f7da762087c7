// Fuzz target: point, scalar and proof decoding and verification
// (core/crypto). The first byte picks the kind (crypto_fixture.h CryptoOp);
// the rest is an encoding or a serialized proof, checked against the fixed
// statement of CryptoFixture. Invariants beyond "no crash":
//   - a point or scalar that decodes re-encodes to the same bytes (canonical);
//   - VerifyBallot gives the same verdict with and without the precomputed
//     table of the joint key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/crypto/ballot_crypto.h"
#include "core/crypto/proofs.h"
#include "tests/fuzz/crypto_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace phieu;
  static const fuzz::CryptoFixture* const fx = new fuzz::CryptoFixture();
  static const crypto::FixedBase* const k_table = new crypto::FixedBase(crypto::FixedBase::Create(fx->K).value());
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % fuzz::kCryptoOps) {
    case fuzz::kOpPoint: {
      auto p = crypto::Point::Decode(rest);
      if (!p.ok()) break;
      auto again = p->Encode();
      if (!again.ok() || *again != rest) std::abort();
      (void)p->Add(crypto::Point::Generator());
      break;
    }
    case fuzz::kOpScalar: {
      auto s = crypto::Scalar::Decode(rest);
      if (s.ok() && s->Encode() != rest) std::abort();
      break;
    }
    case fuzz::kOpBallot: {
      v1::EncryptedBallot ballot;
      if (!ballot.ParseFromArray(rest.data(), static_cast<int>(rest.size()))) break;
      const bool plain = crypto::VerifyBallot(fx->run_context, fx->K, fx->layout, ballot).ok();
      const bool table = crypto::VerifyBallot(fx->run_context, *k_table, fx->layout, ballot).ok();
      if (plain != table) std::abort();
      break;
    }
    case fuzz::kOpSchnorr: {
      v1::SchnorrProof proof;
      if (!proof.ParseFromArray(rest.data(), static_cast<int>(rest.size()))) break;
      (void)crypto::VerifySchnorr(fx->schnorr_context, fx->K, proof);
      break;
    }
    case fuzz::kOpPartial: {
      v1::PartialDecryption partial;
      if (!partial.ParseFromArray(rest.data(), static_cast<int>(rest.size()))) break;
      (void)crypto::VerifyPartial(fx->partial_context, fx->public_share, fx->ct, partial);
      break;
    }
  }
  return 0;
}

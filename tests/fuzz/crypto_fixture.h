// The fixed statement the crypto fuzz target checks proofs against, shared
// with make_corpus.cc (which writes valid proofs for it as seeds). Test
// values only: the secrets are constants, which no real key ever is.
#ifndef PHIEU_TESTS_FUZZ_CRYPTO_FIXTURE_H_
#define PHIEU_TESTS_FUZZ_CRYPTO_FIXTURE_H_

#include <cstdint>
#include <string>

#include "core/crypto/elgamal.h"
#include "core/crypto/group.h"
#include "core/crypto/sha256.h"
#include "tests/crypto/test_layouts.h"

namespace phieu::fuzz {

// First input byte of the crypto target: what the rest of the input is.
enum CryptoOp : uint8_t {
  kOpPoint = 0,    // a point encoding
  kOpScalar = 1,   // a scalar encoding
  kOpBallot = 2,   // a v1::EncryptedBallot for CryptoFixture's layout and key
  kOpSchnorr = 3,  // a v1::SchnorrProof of the joint key's secret
  kOpPartial = 4,  // a v1::PartialDecryption of CryptoFixture::ct by the share
  kCryptoOps = 5,
};

struct CryptoFixture {
  crypto::Scalar key_secret = crypto::Scalar::FromUint64(0x5eedf00d5eedf00dULL);
  crypto::Point K = crypto::Point::MulGen(key_secret).value();  // the "joint key"
  crypto::Scalar share = crypto::Scalar::FromUint64(0x7e11e7);  // a teller's share
  crypto::Point public_share = crypto::Point::MulGen(share).value();
  crypto::Ciphertext ct = crypto::Encrypt(K, 3, crypto::Scalar::FromUint64(41)).value();
  std::string run_context = crypto::Sha256("phieu.fuzz.run-context");
  std::string schnorr_context = crypto::Sha256("phieu.fuzz.schnorr");
  std::string partial_context = crypto::Sha256("phieu.fuzz.partial");
  // Three candidates and blank, up to two approvals: 4 cells, 1 constraint.
  v1::BallotLayout layout = crypto::testing::ApproveUpTo(2, 3);
};

}  // namespace phieu::fuzz

#endif  // PHIEU_TESTS_FUZZ_CRYPTO_FIXTURE_H_

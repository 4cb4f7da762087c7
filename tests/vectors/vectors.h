// Known-answer vectors for the crypto core: one deterministic computation,
// shared by the generator (gen_vectors.cc writes crypto_vectors.txt) and by
// tests/crypto/vectors_test.cc (recomputes and compares, then verifies the
// stored proofs independently of the generator).
//
// Every "random" scalar comes from DeterministicScalarSource(seed): scalar i
// = SHA-256(seed || u64 i) mod n. The order in which scalars are drawn is
// part of the vectors (docs/crypto.md "Known-answer vectors").
#ifndef PHIEU_TESTS_VECTORS_VECTORS_H_
#define PHIEU_TESTS_VECTORS_VECTORS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace phieu::crypto::vectors {

inline constexpr std::string_view kSeed = "phieu crypto vectors v1";

// Ordered (name, lowercase hex or decimal text) pairs.
using Vectors = std::vector<std::pair<std::string, std::string>>;

Vectors Generate(std::string_view seed);

// The text form: "# comment" lines, then "name = value" per line.
std::string Format(const Vectors& v);
// Parses Format's output; false on a malformed line.
bool Parse(std::string_view text, Vectors* out);

}  // namespace phieu::crypto::vectors

#endif  // PHIEU_TESTS_VECTORS_VECTORS_H_

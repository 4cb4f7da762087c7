// gen_vectors: writes the crypto core's known-answer vectors.
//
//   gen_vectors [OUT]   (default: stdout)
//
// Deterministic: the seed is vectors::kSeed and every random scalar is
// SHA-256(seed || u64 counter) mod n, so two runs give the same bytes.
// Regenerate tests/vectors/crypto_vectors.txt only when an encoding or a
// hash is deliberately changed, and say so in the commit.
#include <cstdio>
#include <fstream>

#include "tests/vectors/vectors.h"

int main(int argc, char** argv) {
  using namespace phieu::crypto::vectors;
  const std::string text = Format(Generate(kSeed));
  if (argc < 2) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    std::fprintf(stderr, "gen_vectors: cannot write %s\n", argv[1]);
    return 1;
  }
  return 0;
}

#include "core/crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace phieu::crypto {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string Digest(std::string_view a, std::string_view b) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), a.data(), a.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), b.data(), b.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out, &len) != 1 || len != kSha256Size) {
    std::abort();  // no memory for a digest context: nothing safe can follow
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

std::string Sha256(std::string_view data) { return Digest(data, {}); }

std::string TaggedSha256(std::string_view tag, std::string_view data) {
  std::string prefix(tag);
  prefix.push_back('\0');
  return Digest(prefix, data);
}

}  // namespace phieu::crypto

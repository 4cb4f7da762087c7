#include "core/crypto/kdf.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>

#include "core/crypto/openssl_error.h"

namespace phieu::crypto {
namespace {

struct KdfFree {
  void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};

}  // namespace

Status DeriveKdf(const std::string& what, const char* algorithm, OSSL_PARAM* params,
                 unsigned char* out, size_t out_size) {
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, algorithm, nullptr));
  if (!kdf) return OpenSslError(what + ": EVP_KDF_fetch(" + algorithm + ")");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return OpenSslError(what + ": EVP_KDF_CTX_new");
  if (EVP_KDF_derive(ctx.get(), out, out_size, params) != 1) {
    return OpenSslError(what + ": " + algorithm);
  }
  return Status::Ok();
}

}  // namespace phieu::crypto

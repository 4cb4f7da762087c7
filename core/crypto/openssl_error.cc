#include "core/crypto/openssl_error.h"

#include <openssl/err.h>

#include <string>

namespace phieu::crypto {

Status OpenSslError(std::string_view what) {
  std::string message(what);
  message += ": ";
  bool any = false;
  // Drain the whole queue: leaving entries behind would attach stale reasons
  // to the next, unrelated failure on this thread.
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (any) message += "; ";
    message += buf;
    any = true;
  }
  if (!any) message += "no OpenSSL error queued";
  return Internal(std::move(message));
}

void ClearOpenSslErrors() { ERR_clear_error(); }

}  // namespace phieu::crypto

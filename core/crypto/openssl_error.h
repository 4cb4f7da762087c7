// OpenSslError: the one converter from OpenSSL's thread-local error queue to a
// Status (leveldb's PosixError pattern). Every failed OpenSSL call in Phiếu is
// reported through it, so the message names both our operation and OpenSSL's
// reason.
//
// Thread-safety: reads and clears the calling thread's error queue only.
#ifndef PHIEU_CORE_CRYPTO_OPENSSL_ERROR_H_
#define PHIEU_CORE_CRYPTO_OPENSSL_ERROR_H_

#include <string_view>

#include "core/util/status.h"

namespace phieu::crypto {

// Returns Internal("<what>: <openssl reasons, '; '-separated>") and empties the
// queue. With an empty queue the message is "<what>: no OpenSSL error queued".
Status OpenSslError(std::string_view what);

// Empties the calling thread's error queue (used after an expected failure,
// e.g. a point encoding that OpenSSL rejects).
void ClearOpenSslErrors();

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_OPENSSL_ERROR_H_

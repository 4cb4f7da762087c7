// TLS contexts for the Phiếu server and client (docs/protocol.md, "TLS"), and
// the peer-certificate pin.
//
// Both sides: TLS 1.3 only (minimum = maximum = 1.3), key exchange groups
// pinned to "P-256:X25519", no 0-RTT (max early data 0), no session tickets or
// session cache, SSL_MODE_RELEASE_BUFFERS so an idle connection holds no
// record buffers. The server requires a client certificate that chains to the
// meeting CA (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT); the client
// verifies the server certificate against the meeting CA (the host name or IP
// check is set per connection, see client/connection.cc).
//
// Thread-safety: the functions are thread-safe; a returned context may be
// shared by many streams once built.
// Errors: Internal / InvalidArgument naming the file or OpenSSL call that
// failed, with OpenSSL's error text.
#ifndef PHIEU_SERVER_TLS_CONTEXT_H_
#define PHIEU_SERVER_TLS_CONTEXT_H_

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "core/util/status.h"

typedef struct ssl_st SSL;

namespace phieu::server {

inline constexpr char kTlsGroups[] = "P-256:X25519";
inline constexpr char kTlsCiphersuites[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

struct TlsFiles {
  std::string cert_file;  // PEM certificate (chain) of this side
  std::string key_file;   // PEM private key of this side
  std::string ca_file;    // PEM meeting CA: the only trust anchor
};

Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsFiles& files);
Result<std::shared_ptr<boost::asio::ssl::context>> MakeClientTlsContext(const TlsFiles& files);

struct PeerCertificate {
  std::string der;  // the certificate, DER
  std::string pin;  // lowercase hex SHA-256 of the DER (the roster's fingerprint)
};

// The verified peer certificate of an established connection.
// FailedPrecondition when the peer sent none.
Result<PeerCertificate> GetPeerCertificate(SSL* ssl);

// Hex SHA-256 of a DER certificate: the pin the roster stores.
std::string CertificatePin(std::string_view der);

}  // namespace phieu::server

#endif  // PHIEU_SERVER_TLS_CONTEXT_H_

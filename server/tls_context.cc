#include "server/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/crypto/sha256.h"
#include "core/util/bytes.h"

namespace phieu::server {
namespace {

namespace ssl = boost::asio::ssl;

// OpenSSL's queued error text (drains the queue).
std::string OpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no OpenSSL error text" : out;
}

Status TlsError(std::string_view what, const boost::system::error_code& ec) {
  return Internal(std::string(what) + ": " + ec.message());
}

// The settings both sides share.
Status CommonSettings(ssl::context& ctx, const TlsFiles& files) {
  SSL_CTX* h = ctx.native_handle();
  if (SSL_CTX_set_min_proto_version(h, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(h, TLS1_3_VERSION) != 1) {
    return Internal("SSL_CTX_set_{min,max}_proto_version(TLS 1.3): " + OpenSslErrors());
  }
  if (SSL_CTX_set_ciphersuites(h, kTlsCiphersuites) != 1) {
    return Internal("SSL_CTX_set_ciphersuites: " + OpenSslErrors());
  }
  if (SSL_CTX_set1_groups_list(h, kTlsGroups) != 1) {
    return Internal("SSL_CTX_set1_groups_list(P-256:X25519): " + OpenSslErrors());
  }
  if (SSL_CTX_set_max_early_data(h, 0) != 1 || SSL_CTX_set_recv_max_early_data(h, 0) != 1) {
    return Internal("SSL_CTX_set_max_early_data(0): " + OpenSslErrors());
  }
  SSL_CTX_set_options(h, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_session_cache_mode(h, SSL_SESS_CACHE_OFF);
  // Each side sends its own certificate only, not the meeting CA after it:
  // the peer holds the CA already (the only trust anchor), and every extra
  // certificate costs the peer a parse (d2i_X509, which in OpenSSL 3.0 runs
  // the provider decoders: a sixth of a server's handshake CPU) and us the
  // chain building.
  SSL_CTX_set_mode(h, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_NO_AUTO_CHAIN);

  boost::system::error_code ec;
  ctx.use_certificate_chain_file(files.cert_file, ec);
  if (ec) return TlsError("certificate file " + files.cert_file, ec);
  ctx.use_private_key_file(files.key_file, ssl::context::pem, ec);
  if (ec) return TlsError("private key file " + files.key_file, ec);
  if (SSL_CTX_check_private_key(h) != 1) {
    return InvalidArgument("private key " + files.key_file + " does not match certificate " + files.cert_file);
  }
  ctx.load_verify_file(files.ca_file, ec);
  if (ec) return TlsError("CA file " + files.ca_file, ec);
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<ssl::context>> MakeServerTlsContext(const TlsFiles& files) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  RETURN_IF_ERROR(CommonSettings(*ctx, files));
  SSL_CTX* h = ctx->native_handle();
  SSL_CTX_set_num_tickets(h, 0);
  // Only the meeting CA's name is offered to clients.
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.ca_file.c_str());
  if (names == nullptr) return Internal("SSL_load_client_CA_file " + files.ca_file + ": " + OpenSslErrors());
  SSL_CTX_set_client_CA_list(h, names);
  boost::system::error_code ec;
  ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
  if (ec) return TlsError("set_verify_mode", ec);
  SSL_CTX_set_verify_depth(h, 2);
  return ctx;
}

Result<std::shared_ptr<ssl::context>> MakeClientTlsContext(const TlsFiles& files) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  RETURN_IF_ERROR(CommonSettings(*ctx, files));
  boost::system::error_code ec;
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return TlsError("set_verify_mode", ec);
  SSL_CTX_set_verify_depth(ctx->native_handle(), 2);
  return ctx;
}

std::string CertificatePin(std::string_view der) { return Hex(crypto::Sha256(der)); }

Result<PeerCertificate> GetPeerCertificate(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) return FailedPrecondition("peer certificate check: the peer sent no certificate");
  if (SSL_get_verify_result(ssl) != X509_V_OK) {
    return VerificationFailed("peer certificate check: chain did not verify against the meeting CA");
  }
  int len = i2d_X509(cert, nullptr);
  if (len <= 0) return Internal("i2d_X509: " + OpenSslErrors());
  PeerCertificate out;
  out.der.resize(static_cast<size_t>(len));
  auto* p = reinterpret_cast<unsigned char*>(out.der.data());
  if (i2d_X509(cert, &p) != len) return Internal("i2d_X509: " + OpenSslErrors());
  out.pin = CertificatePin(out.der);
  return out;
}

}  // namespace phieu::server

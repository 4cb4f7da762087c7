// TestPki: a throwaway meeting PKI for the loopback TLS tests, made with the
// `openssl` command line tool in a fresh temp directory (ECDSA P-256):
//   - the meeting CA, a server certificate (SAN IP:127.0.0.1, DNS:localhost),
//     a server certificate naming only 127.0.0.2 (for the host check),
//   - client certificates alice, bob, carol, dave from the meeting CA,
//   - another CA and a client certificate "mallory" from it.
// Certificates are valid from now for two to three days.
//
// The PKI is made once and cached in ./phieu-net-test-pki (the test's working
// directory, i.e. the build tree; PHIEU_TEST_PKI_DIR overrides) for a day, so
// that each ctest process does not pay for nine openssl runs.
//
// Thread-safety: SharedTestPki() builds once per process (thread-safe) and
// aborts the test binary if openssl fails (nothing else could run).
#ifndef PHIEU_TESTS_SERVER_TEST_CERTS_H_
#define PHIEU_TESTS_SERVER_TEST_CERTS_H_

#include <string>

namespace phieu::testing {

struct TestCredentials {
  std::string cert;  // PEM file
  std::string key;   // PEM file
  std::string pin;   // hex SHA-256 of the certificate DER
};

struct TestPki {
  std::string dir;
  std::string ca_cert;        // the meeting CA (PEM)
  std::string other_ca_cert;  // an unrelated CA (PEM)
  TestCredentials server;     // SAN 127.0.0.1 and localhost
  TestCredentials server_wrong_host;  // SAN 127.0.0.2 only
  TestCredentials alice, bob, carol, dave;  // clients of the meeting CA
  TestCredentials mallory;                  // client of the other CA
};

const TestPki& SharedTestPki();

// Hex SHA-256 of the DER of the first certificate in a PEM file ("" on error).
std::string PinOfPemFile(const std::string& path);

}  // namespace phieu::testing

#endif  // PHIEU_TESTS_SERVER_TEST_CERTS_H_

#include "tests/server/test_certs.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <mutex>

#include "server/tls_context.h"

namespace phieu::testing {
namespace {

void Run(const std::string& command) {
  const std::string quiet = command + " >/dev/null 2>&1";
  if (std::system(quiet.c_str()) != 0) {
    std::fprintf(stderr, "test_certs: command failed: %s\n", command.c_str());
    std::abort();
  }
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

void MakeKey(const std::string& path) {
  Run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + path);
}

void MakeCa(const std::string& dir, const std::string& name, const std::string& cn) {
  MakeKey(dir + "/" + name + ".key");
  WriteFile(dir + "/" + name + ".ext",
            "basicConstraints=critical,CA:TRUE,pathlen:0\n"
            "keyUsage=critical,keyCertSign,cRLSign\n"
            "subjectKeyIdentifier=hash\n");
  Run("openssl req -new -key " + dir + "/" + name + ".key -subj '/CN=" + cn + "' -out " + dir + "/" + name +
      ".csr");
  Run("openssl x509 -req -in " + dir + "/" + name + ".csr -key " + dir + "/" + name + ".key -days 3 -extfile " +
      dir + "/" + name + ".ext -out " + dir + "/" + name + ".pem");
}

TestCredentials MakeLeaf(const std::string& dir, const std::string& ca, const std::string& name,
                         const std::string& extensions) {
  TestCredentials c;
  c.key = dir + "/" + name + ".key";
  c.cert = dir + "/" + name + ".pem";
  MakeKey(c.key);
  WriteFile(dir + "/" + name + ".ext", "basicConstraints=critical,CA:FALSE\n"
                                       "keyUsage=critical,digitalSignature\n" +
                                           extensions);
  Run("openssl req -new -key " + c.key + " -subj '/CN=" + name + "' -out " + dir + "/" + name + ".csr");
  Run("openssl x509 -req -in " + dir + "/" + name + ".csr -CA " + dir + "/" + ca + ".pem -CAkey " + dir + "/" + ca +
      ".key -CAcreateserial -days 2 -extfile " + dir + "/" + name + ".ext -out " + c.cert);
  c.pin = PinOfPemFile(c.cert);
  return c;
}

// Fills the paths (and pins, when the files exist) of a PKI in `d`.
TestPki Describe(const std::string& d) {
  TestPki pki;
  pki.dir = d;
  pki.ca_cert = d + "/ca.pem";
  pki.other_ca_cert = d + "/other_ca.pem";
  auto leaf = [&](const std::string& name) {
    return TestCredentials{d + "/" + name + ".pem", d + "/" + name + ".key", PinOfPemFile(d + "/" + name + ".pem")};
  };
  pki.server = leaf("server");
  pki.server_wrong_host = leaf("server2");
  pki.alice = leaf("alice");
  pki.bob = leaf("bob");
  pki.carol = leaf("carol");
  pki.dave = leaf("dave");
  pki.mallory = leaf("mallory");
  return pki;
}

// A cached PKI is reused by every test process of the build (ctest runs each
// test in its own process) while it is less than a day old.
bool Fresh(const std::string& d) {
  struct stat st;
  if (stat((d + "/complete").c_str(), &st) != 0) return false;
  return std::time(nullptr) - st.st_mtime < 24 * 3600;
}

TestPki Generate(const std::string& d);

TestPki Build() {
  const char* env = std::getenv("PHIEU_TEST_PKI_DIR");
  const std::string cache = env != nullptr ? env : "phieu-net-test-pki";
  // One process generates; the others (ctest -j) wait on the lock.
  const int lock = open((cache + ".lock").c_str(), O_CREAT | O_RDWR, 0600);
  if (lock < 0 || flock(lock, LOCK_EX) != 0) std::abort();
  if (!Fresh(cache)) {
    Run("rm -rf " + cache);
    if (mkdir(cache.c_str(), 0700) != 0) std::abort();
    Generate(cache);
    WriteFile(cache + "/complete", "ok\n");
  }
  flock(lock, LOCK_UN);
  close(lock);
  return Describe(cache);
}

TestPki Generate(const std::string& d) {
  TestPki pki;
  pki.dir = d;
  MakeCa(d, "ca", "Test Meeting CA");
  MakeCa(d, "other_ca", "Another CA");
  pki.ca_cert = d + "/ca.pem";
  pki.other_ca_cert = d + "/other_ca.pem";
  pki.server = MakeLeaf(d, "ca", "server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  pki.server_wrong_host = MakeLeaf(d, "ca", "server2", "subjectAltName=IP:127.0.0.2\nextendedKeyUsage=serverAuth\n");
  const std::string client_ext = "extendedKeyUsage=clientAuth\n";
  pki.alice = MakeLeaf(d, "ca", "alice", client_ext);
  pki.bob = MakeLeaf(d, "ca", "bob", client_ext);
  pki.carol = MakeLeaf(d, "ca", "carol", client_ext);
  pki.dave = MakeLeaf(d, "ca", "dave", client_ext);
  pki.mallory = MakeLeaf(d, "other_ca", "mallory", client_ext);
  return pki;
}

}  // namespace

std::string PinOfPemFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return "";
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (cert == nullptr) return "";
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  std::string out;
  if (len > 0) out = server::CertificatePin(std::string_view(reinterpret_cast<char*>(der), len));
  OPENSSL_free(der);
  X509_free(cert);
  return out;
}

const TestPki& SharedTestPki() {
  static const TestPki* pki = new TestPki(Build());
  return *pki;
}

}  // namespace phieu::testing

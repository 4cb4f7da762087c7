#include "certs/profile.h"

#include <google/protobuf/text_format.h>

#include <cstdlib>

#include "core/crypto/private_file.h"
#include "core/crypto/secure.h"

namespace phieu::certs {
namespace {

std::string Join(const std::string& dir, const std::string& file) {
  if (!file.empty() && file.front() == '/') return file;
  return dir + "/" + file;
}

}  // namespace

std::string DefaultProfileDir() {
  if (const char* env = std::getenv("PHIEU_PROFILE"); env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.phieu/profile";
}

Status WriteProfile(const std::string& dir, const phieu::v1::Profile& profile) {
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(profile, &text)) {
    return Internal("profile: TextFormat::PrintToString failed");
  }
  return crypto::WritePublicFile(
      dir + "/" + kProfileFile,
      "# Phiếu client profile (paths relative to this directory)\n" + text);
}

Result<phieu::v1::Profile> ReadProfile(const std::string& dir) {
  ASSIGN_OR_RETURN(std::string text, crypto::ReadFile(dir + "/" + kProfileFile));
  phieu::v1::Profile profile;
  if (!google::protobuf::TextFormat::ParseFromString(text, &profile)) {
    return InvalidArgument(dir + "/" + kProfileFile + ": not a text-format phieu.v1.Profile");
  }
  if (profile.server().empty() || profile.participant_id().empty()) {
    return InvalidArgument(dir + "/" + kProfileFile + ": server and participant_id are required");
  }
  return profile;
}

Result<Credentials> LoadCredentials(const std::string& dir, int64_t now_unix) {
  ASSIGN_OR_RETURN(phieu::v1::Profile profile, ReadProfile(dir));
  ASSIGN_OR_RETURN(std::string ca_pem, crypto::ReadFile(Join(dir, profile.ca_file())));
  ASSIGN_OR_RETURN(std::string cert_pem, crypto::ReadFile(Join(dir, profile.cert_file())));
  ASSIGN_OR_RETURN(std::string key_pem, crypto::ReadFile(Join(dir, profile.key_file())));
  auto key = crypto::PrivateKey::FromPem(key_pem);
  crypto::SecureWipe(key_pem);
  if (!key.ok()) return key.status();
  ASSIGN_OR_RETURN(crypto::Certificate ca, crypto::Certificate::FromPem(ca_pem));
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromPem(cert_pem));
  if (cert.CommonName() != profile.participant_id()) {
    return InvalidArgument("profile: certificate is for \"" + cert.CommonName() + "\", not \"" +
                           profile.participant_id() + "\"");
  }
  RETURN_IF_ERROR(cert.VerifyIssuedBy(ca, now_unix));
  ASSIGN_OR_RETURN(crypto::PublicKey pub, key->Public());
  ASSIGN_OR_RETURN(crypto::PublicKey cert_pub, cert.Key());
  ASSIGN_OR_RETURN(std::string a, pub.Der());
  ASSIGN_OR_RETURN(std::string b, cert_pub.Der());
  if (a != b) return InvalidArgument("profile: key.pem does not match cert.pem");
  return Credentials{std::move(profile), std::move(ca), std::move(cert), std::move(key).value()};
}

}  // namespace phieu::certs

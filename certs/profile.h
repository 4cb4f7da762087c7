// A participant's profile directory: profile.textproto (phieu.v1.Profile,
// text format) and the files it names (ca.pem, cert.pem, key.pem), paths
// relative to the directory. `phieu vote` and the other client commands
// read it so that a delegate needs no flags.
//
// Thread-safety: plain functions.
// Errors: NotFound (missing profile or file), InvalidArgument (malformed
// text format, certificate or key; a certificate whose CN is not the
// profile's participant; a key that does not match the certificate).
#ifndef PHIEU_CERTS_PROFILE_H_
#define PHIEU_CERTS_PROFILE_H_

#include <string>

#include "core/crypto/certificate.h"
#include "core/crypto/keys.h"
#include "core/util/status.h"
#include "phieu/v1/profile.pb.h"

namespace phieu::certs {

inline constexpr char kProfileFile[] = "profile.textproto";

// Where the client looks for a profile when none is given: $PHIEU_PROFILE
// if set, otherwise $HOME/.phieu/profile (./.phieu/profile without HOME).
std::string DefaultProfileDir();

Status WriteProfile(const std::string& dir, const phieu::v1::Profile& profile);
Result<phieu::v1::Profile> ReadProfile(const std::string& dir);

// The profile with its CA, own certificate and own key loaded and checked
// against one another (CN = participant id, key matches certificate, cert
// issued by the CA at `now_unix`).
struct Credentials {
  phieu::v1::Profile profile;
  crypto::Certificate ca;
  crypto::Certificate cert;
  crypto::PrivateKey key;
};
Result<Credentials> LoadCredentials(const std::string& dir, int64_t now_unix);

}  // namespace phieu::certs

#endif  // PHIEU_CERTS_PROFILE_H_

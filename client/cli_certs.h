// `phieu keygen` and `phieu certs ...`: making a meeting's keys and
// certificates, the real way (each participant's key on its own laptop) and
// the quick way (`certs init`: every key on one machine, demos and tests only).
// docs/certificates.md is the user's guide.
//
// Each function takes the arguments after its command name ("keygen" or
// "certs") and returns the exit code: 0 done, 1 failed (one line on stderr
// that says what to do), 2 usage error.
//
// Thread-safety: call from main only (writes files, prints).
#ifndef PHIEU_CLIENT_CLI_CERTS_H_
#define PHIEU_CLIENT_CLI_CERTS_H_

#include <string>
#include <vector>

namespace phieu::client {

// phieu keygen --id ID [--dir DIR]
int RunKeygen(const std::vector<std::string>& args);

// phieu certs ca|server|sign|profile|roster|init ...
int RunCerts(const std::vector<std::string>& args);

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_CLI_CERTS_H_

// `phieu verify`: the offline verifier on the command line (docs/cli.md,
// docs/audit.md).
//
//   phieu verify RECORD --ca CA.pem [--expect-head HASH] [--receipt FILE]...
//                [--json] [--quiet] [--threads N]
//   phieu verify RECORD --spoiled [CODE] [--ca CA.pem]
//
// Exit codes: 0 every check passed (or every spoiled ballot opened); 1 the
// record or CA cannot be read; 2 usage; 4 a check failed (stderr names the
// check and the entry).
// Thread-safety: runs on the calling thread (and the verifier's pool).
#ifndef PHIEU_CLIENT_CLI_VERIFY_H_
#define PHIEU_CLIENT_CLI_VERIFY_H_

#include <string>
#include <vector>

namespace phieu::client {

// `args` are the arguments after "verify".
int RunVerify(const std::vector<std::string>& args);

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_CLI_VERIFY_H_

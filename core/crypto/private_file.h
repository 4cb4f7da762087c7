// Files that hold secrets (private keys, sealed teller shares) and the small
// public files next to them (certificates, profiles).
//
// WritePrivateFile creates the file with mode 0600 from the start (never
// chmod after the fact), refuses to overwrite an existing file (a key that is
// overwritten is lost), writes, fsyncs the file and its directory.
// WritePublicFile writes 0644 through a temporary file and rename.
//
// Thread-safety: plain functions; concurrent writers of the same path race
// like any two processes would.
// Errors: AlreadyExists (private file present), Unavailable (I/O, with
// strerror), NotFound (ReadFile of a missing file).
#ifndef PHIEU_CORE_CRYPTO_PRIVATE_FILE_H_
#define PHIEU_CORE_CRYPTO_PRIVATE_FILE_H_

#include <string>
#include <string_view>

#include "core/util/status.h"

namespace phieu::crypto {

Status WritePrivateFile(const std::string& path, std::string_view data);
Status WritePublicFile(const std::string& path, std::string_view data);
Result<std::string> ReadFile(const std::string& path);
// mkdir -p with `mode` for the directories it creates (0700 for key dirs);
// each new directory's parent is fsynced, so that it survives a power cut.
Status MakeDirs(const std::string& path, unsigned mode = 0755);
// The file's permission bits (e.g. 0600), for checks and tests.
Result<unsigned> FileMode(const std::string& path);

}  // namespace phieu::crypto

#endif  // PHIEU_CORE_CRYPTO_PRIVATE_FILE_H_

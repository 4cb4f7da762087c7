// `phieu record ...`: the election record on the command line.
//
//   phieu record export --data DIR --out FILE [--json]
//
// reads the server's data directory (the board is DIR/board.sqlite, opened
// read-only, so it may run beside a live server) and writes the whole board
// as one election record: binary (phieu.v1.ElectionRecord, docs/storage.md)
// or, with --json, the JSON view with every entry's body decoded. --out -
// writes to standard output. Fetching the record from a server over the
// network (--profile) is not part of this command yet.
//
// Thread-safety: runs on the calling thread; no shared state.
// Exit codes: 0 written; 1 failed (no board, I/O, corrupt file); 2 usage;
// 4 written, but the board's chain does not verify (the message names the
// entry). Errors are one line on stderr that says what to do.
#ifndef PHIEU_CLIENT_CLI_RECORD_H_
#define PHIEU_CLIENT_CLI_RECORD_H_

#include <string>
#include <vector>

namespace phieu::client {

// `args` are the arguments after "record" ("export", "--data", DIR, ...).
int RunRecord(const std::vector<std::string>& args);

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_CLI_RECORD_H_

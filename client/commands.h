// The `phieu` subcommands that talk to a meeting. Each takes the arguments
// after its name and returns the process exit code (docs/cli.md):
//   0 done; 1 failed (the message says why); 2 usage error;
//   3 refused by the server (role or phase); 4 a check failed (signature,
//   proof, pin, receipt); 5 cannot reach the server.
#ifndef PHIEU_CLIENT_COMMANDS_H_
#define PHIEU_CLIENT_COMMANDS_H_

#include <string>
#include <vector>

#include "core/util/status.h"

namespace phieu::client {

using Argv = std::vector<std::string>;

int RunStatus(const Argv& args);
int RunBallots(const Argv& args);
int RunCheckin(const Argv& args);
int RunVote(const Argv& args);
int RunWatch(const Argv& args);
int RunChair(const std::string& command, const Argv& args);  // open, close, cancel, runoff, proxy, ...
int RunAcceptProxy(const Argv& args);
// Posts a CA-signed roster change (lost laptop) made by `phieu certs replace`.
int RunRosterChange(const Argv& args);
int RunResult(const Argv& args);
int RunTeller(const Argv& args);
int RunDemo(const Argv& args);
// `phieu record export --profile DIR`: the record as the server holds it.
int RunRecordOverNetwork(const Argv& args);
// `phieu spoiled CODE`: check a spoiled ballot (Benaloh challenge) on a second device.
int RunSpoiled(const Argv& args);
// `phieu receipts check [--record FILE] | list`.
int RunReceipts(const Argv& args);

// Prints "phieu: <message>" on stderr and maps the status to an exit code.
int Fail(const Status& s);

// The profile directory: --profile, else $PHIEU_PROFILE, else ~/.phieu/profile.
std::string ProfileDir(const std::string& flag);

}  // namespace phieu::client

#endif  // PHIEU_CLIENT_COMMANDS_H_

// phieu: the participant's command-line client. See `phieu --help` and docs/cli.md.
#include <iostream>
#include <string>
#include <vector>

#include "client/app/app_server.h"
#include "client/cli_certs.h"
#include "client/cli_record.h"
#include "client/cli_verify.h"
#include "client/commands.h"

namespace {

constexpr char kHelp[] = R"(phieu — bỏ phiếu kín cho hội nghị / secret ballots for meetings

Usage: phieu COMMAND [options]      (every meeting command takes --profile DIR;
                                     default $PHIEU_PROFILE, else ~/.phieu/profile)

Certificates (the chair's desk and each laptop):
  keygen --id ID [--dir DIR]             make your key on your own laptop and a request
  certs ca --meeting FILE --out DIR      chair: make the meeting CA
  certs server --out DIR [--san ADDR]    chair: the server's TLS certificate and signing key
  certs sign --out DIR --csr FILE --id ID   chair: sign a participant's request
  certs profile --out DIR --id ID --server HOST:PORT   chair: a participant's profile
  certs roster --meeting FILE --out DIR  chair: the signed genesis entry (meeting + roster)
  certs replace --out DIR --id ID [--csr FILE]   chair: revoke a lost laptop's pin
  certs init MEETING --out DIR [--server HOST:PORT]    ONE MACHINE, DEMOS AND TESTS ONLY
  demo plan MEETING                      check a meeting file; print its demo script

Everyone:
  app [--port N] [--no-browser] [--seconds N]   the meeting in your browser (delegate,
                                         chair and projector pages on 127.0.0.1)
  status                                 the meeting, attendance, key ceremony, ballots
  ballots                                the ballot questions and their state
  watch [--seconds N] [--until-result BALLOT]   follow the board live (with the chain head)
  spoiled CODE                           second device: check a delegate's spoiled ballot
  result BALLOT [--lang en] [--html FILE] [--pdf FILE]   the counting minutes (biên bản kiểm phiếu)
  record export (--data DIR | --profile DIR) --out FILE [--json]   the election record
  verify RECORD --ca CA.pem [--expect-head HASH] [--receipt FILE]... [--json] [--quiet]
                                         check an election record offline (docs/audit.md)
  verify RECORD --spoiled [CODE] [--ca CA.pem]   open spoiled ballots: the choices they encrypt

Delegates:
  checkin [--remote]                     điểm danh
  vote [BALLOT] [--choice ID]... [--blank] [--yes] [--for-unit UNIT]   bỏ phiếu
  vote BALLOT --choice ID... --challenge check the encryption first (spoiled, nothing cast)
  receipts check [--record FILE]         each receipt is in the chain and was counted
  receipts list                          the receipts kept in the profile
  accept-proxy --unit UNIT               accept carrying an absent unit's vote

Chair:
  ceremony start [--wait SECONDS]        start the tellers' key ceremony
  checkin --by-chair --unit UNIT         check in a delegate without a laptop
  proxy --unit ABSENT --holder PARTICIPANT
  open BALLOT | close BALLOT [--wait SECONDS] | cancel BALLOT [--reason TEXT]
  runoff BALLOT [--candidates a,b]       open the second round in one step
  close-meeting                          after the last result
  roster-change FILE                     put a CA-signed roster change on the board
                                         (lost laptop: see `phieu certs replace`)

Tellers:
  teller run --passphrase-file FILE [--seconds N]   take part in the key ceremony,
                                         check every ballot, decrypt totals, co-sign results
  teller paper BALLOT --ballot UNIT=CHOICES... [--yes]   enter paper ballots as a batch
                                         (CHOICES: ids joined by commas, blank or invalid)
  teller paper-sign BATCH [--yes]        co-sign another teller's paper batch (t signatures)

Exit codes: 0 done, 1 failed, 2 usage, 3 refused (role or phase), 4 a check failed,
5 cannot reach the server.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace phieu::client;
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    std::cout << kHelp;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  std::vector<std::string> rest(argv + 2, argv + argc);
  try {
    if (command == "keygen") return RunKeygen(rest);
    if (command == "certs") return RunCerts(rest);
    if (command == "record") {
      bool offline = false;
      for (const auto& a : rest) offline |= a == "--data" || a.rfind("--data=", 0) == 0;
      return offline ? RunRecord(rest) : RunRecordOverNetwork(rest);
    }
    if (command == "verify") return RunVerify(rest);
    if (command == "status") return RunStatus(rest);
    if (command == "ballots") return RunBallots(rest);
    if (command == "checkin") return RunCheckin(rest);
    if (command == "vote") return RunVote(rest);
    if (command == "watch") return RunWatch(rest);
    if (command == "accept-proxy") return RunAcceptProxy(rest);
    if (command == "roster-change") return RunRosterChange(rest);
    if (command == "result") return RunResult(rest);
    if (command == "teller") return RunTeller(rest);
    if (command == "demo") return RunDemo(rest);
    if (command == "spoiled") return RunSpoiled(rest);
    if (command == "receipts") return RunReceipts(rest);
    if (command == "app") return RunApp(rest);
    if (command == "open" || command == "close" || command == "cancel" || command == "runoff" ||
        command == "proxy" || command == "ceremony" || command == "close-meeting") {
      return RunChair(command, rest);
    }
  } catch (const std::exception& e) {
    std::cerr << "phieu: fatal: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "phieu: unknown command '" << command << "'; see phieu --help\n";
  return 2;
}
